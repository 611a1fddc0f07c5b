package io.wharf.resp.protocol;

/**
 * The client broke the protocol, or a command took too long or too much memory to arrive; the
 * connection is answered with this error and closed, because nothing after the broken spot can be
 * trusted to be a command boundary.
 *
 * @param message the error text, e.g. {@code Protocol error: invalid bulk length}
 * @param limit   the setting that refused an incomplete command ({@code request-timeout},
 *                {@code max-buffered-request-bytes}), or null for a malformed stream
 */
public record ProtocolViolation(String message, String limit) implements RespInbound {
    /** A malformed stream. */
    public ProtocolViolation(String message) {
        this(message, null);
    }
}
