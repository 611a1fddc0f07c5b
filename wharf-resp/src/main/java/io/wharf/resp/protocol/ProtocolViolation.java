package io.wharf.resp.protocol;

/**
 * The client broke the protocol; the connection is answered with this error and closed, because
 * nothing after the broken spot can be trusted to be a command boundary.
 *
 * @param message the error text, e.g. {@code Protocol error: invalid bulk length}
 */
public record ProtocolViolation(String message) implements RespInbound {
}
