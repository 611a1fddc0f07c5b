package io.wharf.core.kafka;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * When a loop that failed against Kafka may try again: {@code first} after the first failure,
 * doubled after each further one up to {@code max}, at once again after a success. Not
 * thread-safe: the one thread running the loop owns it.
 */
public final class RetryBackoff {
    private final long firstNanos;
    private final long maxNanos;
    private final LongSupplier clock;
    private int failures;
    private long retryAtNanos;

    /** A backoff from {@code first} doubling up to {@code max}. */
    public RetryBackoff(Duration first, Duration max) {
        this(first, max, System::nanoTime);
    }

    RetryBackoff(Duration first, Duration max, LongSupplier clock) {
        this.firstNanos = first.toNanos();
        this.maxNanos = max.toNanos();
        this.clock = clock;
    }

    /** Records a failure; returns the delay before the next attempt. */
    public Duration failed() {
        failures = Math.min(failures + 1, 62);
        long delay = firstNanos << Math.min(failures - 1, 30);
        delay = delay <= 0 || delay > maxNanos ? maxNanos : delay;
        retryAtNanos = clock.getAsLong() + delay;
        return Duration.ofNanos(delay);
    }

    /** Records a success: the next attempt may run at once. */
    public void succeeded() {
        failures = 0;
    }

    /** Failures in a row so far. */
    public int failures() {
        return failures;
    }

    /** Nanoseconds until the next attempt may run; 0 when it may run now. */
    public long remainingNanos() {
        if (failures == 0) {
            return 0;
        }
        long left = retryAtNanos - clock.getAsLong();
        return Math.max(0, left);
    }
}
