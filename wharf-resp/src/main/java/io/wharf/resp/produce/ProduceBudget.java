package io.wharf.resp.produce;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes sent to Kafka and not yet acknowledged, over every connection of the door. Past the limit,
 * connections that produce stop being read until half of it has drained, so the shared producer's
 * buffer never fills and {@code send} never blocks an event loop.
 */
public final class ProduceBudget {
    private final long limit;
    private final AtomicLong pending = new AtomicLong();
    // connections paused for the shared limit, each registered at most once while paused
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();

    public ProduceBudget(long limit) {
        this.limit = limit;
    }

    /** Bytes were handed to the producer. */
    public void add(long bytes) {
        pending.addAndGet(bytes);
    }

    /** Bytes were acknowledged or refused; wakes the paused connections once half the budget is free. */
    public void release(long bytes) {
        long now = pending.addAndGet(-bytes);
        if (now <= limit / 2 && !waiting.isEmpty()) {
            wakeAll();
        }
    }

    /** True while the shared limit is exceeded. */
    public boolean exhausted() {
        return pending.get() > limit;
    }

    /** Bytes in flight now. */
    public long pending() {
        return pending.get();
    }

    /** Runs {@code wake} (from any thread) once there is room again. */
    public void whenRoom(Runnable wake) {
        waiting.add(wake);
        // the budget may have drained between the caller's check and the registration
        if (pending.get() <= limit / 2) {
            wakeAll();
        }
    }

    private void wakeAll() {
        Runnable r;
        while ((r = waiting.poll()) != null) {
            r.run();
        }
    }
}
