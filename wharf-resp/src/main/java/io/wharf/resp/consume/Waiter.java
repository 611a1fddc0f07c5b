package io.wharf.resp.consume;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One blocked {@code BLPOP}/{@code BLMPOP}: completes with up to {@code max} records, with an
 * empty list when its time runs out, or exceptionally with a {@link ConsumeFailure}. Whoever
 * removes it from its session's queue (under the session's lock) completes it, so records are
 * never handed to a waiter that already timed out.
 */
public final class Waiter {
    private final int max;
    private final CompletableFuture<List<ConsumerRecord<byte[], byte[]>>> result = new CompletableFuture<>();
    // set on the connection's event loop, cancelled by whichever thread completes the waiter
    private volatile ScheduledFuture<?> timeout;

    Waiter(int max) {
        this.max = max;
    }

    /** Most records this waiter takes. */
    int max() {
        return max;
    }

    /** The outcome. */
    public CompletableFuture<List<ConsumerRecord<byte[], byte[]>>> result() {
        return result;
    }

    /** Remembers the timer so it can be cancelled when records arrive first. */
    public void timeout(ScheduledFuture<?> timer) {
        this.timeout = timer;
    }

    /** Cancels the timer, if it was set already (a timer that fires late finds nothing to expire). */
    public void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }
}
