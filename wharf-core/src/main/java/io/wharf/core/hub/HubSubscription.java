package io.wharf.core.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.wharf.core.hub.PartitionCursor.Mode;
import io.wharf.core.hub.PartitionCursor.Queued;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscriber's handle: one {@link PartitionCursor} per partition, merged round-robin on
 * {@link #poll}. Events come from the shared cache through the cursor (nothing is copied per
 * subscriber), or, for a cursor behind the cache, from the subscription's own {@link CatchUpReader}
 * into a bounded queue. Polling is the demand signal: a subscriber that stops polling holds at most
 * its queue, and the catch-up read waits for room.
 *
 * <p>{@link #lock} guards the cursors, queues and positions. Lock order: this lock, then a
 * partition cache's own lock (taken inside the cache's methods); never the other way round.
 */
final class HubSubscription implements Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(HubSubscription.class);

    private final KafkaTopicHub hub;
    private final String topic;
    private final HubListener listener;
    /** The request's filters; null when it has none. */
    final FilterSet filters;
    final int capacity;

    /** Guards every field below that is not final or volatile. */
    final ReentrantLock lock = new ReentrantLock();
    /** The catch-up reader waits here for room in the queue or for work. */
    final Condition demand = lock.newCondition();
    /** Whether the listener was told about events that were not all polled yet (edge trigger). */
    private final AtomicBoolean signalled = new AtomicBoolean();

    private volatile PartitionCursor[] cursors = new PartitionCursor[0];
    private int[] partitions = new int[0];
    private long[] positions = new long[0];
    private final ResumeToken requestedPosition;
    private boolean attached;
    private volatile boolean closed;
    private boolean snapshotActive;
    private int queued;
    private int rotation;
    private CatchUpReader reader;
    private boolean awaitingReader;
    private int conflatedInPoll;
    private final List<Queued> collected = new ArrayList<>();

    HubSubscription(KafkaTopicHub hub, SubscriptionRequest request, HubListener listener, FilterSet filters,
                    int capacity) {
        this.hub = hub;
        this.topic = request.topic();
        this.listener = listener;
        this.filters = filters;
        this.capacity = capacity;
        this.requestedPosition = request.start() instanceof StartPosition.FromToken t
                ? t.token() : new ResumeToken(Map.of());
    }

    /** Binds the subscription to its partitions' feeds once its start is known; false when it was closed meanwhile. */
    boolean attach(PartitionFeed[] feeds, StartOffsets.Resolved start) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            int n = feeds.length;
            cursors = new PartitionCursor[n];
            partitions = start.partitions().clone();
            positions = new long[n];
            for (int i = 0; i < n; i++) {
                PartitionFeed feed = feeds[i];
                PartitionCache.FilterSlot slot = null;
                if (filters != null) {
                    slot = feed.cache().acquireSlot(filters);
                }
                long snapshotEnd = start.snapshot() ? start.latest()[i] : PartitionCursor.NO_SNAPSHOT;
                PartitionCursor c = new PartitionCursor(this, partitions[i], i, feed, slot, start.starts()[i],
                        snapshotEnd);
                cursors[i] = c;
                positions[i] = c.nextOffset;
                feed.attach(c);
            }
            snapshotActive = start.snapshot();
            attached = true;
        } finally {
            lock.unlock();
        }
        signal();
        return true;
    }

    @Override
    public List<HubEvent> poll(int max) {
        if (max <= 0) {
            return List.of();
        }
        // sized for a busy poll: growing from a small list was a fifth of a fan-out's CPU
        List<HubEvent> out = new ArrayList<>(Math.min(max, 256));
        boolean more = false;
        int conflated;
        lock.lock();
        try {
            if (closed || !attached) {
                signalled.set(false);
                return out;
            }
            conflatedInPoll = 0;
            int n = cursors.length;
            boolean progress = true;
            while (out.size() < max && progress) {
                progress = false;
                int share = Math.max(1, (max - out.size()) / n);
                for (int k = 0; k < n && out.size() < max; k++) {
                    PartitionCursor c = cursors[(rotation + k) % n];
                    progress |= drain(c, out, Math.min(share, max - out.size()));
                }
                if (snapshotActive && out.size() < max && allSnapshotsReached()) {
                    endSnapshot(out);
                    progress = true;
                }
            }
            rotation = (rotation + 1) % n;
            if (out.size() < max) {
                // everything available was taken: re-arm the edge trigger, then look again for a racing append
                signalled.set(false);
                more = hasMore();
            }
            conflated = conflatedInPoll;
        } finally {
            lock.unlock();
        }
        if (more) {
            signal();
        }
        if (!out.isEmpty()) {
            hub.counters().eventsOut.add(out.size());
        }
        if (conflated > 0) {
            hub.counters().conflated.add(conflated);
        }
        return out;
    }

    private boolean drain(PartitionCursor c, List<HubEvent> out, int quota) {
        switch (c.mode) {
            case SNAPSHOT_WAIT:
                if (!c.snapshotReady()) {
                    return false;
                }
                c.mode = Mode.CACHE;
                drainCache(c, out, quota);
                return true;
            case CATCH_UP:
                return drainQueue(c, out, quota);
            default:
                if (c.nothingNew()) {
                    return false; // nothing appended since this cursor reached the head: no lock needed
                }
                return drainCache(c, out, quota);
        }
    }

    /** Takes the cursor's next events from the shared cache; moves it to a catch-up read when the cache no longer has them. */
    private boolean drainCache(PartitionCursor c, List<HubEvent> out, int quota) {
        if (c.inSnapshot() && c.snapshotReached) {
            return false;
        }
        long before = c.nextOffset;
        collected.clear();
        PartitionCursor.Scan scan = c.scan(collected, quota, capacity);
        conflatedInPoll += c.takeConflated();
        switch (scan) {
            case NOT_POSITIONED:
                return false;
            case BEHIND:
                enterCatchUp(c);
                return true;
            default:
                boolean progressed = scan == PartitionCursor.Scan.SNAPSHOT_REACHED || c.nextOffset != before
                        || !collected.isEmpty();
                emit(c, out);
                return progressed;
        }
    }

    /** Takes the cursor's next events from its catch-up queue; hands it back to the cache when the catch-up got there. */
    private boolean drainQueue(PartitionCursor c, List<HubEvent> out, int quota) {
        collected.clear();
        while (collected.size() < quota && !c.queue.isEmpty()) {
            Queued q = c.queue.poll();
            queued--;
            collected.add(q);
            c.nextOffset = Math.max(c.nextOffset, q.entry().nextOffset);
        }
        int taken = collected.size();
        boolean progressed = taken > 0;
        if (progressed) {
            demand.signalAll();
        }
        if (c.queue.isEmpty()) {
            // everything the catch-up read below its fetch offset was queued (and now taken) or skipped
            c.nextOffset = Math.max(c.nextOffset, c.fetchOffset);
        }
        emit(c, out);
        if (reader == null && c.wantsFetch()) {
            // the reader left while the subscriber was not taking events; it is taking them again
            ensureReader();
        }
        if (!c.queue.isEmpty()) {
            return progressed;
        }
        if (c.handoverAt >= 0) {
            c.nextOffset = Math.max(c.nextOffset, c.handoverAt);
            c.handoverAt = -1;
            c.mode = Mode.CACHE;
            positions[c.index] = c.nextOffset;
            if (quota > taken) {
                drainCache(c, out, quota - taken);
            }
            return true;
        }
        return progressed;
    }

    /** Turns collected entries into events, each carrying the token after it. */
    private void emit(PartitionCursor c, List<HubEvent> out) {
        for (Queued q : collected) {
            CachedEntry e = q.entry();
            positions[c.index] = e.nextOffset;
            ResumeToken next = new ResumeToken(new OffsetVector(partitions, positions.clone()));
            if (e.gap) {
                hub.counters().gaps.increment();
                out.add(new HubEvent.Gap(topic, c.partition, q.from(), e.nextOffset, next));
            } else {
                out.add(new HubEvent.Record(topic, c.partition, e.offset, e.timestamp, e.key, e.value, e.headers,
                        filters == null ? List.of() : filters.matched(q.mask()), next));
            }
        }
        collected.clear();
        positions[c.index] = c.nextOffset;
    }

    private boolean allSnapshotsReached() {
        for (PartitionCursor c : cursors) {
            if (!c.snapshotReached) {
                return false;
            }
        }
        return true;
    }

    private void endSnapshot(List<HubEvent> out) {
        snapshotActive = false;
        for (PartitionCursor c : cursors) {
            c.snapshotEnd = PartitionCursor.NO_SNAPSHOT;
            c.snapshotReached = false;
            positions[c.index] = c.nextOffset;
        }
        out.add(new HubEvent.SnapshotEnd(new ResumeToken(new OffsetVector(partitions, positions.clone()))));
    }

    /** Whether something arrived since the cursors last looked. Lock held. */
    private boolean hasMore() {
        for (PartitionCursor c : cursors) {
            if (c.mode == Mode.CATCH_UP) {
                if (!c.queue.isEmpty() || c.handoverAt >= 0) {
                    return true;
                }
            } else if (!(c.inSnapshot() && c.snapshotReached) && c.cacheChanged()) {
                return true;
            }
        }
        return false;
    }

    private void enterCatchUp(PartitionCursor c) {
        c.mode = Mode.CATCH_UP;
        c.fetchOffset = c.nextOffset;
        c.epoch++;
        c.handoverAt = -1;
        ensureReader();
    }

    /** Starts the catch-up reader, or queues for a reader slot when the hub has none free. Lock held. */
    private void ensureReader() {
        demand.signalAll();
        if (reader != null || awaitingReader || closed) {
            return;
        }
        if (hub.tryAcquireCatchUpPermit()) {
            reader = new CatchUpReader(hub, this);
            reader.start();
        } else {
            awaitingReader = true;
            hub.awaitCatchUpPermit(this);
        }
    }

    /** The hub offers a freed reader slot; true when the subscription took it. */
    boolean permitOffered() {
        lock.lock();
        try {
            awaitingReader = false;
            if (closed || reader != null || !anyWantsFetch()) {
                return false;
            }
            reader = new CatchUpReader(hub, this);
            reader.start();
            return true;
        } finally {
            lock.unlock();
        }
    }

    private boolean anyWantsFetch() {
        for (PartitionCursor c : cursors) {
            if (c.wantsFetch()) {
                return true;
            }
        }
        return false;
    }

    /** What a catch-up reader should fetch now: per cursor index, the offset and the epoch. */
    record Plan(int[] cursorIndexes, long[] offsets, int[] epochs, int[] partitions) {
    }

    /**
     * Blocks until there is something to catch up and room for a batch. Returns null when the reader
     * should stop: the subscription closed, nothing is left to catch up, or the subscriber took
     * nothing for the idle grace (so a stalled subscriber holds no Kafka reader).
     */
    Plan awaitWork(CatchUpReader r, int batch, long idleNanos) throws InterruptedException {
        lock.lock();
        try {
            long deadline = System.nanoTime() + idleNanos;
            while (true) {
                if (closed || reader != r) {
                    return null;
                }
                if (!anyWantsFetch()) {
                    reader = null;
                    return null;
                }
                if (queued + batch <= capacity) {
                    return plan();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    reader = null;
                    return null;
                }
                demand.awaitNanos(Math.min(left, TimeUnit.SECONDS.toNanos(1)));
            }
        } finally {
            lock.unlock();
        }
    }

    private Plan plan() {
        int count = 0;
        for (PartitionCursor c : cursors) {
            if (c.wantsFetch()) {
                count++;
            }
        }
        int[] indexes = new int[count];
        long[] offsets = new long[count];
        int[] epochs = new int[count];
        int[] parts = new int[count];
        int i = 0;
        for (PartitionCursor c : cursors) {
            if (c.wantsFetch()) {
                indexes[i] = c.index;
                offsets[i] = c.fetchOffset;
                epochs[i] = c.epoch;
                parts[i] = c.partition;
                i++;
            }
        }
        return new Plan(indexes, offsets, epochs, parts);
    }

    /**
     * Queues what a catch-up read fetched for one cursor (if the cursor still wants it), and hands the
     * cursor back to the cache once the read reached what the cache holds. Returns whether the
     * subscriber should be told.
     */
    boolean caughtUp(CatchUpReader r, int cursorIndex, int epoch, List<ConsumerRecord<byte[], byte[]>> records,
                     long position) {
        lock.lock();
        try {
            PartitionCursor c = cursors[cursorIndex];
            if (closed || reader != r || c.epoch != epoch || !c.wantsFetch()) {
                return false;
            }
            boolean hadQueue = !c.queue.isEmpty();
            boolean reachedSnapshotEnd = false;
            long now = System.nanoTime();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                if (record.offset() < c.fetchOffset) {
                    continue;
                }
                if (c.inSnapshot() && record.offset() >= c.snapshotEnd) {
                    reachedSnapshotEnd = true;
                    break;
                }
                CachedEntry e = CachedEntry.of(record, now);
                KeyIndex index = c.feed.keyIndex();
                boolean keep = !c.inSnapshot() || !index.intact() || (e.value != null && index.isLatest(e.key, e.offset));
                long mask = 0;
                if (keep && filters != null) {
                    mask = filters.evaluate(e.key, e.headers);
                    keep = mask != 0;
                }
                if (keep) {
                    c.queue.add(new Queued(e, mask, e.offset));
                    queued++;
                }
                c.fetchOffset = e.nextOffset;
            }
            if (!reachedSnapshotEnd) {
                c.fetchOffset = Math.max(c.fetchOffset, position);
            }
            if (c.inSnapshot() && (reachedSnapshotEnd || c.fetchOffset >= c.snapshotEnd)) {
                c.fetchOffset = c.snapshotEnd;
                c.handoverAt = c.snapshotEnd;
            } else if (c.cache.covers(c.fetchOffset)) {
                c.handoverAt = c.fetchOffset;
            }
            return (!hadQueue && !c.queue.isEmpty()) || c.handoverAt >= 0;
        } finally {
            lock.unlock();
        }
    }

    /** Queues a gap: Kafka deleted the records from {@code from} before the catch-up read got there. */
    boolean gap(CatchUpReader r, int cursorIndex, int epoch, long from, long to) {
        lock.lock();
        try {
            PartitionCursor c = cursors[cursorIndex];
            if (closed || reader != r || c.epoch != epoch || !c.wantsFetch() || to <= c.fetchOffset) {
                return false;
            }
            long start = Math.max(from, c.fetchOffset);
            c.queue.add(new Queued(CachedEntry.gap(start, to, System.nanoTime()), 0, start));
            queued++;
            c.fetchOffset = to;
            if (c.inSnapshot() && c.fetchOffset >= c.snapshotEnd) {
                c.handoverAt = Math.max(c.snapshotEnd, to);
            } else if (c.cache.covers(c.fetchOffset)) {
                c.handoverAt = c.fetchOffset;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Moves a cursor past offsets that no longer exist (the partition was truncated). */
    void skipTo(CatchUpReader r, int cursorIndex, int epoch, long offset) {
        lock.lock();
        try {
            PartitionCursor c = cursors[cursorIndex];
            if (!closed && reader == r && c.epoch == epoch && c.wantsFetch()) {
                c.fetchOffset = offset;
                c.handoverAt = offset;
            }
        } finally {
            lock.unlock();
        }
    }

    /** The reader stopped (idle, closed or failed); a later poll starts another if still needed. */
    void readerExited(CatchUpReader r, boolean failed) {
        boolean wake;
        lock.lock();
        try {
            if (reader == r) {
                reader = null;
            }
            wake = failed && !closed;
        } finally {
            lock.unlock();
        }
        if (wake) {
            signal();
        }
    }

    /** Called by a shared reader after it appended or moved; wakes the subscriber if it may have something new. */
    void feedAdvanced(PartitionCursor c, boolean appended, boolean always) {
        if (signalled.get() || closed) {
            return;
        }
        Mode mode = c.mode;
        if (mode == Mode.CATCH_UP) {
            return;
        }
        boolean relevant = always || mode == Mode.SNAPSHOT_WAIT
                || (appended && (c.filterSlot == null || c.filterSlot.matchedLastAppend));
        if (relevant) {
            signal();
        }
    }

    /** Tells the listener that events wait, unless it was told already and has not drained them. */
    void signal() {
        if (!closed && signalled.compareAndSet(false, true)) {
            try {
                listener.eventsAvailable(this);
            } catch (RuntimeException e) {
                LOG.warn("event=hub-listener-failed topic={} error=\"{}\"", topic, e.toString());
            }
        }
    }

    /** Whether the subscriber is behind by more than its queue, or reading from Kafka to catch up. Lock-free estimate. */
    boolean lagging() {
        for (PartitionCursor c : cursors) {
            if (c.mode == Mode.CATCH_UP || c.lag() > capacity) {
                return true;
            }
        }
        return false;
    }

    /** Events held in this subscription's catch-up queues (never more than its capacity plus one gap per partition). */
    int queuedEvents() {
        lock.lock();
        try {
            return queued;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the subscription currently reads from Kafka itself. */
    boolean hasCatchUpReader() {
        lock.lock();
        try {
            return reader != null;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ResumeToken position() {
        lock.lock();
        try {
            if (!attached) {
                return requestedPosition;
            }
            return new ResumeToken(new OffsetVector(partitions, positions.clone()));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public void close() {
        end(null);
    }

    /** Ends the subscription because of the hub or Kafka, telling the listener why. */
    void terminate(Throwable cause) {
        end(cause);
    }

    boolean isClosed() {
        return closed;
    }

    private void end(Throwable cause) {
        PartitionCursor[] detached;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            detached = cursors;
            for (PartitionCursor c : detached) {
                c.feed.detach(c);
                if (c.filterSlot != null) {
                    c.cache.releaseSlot(c.filterSlot);
                }
                c.queue.clear();
            }
            queued = 0;
            reader = null;
            demand.signalAll();
        } finally {
            lock.unlock();
        }
        hub.unregister(this, detached);
        if (cause != null) {
            try {
                listener.closed(this, cause);
            } catch (RuntimeException e) {
                LOG.warn("event=hub-listener-failed topic={} error=\"{}\"", topic, e.toString());
            }
        }
    }
}
