package io.wharf.relay.http;

import java.net.URI;
import java.util.Objects;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * One HTTP request the relay makes: a webhook attempt or a poll.
 *
 * @param url              absolute http or https URL
 * @param method           HTTP method
 * @param headers          request headers (Host, Content-Length and Connection are added by the client)
 * @param body             request body, or null for none
 * @param connectMillis    how long opening a new connection may take
 * @param timeoutMillis    how long the exchange may take from sending the request to the last response byte
 * @param maxResponseBytes response body bytes kept; the rest is read and discarded, and the reply says so
 */
public record HttpCall(URI url, String method, HttpHeaders headers, byte[] body, long connectMillis,
                       long timeoutMillis, int maxResponseBytes) {
    public HttpCall {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(headers, "headers");
    }
}
