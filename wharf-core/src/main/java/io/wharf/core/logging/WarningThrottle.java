package io.wharf.core.logging;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Lets one warning through per interval and counts the ones it holds back, so a fault a client or
 * an outage repeats thousands of times a second logs a line per interval with the count it stood
 * for. Thread-safe without a lock: any thread may ask.
 */
public final class WarningThrottle {
    private final long intervalNanos;
    private final LongSupplier clock;
    private final AtomicLong nextAllowed;
    private final AtomicLong suppressed = new AtomicLong();

    /** A throttle letting one warning through per {@code interval}. */
    public WarningThrottle(Duration interval) {
        this(interval, System::nanoTime);
    }

    WarningThrottle(Duration interval, LongSupplier clock) {
        this.intervalNanos = interval.toNanos();
        this.clock = clock;
        this.nextAllowed = new AtomicLong(clock.getAsLong());
    }

    /**
     * Whether to log now. Returns -1 when this warning is held back, else how many were held back
     * since the last one let through (log it as {@code suppressed=N}).
     */
    public long admit() {
        long now = clock.getAsLong();
        long next = nextAllowed.get();
        if (now - next >= 0 && nextAllowed.compareAndSet(next, now + intervalNanos)) {
            return suppressed.getAndSet(0);
        }
        suppressed.incrementAndGet();
        return -1;
    }
}
