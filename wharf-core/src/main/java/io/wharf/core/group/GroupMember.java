package io.wharf.core.group;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import io.wharf.core.kafka.RetryBackoff;
import io.wharf.core.logging.LogValue;
import io.wharf.core.logging.WarningThrottle;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka consumer-group member serving one door client: records cross from the poller thread to
 * the door through a queue bounded by count and bytes; when it is full the member pauses its
 * partitions (and keeps polling, so it stays in its group) and resumes once the door took half.
 * Commits may be asked for from any thread: they are queued to the poller thread and their
 * outcome is handed back through a future.
 *
 * <p>Threads: the {@link KafkaConsumer} is touched only by the thread that owns it: the lifecycle
 * thread that creates it, then one {@link MemberPoller}, then the lifecycle thread that closes it,
 * each handing it on through a queue. Doors call {@link #take}, {@link #commit}, {@link #pollSoon}
 * and {@link #close} from any thread; the queue they share with the poller is guarded by
 * {@code queueLock}, the rest are volatile signals or concurrent queues. The member never calls its
 * listener while holding {@code queueLock}, so a door may call {@link #take} under its own lock.
 */
public final class GroupMember {
    private static final Logger LOG = LoggerFactory.getLogger(GroupMember.class);
    // one line per interval for every member together: an outage fails every member's commits at once
    private static final WarningThrottle COMMIT_FAILED_WARNINGS = new WarningThrottle(Duration.ofSeconds(5));
    private static final WarningThrottle MEMBER_FAILED_WARNINGS = new WarningThrottle(Duration.ofSeconds(5));
    private static final Duration FIRST_COMMIT_RETRY = Duration.ofMillis(100);
    private static final Duration MAX_COMMIT_RETRY = Duration.ofSeconds(5);
    /** How often a member nobody waits on is polled: keeps group membership and the prefetch going. */
    private static final long IDLE_POLL_NANOS = Duration.ofMillis(100).toNanos();
    private static final long FIRST_BACKOFF_NANOS = Duration.ofMillis(1).toNanos();
    /** The door took records (or records arrived) this recently: keep fetching ahead as if it were waiting. */
    private static final long ACTIVE_NANOS = Duration.ofSeconds(1).toNanos();

    /** A commit asked for and the future its outcome completes. */
    private record PendingCommit(Map<TopicPartition, OffsetAndMetadata> offsets, CompletableFuture<Void> done) {
    }

    private final MemberSpec spec;
    private final MemberListener listener;
    private final GroupRuntime runtime;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    // Owned by the thread that owns the consumer (see class comment).
    private KafkaConsumer<byte[], byte[]> consumer;
    private boolean paused;
    private long nextPollNanos;
    private int emptyPolls;
    // after a failed commit, the next ones wait 100 ms doubling to 5 s, so a door retrying at once cannot spin
    private final RetryBackoff commitBackoff = new RetryBackoff(FIRST_COMMIT_RETRY, MAX_COMMIT_RETRY);
    private long lastRecordsNanos = System.nanoTime() - ACTIVE_NANOS;

    // Guarded by queueLock.
    private final Object queueLock = new Object();
    private final ArrayDeque<ConsumerRecord<byte[], byte[]>> queue = new ArrayDeque<>();
    private long queuedBytes;

    // Between the doors and the poller.
    private final ConcurrentLinkedQueue<PendingCommit> commits = new ConcurrentLinkedQueue<>();
    private volatile boolean pollSoon = true;
    private volatile boolean fetchPaused;
    private volatile long lastTakeNanos = System.nanoTime() - ACTIVE_NANOS;
    private volatile boolean closeRequested;
    private volatile boolean failed;
    private volatile boolean finished;
    private volatile MemberPoller poller;

    GroupMember(MemberSpec spec, MemberListener listener, GroupRuntime runtime) {
        this.spec = spec;
        this.listener = listener;
        this.runtime = runtime;
    }

    // ------------------------------------------------------------------ door side (any thread)

    /**
     * Takes up to {@code max} queued records, at least one if any is queued and then up to
     * {@code maxBytes} (estimated as in the queue's bound); never waits.
     */
    public List<ConsumerRecord<byte[], byte[]>> take(int max, long maxBytes) {
        lastTakeNanos = System.nanoTime();
        List<ConsumerRecord<byte[], byte[]>> out;
        boolean refill;
        synchronized (queueLock) {
            int n = Math.min(max, queue.size());
            if (n == 0) {
                return List.of();
            }
            out = new ArrayList<>(n);
            long bytes = 0;
            while (out.size() < n && bytes < maxBytes) {
                ConsumerRecord<byte[], byte[]> r = queue.poll();
                long size = size(r);
                queuedBytes -= size;
                bytes += size;
                out.add(r);
            }
            refill = fetchPaused && belowLowWaterLocked();
        }
        if (refill) {
            // fetch again before the door has drained what is left
            pollSoon();
        }
        return out;
    }

    /**
     * Starts the member once {@code check} (the door's own, e.g. that its topics exist) succeeded:
     * its consumer is created on a lifecycle thread and handed to the least loaded poller. The door
     * may take, commit and close at once; if starting fails its listener hears why. Call once.
     */
    public GroupMember start(CompletionStage<?> check) {
        runtime.start(this, check);
        return this;
    }

    /** Whether records are queued. */
    public boolean hasQueued() {
        synchronized (queueLock) {
            return !queue.isEmpty();
        }
    }

    /** Asks for a poll round now (e.g. the door started waiting for records). */
    public void pollSoon() {
        pollSoon = true;
        MemberPoller p = poller;
        if (p != null) {
            p.wake();
        }
    }

    /**
     * Commits offsets (each the next offset to read) on the poller thread, or before the consumer
     * closes when the member is closing. The future completes on that thread: exceptionally with
     * {@link NotAssignedException} when a rebalance took a partition away (subscribe mode), with
     * Kafka's error, or with {@link IllegalStateException} when the member had closed already.
     */
    public CompletableFuture<Void> commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (offsets.isEmpty()) {
            done.complete(null);
            return done;
        }
        commits.add(new PendingCommit(Map.copyOf(offsets), done));
        if (finished) {
            failLeftoverCommits();
        } else {
            pollSoon();
        }
        return done;
    }

    /**
     * Closes the member: its poller lets go of it and a lifecycle thread runs the commits asked for
     * so far, the listener's last ones, then closes the consumer (leaving the group), each within
     * the close timeout. Idempotent; never waits.
     */
    public void close() {
        closeRequested = true;
        MemberPoller p = poller;
        if (p != null) {
            p.wake();
        }
    }

    /** Completes when the consumer has closed (or was never created). */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    /** The spec it runs. */
    public MemberSpec spec() {
        return spec;
    }

    // ------------------------------------------------------------------ lifecycle side

    /** Creates the consumer and starts reading (lifecycle thread); false when the member was closed meanwhile. */
    boolean open() {
        if (closeRequested) {
            return false;
        }
        KafkaConsumer<byte[], byte[]> created = spec.consumer().get();
        try {
            if (spec.reading() instanceof MemberReading.Subscribe s) {
                created.subscribe(s.topics(), new Rebalance());
            } else if (spec.reading() instanceof MemberReading.Assign a) {
                created.assign(List.of(a.partition()));
                if (a.offset() != null) {
                    created.seek(a.partition(), a.offset());
                }
            }
        } catch (RuntimeException e) {
            created.close(CloseOptions.timeout(Duration.ZERO));
            throw e;
        }
        consumer = created;
        if (spec.reading() instanceof MemberReading.Assign a) {
            listener.assigned(List.of(a.partition()));
        }
        return true;
    }

    /** Runs the commits asked for, then the listener's last ones, then closes the consumer (lifecycle thread). */
    void closeConsumer() {
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c == null) {
            return;
        }
        Duration timeout = spec.closeTimeout();
        // commits asked for just before the close must reach Kafka before the consumer goes
        PendingCommit pending;
        while ((pending = commits.poll()) != null) {
            commitSync(c, pending.offsets(), pending.done(), timeout, "close");
        }
        Map<TopicPartition, OffsetAndMetadata> last = Map.of();
        try {
            last = listener.closing();
        } catch (RuntimeException e) {
            LOG.warn("event=member-closing-callback-failed member={} error=\"{}\"", spec.name(), e.toString());
        }
        if (!last.isEmpty()) {
            commitSync(c, last, null, timeout, "close");
        } else {
            // an empty commitSync waits for commits sent asynchronously by the poller and runs their
            // callbacks, which close() alone may not: their futures would never complete
            commitSync(c, Map.of(), null, timeout, "close");
        }
        try {
            // leaving the group runs the rebalance listener once more, on this thread
            c.close(CloseOptions.timeout(timeout));
        } catch (RuntimeException e) {
            LOG.warn("event=member-close-failed member={} error=\"{}\"", spec.name(), e.getMessage());
        }
        consumer = null;
    }

    private void commitSync(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, OffsetAndMetadata> offsets,
                            CompletableFuture<Void> done, Duration timeout, String when) {
        if (offsets.isEmpty()) {
            try {
                c.commitSync(offsets, timeout);
            } catch (RuntimeException e) {
                LOG.debug("member={} pending async commits at close: {}", spec.name(), e.toString());
            }
            return;
        }
        RuntimeException error = null;
        try {
            c.commitSync(offsets, timeout);
        } catch (RuntimeException e) {
            error = e;
            long suppressed = COMMIT_FAILED_WARNINGS.admit();
            if (suppressed >= 0) {
                LOG.warn("event=member-commit-failed member={} on={} offsets={} error=\"{}\" suppressed={}", spec.name(),
                        when, offsets, e.getMessage(), suppressed);
            }
        }
        committed(offsets, error);
        if (done != null) {
            if (error == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(error);
            }
        }
    }

    private void committed(Map<TopicPartition, OffsetAndMetadata> offsets, Throwable error) {
        try {
            listener.committed(offsets, error);
        } catch (RuntimeException e) {
            LOG.warn("event=member-committed-callback-failed member={} error=\"{}\"", spec.name(), e.toString());
        }
    }

    /** The member stopped (or never started): later commits fail and {@link #closed} completes. */
    void finish() {
        finished = true;
        failLeftoverCommits();
        closed.complete(null);
    }

    private void failLeftoverCommits() {
        PendingCommit left;
        while ((left = commits.poll()) != null) {
            left.done().completeExceptionally(new IllegalStateException("the consumer is closed"));
        }
    }

    /** Starting or polling failed: the listener hears once, and the member closes. */
    void fail(MemberFailure.Stage stage, Throwable cause) {
        if (failed) {
            return;
        }
        failed = true;
        long suppressed = MEMBER_FAILED_WARNINGS.admit();
        if (suppressed >= 0) {
            // clients start members at will (e.g. on a topic or group Kafka's ACLs refuse): one line per interval
            LOG.warn("event=member-failed member={} stage={} error=\"{}\" suppressed={}", LogValue.of(spec.name()), stage,
                    LogValue.of(cause.toString()), suppressed);
        }
        closeRequested = true;
        try {
            listener.failed(new MemberFailure(stage, cause));
        } catch (RuntimeException e) {
            LOG.warn("event=member-failed-callback-failed member={} error=\"{}\"", spec.name(), e.toString());
        }
    }

    // ------------------------------------------------------------------ poller side

    void attach(MemberPoller owner) {
        this.poller = owner;
    }

    void detach() {
        this.poller = null;
    }

    boolean closeRequested() {
        return closeRequested;
    }

    /** Whether this member wants a poll now. */
    boolean due(long now) {
        return pollSoon || now - nextPollNanos >= 0;
    }

    long nextPollNanos() {
        return pollSoon ? System.nanoTime() : nextPollNanos;
    }

    /** One non-blocking round: flow control, {@code poll(0)}, hand records to the door, run commits. */
    void pollOnce(long now) {
        pollSoon = false;
        boolean full;
        synchronized (queueLock) {
            // pause when the queue is full, resume once it is half empty
            full = paused ? !belowLowWaterLocked() : queue.size() >= spec.maxRecords() || queuedBytes >= spec.maxBytes();
        }
        if (full != paused) {
            // a full queue pauses fetching, so a door client that stops reading costs no more memory
            if (full) {
                consumer.pause(consumer.assignment());
            } else {
                consumer.resume(consumer.paused());
            }
            paused = full;
            fetchPaused = full;
        }
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ZERO);
        int count = records.count();
        if (count > 0) {
            synchronized (queueLock) {
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    queue.add(r);
                    queuedBytes += size(r);
                }
            }
            listener.recordsAvailable();
            lastRecordsNanos = now;
        }
        boolean waiting = listener.waiting();
        listener.polled(now);
        runCommits();
        // records flow (the door took some, or some arrived, within the last second): the next fetch
        // response may be arriving right now, so look often; poll(0) is cheap next to a late batch
        long lastTake = lastTakeNanos;
        boolean active = now - lastTake < ACTIVE_NANOS || now - lastRecordsNanos < ACTIVE_NANOS;
        if (count > 0 && !full) {
            emptyPolls = 0;
            nextPollNanos = now;
        } else if (!full && active && (waiting || now - lastTake < ACTIVE_NANOS)) {
            emptyPolls = 0;
            nextPollNanos = now + FIRST_BACKOFF_NANOS;
        } else if (waiting) {
            // waited on and nothing arriving: back off up to the poll backoff
            emptyPolls = Math.min(emptyPolls + 1, 20);
            long backoff = Math.min(spec.pollBackoff().toNanos(), FIRST_BACKOFF_NANOS << Math.min(emptyPolls - 1, 10));
            nextPollNanos = now + backoff;
        } else {
            emptyPolls = 0;
            nextPollNanos = now + IDLE_POLL_NANOS;
        }
    }

    private void runCommits() {
        if (commitBackoff.remainingNanos() > 0) {
            return; // the last commit failed (Kafka away?): queued commits wait out the backoff
        }
        PendingCommit pending;
        while ((pending = commits.poll()) != null) {
            Map<TopicPartition, OffsetAndMetadata> offsets = pending.offsets();
            CompletableFuture<Void> done = pending.done();
            if (spec.reading() instanceof MemberReading.Subscribe && !consumer.assignment().containsAll(offsets.keySet())) {
                Set<TopicPartition> gone = new HashSet<>(offsets.keySet());
                gone.removeAll(consumer.assignment());
                NotAssignedException e = new NotAssignedException(gone);
                committed(offsets, e);
                done.completeExceptionally(e);
                continue;
            }
            consumer.commitAsync(offsets, (ok, error) -> {
                // the callback runs inside poll, on the poller thread that owns commitBackoff
                if (error != null) {
                    Duration retryIn = commitBackoff.failed();
                    long suppressed = COMMIT_FAILED_WARNINGS.admit();
                    if (suppressed >= 0) {
                        LOG.warn("event=member-commit-failed member={} offsets={} error=\"{}\" retry-in={}ms suppressed={}",
                                spec.name(), offsets, error.getMessage(), retryIn.toMillis(), suppressed);
                    }
                } else {
                    commitBackoff.succeeded();
                }
                committed(offsets, error);
                if (error == null) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(error);
                }
            });
        }
    }

    private boolean belowLowWaterLocked() {
        return queue.size() <= spec.maxRecords() / 2 && queuedBytes <= spec.maxBytes() / 2;
    }

    /** The estimate a queued record counts for against the byte bound. */
    public static long size(ConsumerRecord<byte[], byte[]> r) {
        return 64L + Math.max(0, r.serializedKeySize()) + Math.max(0, r.serializedValueSize());
    }

    /** Keeps the queue in step with the partitions Kafka gives this member (poller thread, inside poll). */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            drop(partitions);
            if (partitions.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = listener.revoked(List.copyOf(partitions));
            if (!offsets.isEmpty()) {
                commitSync(consumer, offsets, null, spec.closeTimeout(), "revoke");
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            drop(partitions);
            if (!partitions.isEmpty()) {
                listener.lost(List.copyOf(partitions));
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (paused) {
                consumer.pause(partitions);
            }
            if (!partitions.isEmpty()) {
                listener.assigned(List.copyOf(partitions));
            }
            LOG.debug("member={} assigned={}", spec.name(), partitions);
        }

        private void drop(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            // fetched-ahead records of those partitions belong to their next owner now
            synchronized (queueLock) {
                for (Iterator<ConsumerRecord<byte[], byte[]>> it = queue.iterator(); it.hasNext(); ) {
                    ConsumerRecord<byte[], byte[]> r = it.next();
                    if (partitions.contains(new TopicPartition(r.topic(), r.partition()))) {
                        queuedBytes -= size(r);
                        it.remove();
                    }
                }
            }
        }
    }

    @Override
    public String toString() {
        return "GroupMember[" + spec.name() + "]";
    }
}
