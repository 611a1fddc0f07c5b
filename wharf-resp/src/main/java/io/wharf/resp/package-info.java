/** The Redis-protocol front door: Rafka's commands for any Redis client, registered with the gateway by its factory. */
package io.wharf.resp;
