/**
 * The Redis serialization protocol (RESP2 and RESP3): bytes to requests and replies to bytes, the
 * reply values, and the error reply a command throws.
 */
package io.wharf.resp.protocol;
