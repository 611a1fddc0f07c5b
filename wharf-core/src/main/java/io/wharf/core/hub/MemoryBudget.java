package io.wharf.core.hub;

import java.util.concurrent.atomic.AtomicLong;

/** Bytes cached by every partition of one hub, against the global cap. */
final class MemoryBudget {
    private final long cap;
    private final AtomicLong used = new AtomicLong();

    MemoryBudget(long cap) {
        this.cap = cap;
    }

    long cap() {
        return cap;
    }

    long used() {
        return used.get();
    }

    void add(long bytes) {
        used.addAndGet(bytes);
    }

    /** How many bytes must be freed before {@code bytes} more fit; 0 when they fit. */
    long excessWith(long bytes) {
        return Math.max(0, used.get() + bytes - cap);
    }
}
