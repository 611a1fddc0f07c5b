/**
 * Consuming over RESP: each connection's consumer-group member on the shared pollers, blocked
 * pops, acknowledgements and the messages' reply formats.
 */
package io.wharf.resp.consume;
