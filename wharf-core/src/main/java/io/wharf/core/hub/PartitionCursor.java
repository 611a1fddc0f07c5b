package io.wharf.core.hub;

import java.util.ArrayDeque;
import java.util.List;

/**
 * One subscriber's place in one partition: where it is, where its events come from (the shared
 * cache or its own catch-up read from Kafka), and its bounded queue of events read from Kafka for it.
 * The cursor owns its iteration over the cache ({@link #scan}); the cache only lends its lock for it.
 * Guarded by the owning subscription's lock, except the volatile fields the shared reader peeks at.
 */
final class PartitionCursor {
    /** Most cache entries one scan examines, so a filter that matches little cannot hold the cache's lock long. */
    static final int SCAN_LIMIT = 8192;

    /** Where the next events come from. */
    enum Mode {
        /** A compacted-topic snapshot waits until the shared reader has read up to its end. */
        SNAPSHOT_WAIT,
        /** From the shared cache (or waiting there for the shared reader). */
        CACHE,
        /** From the subscription's own Kafka read, until it reaches what the cache holds. */
        CATCH_UP
    }

    /** What one {@link #scan} of the cache found. */
    enum Scan {
        /** The shared reader has no position yet: nothing to read. */
        NOT_POSITIONED,
        /** The cache no longer holds the cursor's position: it must catch up from Kafka. */
        BEHIND,
        /** Scanned; the cursor moved as far as the cache, the quota and the scan limit allowed. */
        SCANNED,
        /** Scanned, and the cursor reached the end of its snapshot. */
        SNAPSHOT_REACHED
    }

    /** No snapshot is being delivered. */
    static final long NO_SNAPSHOT = -1;

    /** An event read from Kafka for this subscriber, waiting to be polled. */
    record Queued(CachedEntry entry, long mask, long from) {
    }

    final HubSubscription subscription;
    final int partition;
    /** This cursor's index in the subscription's arrays. */
    final int index;
    final PartitionFeed feed;
    final PartitionCache cache;
    /** Shared match masks of the subscription's filters; null without filters. */
    final PartitionCache.FilterSlot filterSlot;

    volatile Mode mode;
    /** The next offset to deliver: the resume token's value for this partition. */
    long nextOffset;
    /** On a compacted topic's snapshot: offsets below this get latest-value-per-key treatment. */
    long snapshotEnd = NO_SNAPSHOT;
    boolean snapshotReached;
    /** Cache sequence scanned up to, for lag estimates without the cache lock. */
    volatile long scannedSeq;
    /** The cache's {@link PartitionCache#version()} when this cursor last looked. */
    long seenVersion = -1;
    /** Whether the last look took everything the cache had (so an unchanged version means nothing new). */
    boolean atHead;
    /** Superseded records skipped by scans since {@link #takeConflated()}. */
    private int conflated;

    // catch-up state
    final ArrayDeque<Queued> queue = new ArrayDeque<>(1); // most cursors never catch up: start tiny
    /** Where the catch-up read continues; everything below it is queued or skipped. */
    long fetchOffset;
    /** Bumped each time the cursor enters a catch-up, so the reader re-seeks. */
    int epoch;
    /** When the catch-up read reached the cache: the offset to continue from the cache once the queue drains. */
    long handoverAt = -1;

    PartitionCursor(HubSubscription subscription, int partition, int index, PartitionFeed feed,
                    PartitionCache.FilterSlot filterSlot, long start, long snapshotEnd) {
        this(subscription, partition, index, feed, feed.cache(), filterSlot, start, snapshotEnd);
    }

    /** A cursor over a cache; {@code subscription} and {@code feed} may be null when only {@link #scan} is used. */
    PartitionCursor(HubSubscription subscription, int partition, int index, PartitionFeed feed, PartitionCache cache,
                    PartitionCache.FilterSlot filterSlot, long start, long snapshotEnd) {
        this.subscription = subscription;
        this.partition = partition;
        this.index = index;
        this.feed = feed;
        this.cache = cache;
        this.filterSlot = filterSlot;
        this.nextOffset = start;
        this.snapshotEnd = snapshotEnd;
        this.mode = snapshotEnd == NO_SNAPSHOT ? Mode.CACHE : Mode.SNAPSHOT_WAIT;
    }

