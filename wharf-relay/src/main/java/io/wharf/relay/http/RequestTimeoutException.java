package io.wharf.relay.http;

import java.io.IOException;

/** The endpoint did not answer completely within the request timeout; the request may or may not have taken effect. */
public final class RequestTimeoutException extends IOException {
    private static final long serialVersionUID = 1L;

    public RequestTimeoutException(long millis) {
        super("no complete response within " + millis + "ms");
    }
}
