package io.wharf.http;

import java.time.Duration;

/**
 * How long to wait before the next try of something that keeps failing (a commit while Kafka is
 * away): {@code first}, doubling up to {@code max}, back to {@code first} after a success. Not
 * thread-safe: owned by one event loop.
 */
final class RetryBackoff {
    private final long firstNanos;
    private final long maxNanos;
    private int failures;

    RetryBackoff(Duration first, Duration max) {
        this.firstNanos = first.toNanos();
        this.maxNanos = max.toNanos();
    }

    /** Records a failure; the delay before the next try. */
    Duration failed() {
        // doubling stops long before it could overflow: 30 doublings of any sane first delay pass the max
        long delay = Math.min(maxNanos, firstNanos << Math.min(failures, 30));
        failures++;
        return Duration.ofNanos(delay);
    }

    /** Records a success: the next failure waits {@code first} again. */
    void succeeded() {
        failures = 0;
    }

    /** Failures in a row so far. */
    int failures() {
        return failures;
    }
}
