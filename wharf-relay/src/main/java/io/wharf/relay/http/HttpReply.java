package io.wharf.relay.http;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * A complete HTTP response.
 *
 * @param status    status code
 * @param headers   response headers
 * @param body      the body's first {@code maxResponseBytes} bytes
 * @param truncated whether the body was longer than what was kept
 */
public record HttpReply(int status, HttpHeaders headers, byte[] body, boolean truncated) {
    /** Whether the status is 2xx. */
    public boolean successful() {
        return status >= 200 && status < 300;
    }
}
