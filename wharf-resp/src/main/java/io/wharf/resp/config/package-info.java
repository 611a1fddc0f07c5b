/** The Redis-protocol door's section of the configuration file ({@code resp}). */
package io.wharf.resp.config;
