package io.wharf.resp.command;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.wharf.resp.protocol.CommandError;
import io.wharf.resp.protocol.RespRequest;
import io.wharf.resp.protocol.RespValue;

/**
 * A command the door understands: its name, arity (Redis's convention: positive is exact,
 * negative is a minimum, both counting the name), what {@code COMMAND} and {@code COMMAND DOCS}
 * say about it, and how to run it.
 *
 * @param name       upper-case name
 * @param arity      Redis arity
 * @param flags      Redis command flags, e.g. {@code write}, {@code blocking}, {@code fast}
 * @param group      Redis command group for {@code COMMAND DOCS}
 * @param summary    one line for {@code COMMAND DOCS}
 * @param beforeAuth whether it may run before {@code AUTH} when auth is configured
 * @param handler    runs it on the connection's event loop
 */
public record RespCommand(String name, int arity, List<String> flags, String group, String summary, boolean beforeAuth,
                          Handler handler) {

    /** Runs a command on the connection's event loop; never blocks. */
    @FunctionalInterface
    public interface Handler {
        /**
         * @return the reply, completed now or later (a blocked pop, a synchronous produce)
         * @throws CommandError when the command cannot be carried out; its text is the reply
         */
        CompletableFuture<RespValue> execute(Connection connection, RespRequest request);
    }

    /** Whether the request has a number of elements this command accepts. */
    public boolean arityAccepts(int size) {
        return arity >= 0 ? size == arity : size >= -arity;
    }

    /** {@code :1} available now, shared: completed futures are only read. */
    private static final CompletableFuture<RespValue> ONE = CompletableFuture.completedFuture(RespValue.ONE);

    /** A reply available now. */
    public static CompletableFuture<RespValue> now(RespValue value) {
        return value == RespValue.ONE ? ONE : CompletableFuture.completedFuture(value);
    }

    /** An integer reply available now. */
    public static CompletableFuture<RespValue> now(long value) {
        return value == 1 ? ONE : CompletableFuture.completedFuture(new RespValue.Int(value));
    }
}
