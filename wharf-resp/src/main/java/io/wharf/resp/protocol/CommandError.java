package io.wharf.resp.protocol;

import io.wharf.resp.protocol.RespValue;

/**
 * A command cannot be carried out; its text is the error reply, prefix included ({@code ERR},
 * Rafka's {@code CONS} for consumer-side and {@code PROD} for producer-side errors, ...).
 * Thrown while checking a command, caught by the dispatcher, never logged as a failure of Wharf.
 */
public final class CommandError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private CommandError(String reply) {
        super(reply, null, false, false);
    }

    /** {@code ERR <message>}. */
    public static CommandError err(String message) {
        return new CommandError("ERR " + message);
    }

    /** {@code CONS <message>}: a consumer-side error, as Rafka clients expect. */
    public static CommandError cons(String message) {
        return new CommandError("CONS " + message);
    }

    /** {@code PROD <message>}: a producer-side error, as Rafka clients expect. */
    public static CommandError prod(String message) {
        return new CommandError("PROD " + message);
    }

    /** {@code NOPERM <refusal>}: the access rules refused the operation, as Redis 6 ACLs answer. */
    public static CommandError noperm(String refusal) {
        return new CommandError("NOPERM " + refusal);
    }

    /** An error with its own prefix, e.g. {@code NOAUTH Authentication required.}. */
    public static CommandError of(String fullText) {
        return new CommandError(fullText);
    }

    /** The error reply. */
    public RespValue reply() {
        return RespValue.error(getMessage());
    }
}
