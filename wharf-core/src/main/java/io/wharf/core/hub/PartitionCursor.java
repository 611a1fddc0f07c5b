package io.wharf.core.hub;

import java.util.ArrayDeque;

/**
 * One subscriber's place in one partition: where it is, where its events come from (the shared
 * cache or its own catch-up read from Kafka), and its bounded queue of events read from Kafka for it.
 * Guarded by the owning subscription's lock, except the volatile fields the shared reader peeks at.
 */
final class PartitionCursor {
    /** Where the next events come from. */
    enum Mode {
        /** A compacted-topic snapshot waits until the shared reader has read up to its end. */
        SNAPSHOT_WAIT,
        /** From the shared cache (or waiting there for the shared reader). */
        CACHE,
        /** From the subscription's own Kafka read, until it reaches what the cache holds. */
        CATCH_UP
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
        this.subscription = subscription;
        this.partition = partition;
        this.index = index;
        this.feed = feed;
        this.filterSlot = filterSlot;
        this.nextOffset = start;
        this.snapshotEnd = snapshotEnd;
        this.mode = snapshotEnd == NO_SNAPSHOT ? Mode.CACHE : Mode.SNAPSHOT_WAIT;
    }

    /** The cache sequence holding (or following) {@link #nextOffset}; the last scan's end when still valid. Cache lock held. */
    long seekHint(PartitionCache cache) {
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
