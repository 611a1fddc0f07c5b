package io.wharf.resp.protocol;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of commands not yet completely received, over every connection of the door
 * ({@code resp.max-buffered-request-bytes}): each connection's decoder adds what it holds of its
 * incomplete command and stops reading while the total is over the limit; it frees its share when
 * the command completes or the connection closes, which wakes the decoders waiting for room.
 * Thread-safe without a lock.
 */
public final class RequestBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();

    public RequestBudget(long limit) {
        this.limit = limit;
    }

    /** A budget that never runs out (unit tests of one decoder). */
    public static RequestBudget unlimited() {
        return new RequestBudget(Long.MAX_VALUE);
    }

    /** The limit in bytes. */
    public long limit() {
        return limit;
    }

    /** Bytes held now. */
    public long used() {
        return used.get();
    }

    /** Whether the total is within the limit. */
    boolean hasRoom() {
        return used.get() <= limit;
    }

    /**
     * Adds (or, negative, frees) bytes a decoder holds. The bytes are already in memory, so this
     * never refuses; it answers whether the total is still within the limit.
     */
    boolean add(long delta) {
        long now = used.addAndGet(delta);
        if (delta < 0 && now <= limit && !waiting.isEmpty()) {
            wake();
        }
        return now <= limit;
    }

    /** Runs the task (on the calling thread) once the total is within the limit, at once if it is. */
    void whenRoom(Runnable task) {
        waiting.add(task);
        if (hasRoom()) {
            wake();
        }
    }

    private void wake() {
        Runnable task;
        while ((task = waiting.poll()) != null) {
            task.run();
        }
    }
}
