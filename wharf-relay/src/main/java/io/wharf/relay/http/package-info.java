/** The relay's own HTTP client on Netty: bounded connections, timeouts and DNS lookups that never block. */
package io.wharf.relay.http;