    /**
     * Takes up to {@code quota} next events from the cache into {@code into}, moving {@link #nextOffset}
     * past everything examined (records a filter rejected or conflation skipped included). On a
     * compacted partition a cursor further behind than {@code lagLimit} skips superseded records.
     * One lock round trip for the whole batch.
     */
    Scan scan(List<Queued> into, int quota, int lagLimit) {
        return cache.read(this, into, quota, lagLimit);
    }

    /** The scan itself; called by {@link PartitionCache#read} with the ring lock held. */
    Scan scanLocked(PartitionCache cache, List<Queued> into, int quota, int lagLimit) {
        seenVersion = cache.version();
        atHead = false;
        if (!cache.positioned()) {
            return Scan.NOT_POSITIONED;
        }
        if (!cache.coversLocked(nextOffset)) {
            return Scan.BEHIND;
        }
        long seq = seekHint(cache);
        long end = cache.nextSeq();
        boolean snapshot = inSnapshot();
        // a subscriber further behind than its queue skips values a newer cached value of the key replaces
        boolean conflate = cache.compacted() && !snapshot && end - seq > lagLimit;
        int taken = 0;
        int scanned = 0;
        while (seq < end && taken < quota && scanned < SCAN_LIMIT) {
            CachedEntry e = cache.entry(seq);
            if (snapshot && e.offset >= snapshotEnd) {
                break;
            }
            scanned++;
            if (e.gap) {
                into.add(new Queued(e, 0, Math.max(e.offset, nextOffset)));
                taken++;
            } else if (snapshot ? e.superseded || e.value == null : conflate && e.superseded) {
                if (!snapshot) {
                    conflated++;
                }
            } else if (filterSlot == null) {
                into.add(new Queued(e, 0, e.offset));
                taken++;
            } else {
                long mask = cache.mask(filterSlot, seq);
                if (mask != 0) {
                    into.add(new Queued(e, mask, e.offset));
                    taken++;
                }
            }
            nextOffset = Math.max(nextOffset, e.nextOffset);
            seq++;
        }
        if (seq == end) {
            // every cached record below the head was taken or skipped: the cursor is at the head
            long head = cache.head();
            nextOffset = Math.max(nextOffset, snapshot ? Math.min(head, snapshotEnd) : head);
        }
        Scan result = Scan.SCANNED;
        if (snapshot && (nextOffset >= snapshotEnd || (seq < end && cache.entry(seq).offset >= snapshotEnd))) {
            nextOffset = Math.max(nextOffset, snapshotEnd);
            snapshotReached = true;
            result = Scan.SNAPSHOT_REACHED;
        }
        scannedSeq = seq;
        atHead = seq == end;
        return result;
    }

    /** Whether a snapshot-waiting cursor can start: the shared reader has read up to the snapshot's end. */
    boolean snapshotReady() {
        seenVersion = cache.version(); // before looking, so an append racing the look counts as unseen
        return cache.reached(snapshotEnd);
    }

    /** Whether nothing was appended since this cursor took everything the cache had (no lock needed). */
    boolean nothingNew() {
        return atHead && cache.version() == seenVersion;
    }

    /** Whether the cache changed since this cursor last looked. */
    boolean cacheChanged() {
        return cache.version() != seenVersion;
    }

    /** How many cache entries this cursor is behind, estimated without the lock. */
    long lag() {
        return cache.nextSeq() - scannedSeq;
    }

    /** Superseded records skipped since the last call. */
    int takeConflated() {
        int n = conflated;
        conflated = 0;
        return n;
    }

    /** The cache sequence holding (or following) {@link #nextOffset}; the last scan's end when still valid. Ring lock held. */
    private long seekHint(PartitionCache cache) {
        long seq = scannedSeq;
        if (seq >= cache.firstSeq() && seq <= cache.nextSeq()
                && (seq == cache.nextSeq() || cache.entry(seq).nextOffset > nextOffset)
                && (seq == cache.firstSeq() || cache.entry(seq - 1).nextOffset <= nextOffset)) {
            return seq;
        }
        return cache.seek(nextOffset);
    }

    boolean inSnapshot() {
        return snapshotEnd != NO_SNAPSHOT;
    }

    /** Whether the catch-up reader should be fetching for this cursor. */
    boolean wantsFetch() {
        return mode == Mode.CATCH_UP && handoverAt < 0;
    }
}
