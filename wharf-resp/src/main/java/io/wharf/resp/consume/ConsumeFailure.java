package io.wharf.resp.consume;

/** A consume request cannot be served; the message becomes a {@code CONS} error reply. */
public final class ConsumeFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConsumeFailure(String message) {
        super(message, null, false, false);
    }
}
