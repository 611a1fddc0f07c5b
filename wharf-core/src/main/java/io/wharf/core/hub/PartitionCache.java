package io.wharf.core.hub;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded in-memory window of one topic-partition, in offset order: every record the shared
 * reader read from {@link #completeFrom()} up to {@link #head()}, minus what was evicted by size or
 * age. Subscribers read it through their own cursors, so a record is held once however many
 * subscribers read it, and a subscriber that stops reading holds nothing.
 *
 * <p>Entries live in a ring indexed by a sequence number that only grows. For every distinct filter
 * set of the partition's subscribers a {@link FilterSlot} holds each entry's match mask, computed
 * once when the entry (or the slot) arrives.
 *
 * <p>Every operation locks {@link #ringLock} itself; callers never hold it. The shared reader
 * appends and evicts, the hub's control thread ages entries out, any appending reader may trim this
 * cache for the hub's memory cap, and subscribers read through
 * {@link #read}, which runs a cursor's scan under the lock: one lock round trip per batch, never one
 * per record. Methods marked "ring lock held" are for that scan only.
 */
final class PartitionCache {
    /** Guards the ring, the byte count, the offsets, the key map, the filter slots and {@link CachedEntry#superseded}. */
    private final ReentrantLock ringLock = new ReentrantLock();

    private final boolean compacted;
    private final long maxBytes;
    private final long maxAgeNanos;
    private final MemoryBudget budget;
    private final HubCounters counters;
    private final Map<KeyBytes, CachedEntry> latestByKey;
    private final List<FilterSlot> slots = new ArrayList<>();

    private CachedEntry[] ring = new CachedEntry[64];
    private long firstSeq;
    private volatile long nextSeq;
    private volatile long bytes;
    private volatile long version;
    private boolean positioned;
    private long completeFrom;
    private long head;

    /** Match masks of one distinct filter set, aligned with the ring. */
    static final class FilterSlot {
        final FilterSet filters;
        private long[] masks;
        private int users;
        /** Whether an entry of the latest append matched: read by the shared reader after appending. */
        boolean matchedLastAppend;

        private FilterSlot(FilterSet filters, int capacity) {
            this.filters = filters;
            this.masks = new long[capacity];
        }
    }

    PartitionCache(boolean compacted, long maxBytes, long maxAgeNanos, MemoryBudget budget, HubCounters counters) {
        this.compacted = compacted;
        this.maxBytes = maxBytes;
        this.maxAgeNanos = maxAgeNanos;
        this.budget = budget;
        this.counters = counters;
        this.latestByKey = compacted ? new HashMap<>() : null;
    }

    /** Sets where the shared reader starts (or restarts): the cache is empty and complete from there. */
    void position(long offset) {
        ringLock.lock();
        try {
            evictAllLocked();
            positioned = true;
            completeFrom = offset;
            head = offset;
            version++;
        } finally {
            ringLock.unlock();
        }
    }

    /**
     * Runs one scan of a cursor under the ring lock, so appends and evictions wait for it: the
     * cursor owns the iteration ({@link PartitionCursor#scanLocked}), the cache its consistency.
     */
    PartitionCursor.Scan read(PartitionCursor cursor, List<PartitionCursor.Queued> into, int quota, int lagLimit) {
        ringLock.lock();
        try {
            return cursor.scanLocked(this, into, quota, lagLimit);
        } finally {
            ringLock.unlock();
        }
    }

    /** Whether the shared reader is positioned and has read up to (not including) this offset. */
    boolean reached(long offset) {
        ringLock.lock();
        try {
            return positioned && head >= offset;
        } finally {
            ringLock.unlock();
        }
    }

    /** Whether a reader at this offset can continue from the cache (now, or once the shared reader gets there). */
    boolean covers(long offset) {
        ringLock.lock();
        try {
            return coversLocked(offset);
        } finally {
            ringLock.unlock();
        }
    }

    /** Bumped by every append and repositioning; readable without the lock, so a cursor can tell it missed something. */
    long version() {
        return version;
    }

    /** Whether this is a compacted partition's cache. */
    boolean compacted() {
        return compacted;
    }

    /** Whether the shared reader knows its start yet. Ring lock held. */
    boolean positioned() {
        assert ringLock.isHeldByCurrentThread();
        return positioned;
    }

    /** The next offset the shared reader will read. Ring lock held. */
    long head() {
        assert ringLock.isHeldByCurrentThread();
        return head;
    }

    /** {@link #covers}, ring lock held. */
    boolean coversLocked(long offset) {
        assert ringLock.isHeldByCurrentThread();
        return positioned && offset >= completeFrom;
    }

    /** The oldest sequence still cached. Ring lock held. */
    long firstSeq() {
        assert ringLock.isHeldByCurrentThread();
        return firstSeq;
    }

    /** One past the last sequence number; readable without the lock (for lag estimates). */
    long nextSeq() {
        return nextSeq;
    }

    /** Bytes cached; readable without the lock (for choosing what to trim). */
    long bytes() {
        return bytes;
    }

    /** The entry at a sequence between {@link #firstSeq()} and {@link #nextSeq()}. Ring lock held. */
    CachedEntry entry(long seq) {
        return ring[(int) (seq & (ring.length - 1))];
    }

    /** A slot's match mask for the entry at a sequence. Ring lock held. */
    long mask(FilterSlot slot, long seq) {
        return slot.masks[(int) (seq & (ring.length - 1))];
    }

    /** The first sequence whose entry holds or follows this offset ({@link #nextSeq()} if none). Ring lock held. */
    long seek(long offset) {
        long lo = firstSeq;
        long hi = nextSeq;
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (entry(mid).nextOffset > offset) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /**
     * Appends what the shared reader read and moves the head. Entries that would break the
     * partition's byte limit evict the oldest first; one larger than the limit is not cached at all.
     * Afterwards each slot's {@link FilterSlot#matchedLastAppend} says whether it matched any (read
     * by the appending thread).
     */
    void append(List<CachedEntry> entries, long newHead, KeyIndex index, long nowNanos) {
        ringLock.lock();
        try {
            appendLocked(entries, newHead, index, nowNanos);
        } finally {
            ringLock.unlock();
        }
    }

    private void appendLocked(List<CachedEntry> entries, long newHead, KeyIndex index, long nowNanos) {
        for (FilterSlot slot : slots) {
            slot.matchedLastAppend = false;
        }
        for (CachedEntry e : entries) {
            if (index != null) {
                index.record(e);
            }
            if (e.bytes > maxBytes) {
                evictAllLocked();
                completeFrom = e.nextOffset;
                continue;
            }
            while (bytes + e.bytes > maxBytes && firstSeq < nextSeq) {
                evictOldest();
            }
            if (nextSeq - firstSeq == ring.length) {
                grow();
            }
            int i = (int) (nextSeq & (ring.length - 1));
            ring[i] = e;
            for (FilterSlot slot : slots) {
                long mask = e.gap ? 0 : slot.filters.evaluate(e.key, e.headers);
                slot.masks[i] = mask;
                slot.matchedLastAppend |= mask != 0 || e.gap;
                counters.filterEvaluations.increment();
            }
            if (compacted && !e.gap && e.key != null) {
                CachedEntry previous = latestByKey.put(new KeyBytes(e.key), e);
                if (previous != null) {
                    previous.superseded = true;
                }
            }
            bytes += e.bytes;
            budget.add(e.bytes);
            nextSeq = nextSeq + 1;
        }
        head = Math.max(head, newHead);
        version++;
        evictOlderThanLocked(nowNanos - maxAgeNanos);
    }

    /** Evicts entries appended before this time. */
    void evictOlderThan(long cutoffNanos) {
        ringLock.lock();
        try {
            evictOlderThanLocked(cutoffNanos);
        } finally {
            ringLock.unlock();
        }
    }

    private void evictOlderThanLocked(long cutoffNanos) {
        while (firstSeq < nextSeq && entry(firstSeq).appendedNanos - cutoffNanos < 0) {
            evictOldest();
        }
    }

    /** Evicts oldest entries until at least {@code wanted} bytes are freed or nothing is left; returns the bytes freed. */
    long evict(long wanted) {
        ringLock.lock();
        try {
            long freed = 0;
            while (freed < wanted && firstSeq < nextSeq) {
                freed += evictOldest();
            }
            return freed;
        } finally {
            ringLock.unlock();
        }
    }

    /** Drops everything (closing, or the partition was truncated). */
    void evictAll() {
        ringLock.lock();
        try {
            evictAllLocked();
        } finally {
            ringLock.unlock();
        }
    }

    private void evictAllLocked() {
        while (firstSeq < nextSeq) {
            evictOldest();
        }
    }

    private long evictOldest() {
        int i = (int) (firstSeq & (ring.length - 1));
        CachedEntry e = ring[i];
        ring[i] = null;
        firstSeq++;
        bytes -= e.bytes;
        budget.add(-e.bytes);
        completeFrom = Math.max(completeFrom, e.nextOffset);
        if (compacted && !e.gap && e.key != null) {
            latestByKey.remove(new KeyBytes(e.key), e);
        }
        counters.evicted.increment();
        return e.bytes;
    }

    private void grow() {
        CachedEntry[] bigger = new CachedEntry[ring.length * 2];
        for (long s = firstSeq; s < nextSeq; s++) {
            bigger[(int) (s & (bigger.length - 1))] = entry(s);
        }
        for (FilterSlot slot : slots) {
            long[] masks = new long[bigger.length];
            for (long s = firstSeq; s < nextSeq; s++) {
                masks[(int) (s & (bigger.length - 1))] = slot.masks[(int) (s & (ring.length - 1))];
            }
            slot.masks = masks;
        }
        ring = bigger;
    }

    /** The slot for a filter set, shared with every subscriber asking for equal filters. */
    FilterSlot acquireSlot(FilterSet filters) {
        ringLock.lock();
        try {
            return acquireSlotLocked(filters);
        } finally {
            ringLock.unlock();
        }
    }

    private FilterSlot acquireSlotLocked(FilterSet filters) {
        for (FilterSlot slot : slots) {
            if (slot.filters.equals(filters)) {
                slot.users++;
                return slot;
            }
        }
        FilterSlot slot = new FilterSlot(filters, ring.length);
        for (long s = firstSeq; s < nextSeq; s++) {
            CachedEntry e = entry(s);
            slot.masks[(int) (s & (ring.length - 1))] = e.gap ? 0 : filters.evaluate(e.key, e.headers);
            counters.filterEvaluations.increment();
        }
        slot.users = 1;
        slots.add(slot);
        return slot;
    }

    /** Gives a slot back; the last user removes it. */
    void releaseSlot(FilterSlot slot) {
        ringLock.lock();
        try {
            if (--slot.users == 0) {
                slots.remove(slot);
            }
        } finally {
            ringLock.unlock();
        }
    }
}
