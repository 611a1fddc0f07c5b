package io.wharf.relay.webhook;

/** Why an attempt is retried; the {@code cause} tag of the retries metric. */
enum RetryCause {
    /** connection refused, reset or closed before a complete response */
    NETWORK("network"),
    /** no complete response within the request timeout, or 408 */
    TIMEOUT("timeout"),
    /** 5xx */
    SERVER_ERROR("5xx"),
    /** 429, honouring Retry-After */
    THROTTLED("429"),
    /** 409: the endpoint is still working on this idempotency key */
    CONFLICT("409");

    final String tag;

    RetryCause(String tag) {
        this.tag = tag;
    }
}
