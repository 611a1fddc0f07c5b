/** The Redis-protocol front door: Rafka's commands for any Redis client. */
package io.wharf.resp;
