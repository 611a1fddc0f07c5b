package io.wharf.resp.consume;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.wharf.core.kafka.KafkaAccess;
import io.wharf.resp.config.RespSettings;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's Kafka consumer-group member, its records fetched ahead, the clients blocked on
 * it and what they acknowledged.
 *
 * <p>Threads: the {@link KafkaConsumer} is touched only by the thread that owns it: the lifecycle
 * thread that creates it, then one {@link ConsumerPoller}, then the lifecycle thread that closes it,
 * each handing it on through a queue. The connection's event loop takes records, registers
 * waiters and applies acks without waiting for that thread: everything the two share (buffer,
 * waiters, ledger, state) is guarded by {@code stateLock}, held only for a few operations at a time.
 */
public final class ConsumerSession {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerSession.class);
    /** How often a consumer nobody waits on is polled: keeps group membership and the prefetch going. */
    private static final long IDLE_POLL_NANOS = Duration.ofMillis(100).toNanos();
    private static final long FIRST_BACKOFF_NANOS = Duration.ofMillis(1).toNanos();
    /** A client took records this recently: keep fetching ahead as if it were waiting. */
    private static final long ACTIVE_NANOS = Duration.ofSeconds(1).toNanos();

    private enum State { STARTING, RUNNING, FAILED, CLOSED }

    private final String group;
    private final String name;
    private final List<String> topics;
    private final ConsumerOptions options;
    private final ConsumerRuntime runtime;
    private final Map<String, byte[]> topicFields = new HashMap<>();

    // Owned by the thread that owns the consumer (see class comment).
    private KafkaConsumer<byte[], byte[]> consumer;
    private boolean paused;
    private long nextPollNanos;
    private int emptyPolls;
    private long lastCommitNanos = System.nanoTime();
    private long lastRecordsNanos = System.nanoTime() - ACTIVE_NANOS;

    // Guarded by stateLock.
    private final Object stateLock = new Object();
    private final ArrayDeque<ConsumerRecord<byte[], byte[]>> buffer = new ArrayDeque<>();
    private long bufferedBytes;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final AckLedger ledger;
    private final List<CompletableFuture<String>> commitWaiters = new ArrayList<>();
    private State state = State.STARTING;
    private String failure;

    // Signals between the event loop and the poller.
    private volatile boolean pollSoon = true;
    private volatile boolean fetchPaused;
    private volatile long lastTakeNanos;
    private volatile boolean closeRequested;
    private volatile ConsumerPoller poller;

    ConsumerSession(String group, String name, List<String> topics, ConsumerOptions options, ConsumerRuntime runtime) {
        this.group = group;
        this.name = name;
        this.topics = topics;
        this.options = options;
        this.runtime = runtime;
        this.ledger = AckLedger.create(options.ackMode(), runtime.settings().maxUnackedRecords());
        topics.forEach(t -> topicFields.put(t, MessageReply.topicField(t)));
    }

    /** The topics this connection consumes; a connection consumes one set for its whole life. */
    public List<String> topics() {
        return topics;
    }

    /** The settings it was created with. */
    public ConsumerOptions options() {
        return options;
    }

    /** Each topic's constant message prefix, for replies. */
    public Map<String, byte[]> topicFields() {
        return topicFields;
    }

    // ------------------------------------------------------------------ event loop side

    /**
     * Takes up to {@code max} records: at once when some are fetched already, otherwise the waiter
     * completes when records arrive. The caller schedules the waiter's timeout ({@link #expire}).
     */
    public Waiter take(int max) {
        Waiter waiter = new Waiter(max);
        List<ConsumerRecord<byte[], byte[]>> batch = null;
        String refusal = null;
        boolean blocked = false;
        boolean refill = false;
        synchronized (stateLock) {
            if (state == State.FAILED || state == State.CLOSED) {
                refusal = failure == null ? "Consumer is closed" : failure;
            } else if (ledger.room() == 0) {
                refusal = tooManyUnacked();
            } else if (!buffer.isEmpty()) {
                batch = takeLocked(Math.min(max, ledger.room()));
                refill = belowLowWaterLocked();
            } else {
                waiters.add(waiter);
                blocked = waiters.size() == 1;
            }
        }
        lastTakeNanos = System.nanoTime();
        if (refusal != null) {
            waiter.result().completeExceptionally(new ConsumeFailure(refusal));
        } else if (batch != null) {
            handOver(waiter, batch);
            if (fetchPaused && refill) {
                // fetch again before the client has drained what is left
                pollSoon = true;
                wakePoller();
            }
        } else {
            if (blocked) {
                runtime.blockedClients().incrementAndGet();
            }
            pollSoon = true;
            wakePoller();
        }
        return waiter;
    }

    /** The waiter's time ran out: it completes empty unless records reached it first. */
    public void expire(Waiter waiter) {
        boolean removed;
        boolean unblocked = false;
        synchronized (stateLock) {
            removed = waiters.remove(waiter);
            if (removed && waiters.isEmpty()) {
                unblocked = true;
            }
        }
        if (unblocked) {
            runtime.blockedClients().decrementAndGet();
        }
        if (removed) {
            waiter.result().complete(List.of());
        }
    }

    /**
     * Applies acks in order. Completes with null when all were accepted (and, with
     * {@code enable.auto.commit=false}, committed), else with the reason (no {@code CONS} prefix).
     */
    public CompletableFuture<String> ack(List<Ack> acks) {
        CompletableFuture<String> done = new CompletableFuture<>();
        synchronized (stateLock) {
            if (state == State.FAILED || state == State.CLOSED) {
                done.complete(failure == null ? "Consumer is closed" : failure);
                return done;
            }
            for (int i = 0; i < acks.size(); i++) {
                Ack a = acks.get(i);
                if (!topics.contains(a.partition().topic())) {
                    done.complete("This connection does not consume topic '" + a.partition().topic() + "' (it consumes "
                            + String.join(",", topics) + ")" + applied(i));
                    return done;
                }
                String problem = ledger.ack(a.partition(), a.offset());
                if (problem != null) {
                    done.complete(problem + applied(i));
                    return done;
                }
            }
            if (!options.commitEachAck()) {
                done.complete(null);
                return done;
            }
            commitWaiters.add(done);
        }
        pollSoon = true;
        wakePoller();
        return done;
    }

    private static String applied(int before) {
        return before == 0 ? "" : " (the " + before + " acks before it were applied)";
    }

    /** The connection closed: nobody waits any more and the consumer leaves its group after committing acks. */
    public void close() {
        failWaiters("Connection closed", State.CLOSED);
        closeRequested = true;
        wakePoller();
    }

    /** The server is shutting down: waiting clients get Rafka's {@code CONS Server shutdown}. */
    void shutdown() {
        failWaiters("Server shutdown", State.CLOSED);
        closeRequested = true;
        wakePoller();
    }

    /** Why the consumer failed, or null while it is healthy. */
    public String failure() {
        synchronized (stateLock) {
            return state == State.FAILED ? failure : null;
        }
    }

    private String tooManyUnacked() {
        return "Too many unacknowledged records (" + runtime.settings().maxUnackedRecords()
                + ", resp.max-unacked-records); ack some before consuming more";
    }

    // ------------------------------------------------------------------ lifecycle side

    /** Creates and subscribes the consumer (lifecycle thread); false when the connection closed meanwhile. */
    boolean open(KafkaAccess kafka) {
        if (closeRequested) {
            return false;
        }
        RespSettings settings = runtime.settings();
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "wharf-resp-" + name);
        // small hand-overs let the event loop send one part while this poller parses the next; one poll
        // fills at most half the prefetch, so a full buffer overshoots its bound by half at most
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(1, Math.min(2000, settings.prefetchRecords() / 2)));
        if (!configured(kafka, ConsumerConfig.FETCH_MAX_BYTES_CONFIG)) {
            props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, settings.prefetchBytes());
        }
        if (!configured(kafka, ConsumerConfig.RECEIVE_BUFFER_CONFIG)) {
            // poll(0) reads only what the socket holds: with Kafka's 64 KB buffer (or the kernel's
            // slowly growing one) a large fetch would arrive over many polls; a buffer the size of
            // the prefetch lets one or two polls take a whole response (the kernel caps it at rmem_max)
            props.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, Math.max(64 * 1024, Math.min(4 * 1024 * 1024,
                    settings.prefetchBytes())));
        }
        props.putAll(options.kafka());
        // acks are committed by Wharf; Kafka's own auto-commit would commit what was merely fetched
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<byte[], byte[]> created = kafka.newGroupConsumer(group, props);
        try {
            created.subscribe(topics, new Rebalance());
        } catch (RuntimeException e) {
            created.close(CloseOptions.timeout(Duration.ZERO));
            throw e;
        }
        consumer = created;
        synchronized (stateLock) {
            if (state == State.STARTING) {
                state = State.RUNNING;
            }
        }
        return true;
    }

    private static boolean configured(KafkaAccess kafka, String key) {
        return kafka.settings().consumer().containsKey(key) || kafka.settings().properties().containsKey(key);
    }

    /** Commits what was acknowledged, leaves the group and releases the consumer (lifecycle thread). */
    void closeConsumer() {
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c == null) {
            return;
        }
        Duration timeout = runtime.settings().closeTimeout();
        Map<TopicPartition, OffsetAndMetadata> offsets;
        synchronized (stateLock) {
            offsets = ledger.takeCommits();
        }
        try {
            if (!offsets.isEmpty()) {
                c.commitSync(offsets, timeout);
                runtime.stats().committed(false);
            }
        } catch (RuntimeException e) {
            runtime.stats().committed(true);
            LOG.warn("event=resp-commit-on-close-failed group={} client={} offsets={} error=\"{}\"", group, name,
                    offsets, e.getMessage());
        }
        try {
            // leaving the group runs the rebalance listener once more, on this thread
            c.close(CloseOptions.timeout(timeout));
        } catch (RuntimeException e) {
            LOG.warn("event=resp-consumer-close-failed group={} client={} error=\"{}\"", group, name, e.getMessage());
        }
        consumer = null;
    }

    /** The consumer could not be created or stopped working: waiting clients get the reason. */
    void fail(String reason) {
        LOG.warn("event=resp-consumer-failed group={} client={} topics={} error=\"{}\"", group, name, topics, reason);
        failWaiters(reason, State.FAILED);
        closeRequested = true;
        wakePoller();
    }

    private void failWaiters(String reason, State next) {
        List<Waiter> failed;
        List<CompletableFuture<String>> commits;
        synchronized (stateLock) {
            if (state == State.CLOSED || state == State.FAILED) {
                return;
            }
            state = next;
            failure = reason;
            failed = new ArrayList<>(waiters);
            waiters.clear();
            commits = new ArrayList<>(commitWaiters);
            commitWaiters.clear();
            buffer.clear();
            bufferedBytes = 0;
        }
        if (!failed.isEmpty()) {
            runtime.blockedClients().decrementAndGet();
        }
        failed.forEach(w -> w.result().completeExceptionally(new ConsumeFailure(reason)));
        commits.forEach(c -> c.complete(reason));
    }

    // ------------------------------------------------------------------ poller side

    void attach(ConsumerPoller owner) {
        this.poller = owner;
    }

    private void wakePoller() {
        ConsumerPoller p = poller;
        if (p != null) {
            p.wake();
        }
    }

    boolean closeRequested() {
        return closeRequested;
    }

    /** Whether this session wants a poll now. */
    boolean due(long now) {
        return pollSoon || now - nextPollNanos >= 0;
    }

    long nextPollNanos() {
        return pollSoon ? System.nanoTime() : nextPollNanos;
    }

    /** One non-blocking round: flow control, {@code poll(0)}, hand records to waiters, commit acks. */
    void pollOnce(long now) {
        pollSoon = false;
        RespSettings settings = runtime.settings();
        boolean full;
        synchronized (stateLock) {
            // pause when the buffer is full, resume once it is half empty
            full = paused ? !belowLowWaterLocked()
                    : buffer.size() >= settings.prefetchRecords() || bufferedBytes >= settings.prefetchBytes();
        }
        if (full != paused) {
            // a full buffer pauses fetching, so a client that stops reading costs no more memory
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
        boolean waiting;
        if (count > 0) {
            waiting = deliver(records);
        } else {
            synchronized (stateLock) {
                waiting = !waiters.isEmpty();
            }
        }
        commitIfDue(now);
        if (count > 0) {
            lastRecordsNanos = now;
        }
        // records flow (a client took some, or some arrived, within the last second): the next fetch
        // response may be arriving right now, so look often; poll(0) is cheap next to a late batch
        boolean active = now - lastTakeNanos < ACTIVE_NANOS || now - lastRecordsNanos < ACTIVE_NANOS;
        if (count > 0 && !full) {
            emptyPolls = 0;
            nextPollNanos = now;
        } else if (!full && active && (waiting || now - lastTakeNanos < ACTIVE_NANOS)) {
            emptyPolls = 0;
            nextPollNanos = now + FIRST_BACKOFF_NANOS;
        } else if (waiting) {
            // a blocked client and nothing arriving: back off up to resp.poll-backoff
            emptyPolls = Math.min(emptyPolls + 1, 20);
            long backoff = Math.min(settings.pollBackoff().toNanos(), FIRST_BACKOFF_NANOS << Math.min(emptyPolls - 1, 10));
            nextPollNanos = now + backoff;
        } else {
            emptyPolls = 0;
            nextPollNanos = now + IDLE_POLL_NANOS;
        }
    }

    /** Buffers fetched records and serves waiting clients; returns whether clients still wait. */
    private boolean deliver(ConsumerRecords<byte[], byte[]> records) {
        List<Waiter> served = new ArrayList<>();
        List<List<ConsumerRecord<byte[], byte[]>>> batches = new ArrayList<>();
        List<Waiter> refused = new ArrayList<>();
        boolean stillWaiting;
        boolean unblocked = false;
        synchronized (stateLock) {
            if (state != State.RUNNING) {
                return false;
            }
            for (ConsumerRecord<byte[], byte[]> r : records) {
                buffer.add(r);
                bufferedBytes += size(r);
            }
            while (!waiters.isEmpty() && !buffer.isEmpty()) {
                Waiter w = waiters.poll();
                int room = ledger.room();
                if (room == 0) {
                    refused.add(w);
                } else {
                    served.add(w);
                    batches.add(takeLocked(Math.min(w.max(), room)));
                }
            }
            stillWaiting = !waiters.isEmpty();
            unblocked = (!served.isEmpty() || !refused.isEmpty()) && !stillWaiting;
        }
        if (unblocked) {
            runtime.blockedClients().decrementAndGet();
        }
        for (int i = 0; i < served.size(); i++) {
            handOver(served.get(i), batches.get(i));
        }
        refused.forEach(w -> w.result().completeExceptionally(new ConsumeFailure(tooManyUnacked())));
        return stillWaiting;
    }

    private boolean belowLowWaterLocked() {
        RespSettings settings = runtime.settings();
        return buffer.size() <= settings.prefetchRecords() / 2 && bufferedBytes <= settings.prefetchBytes() / 2;
    }

    private List<ConsumerRecord<byte[], byte[]>> takeLocked(int max) {
        int n = Math.min(max, buffer.size());
        List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>(n);
        boolean each = ledger.tracksEachRecord();
        TopicPartition tp = null;
        long runMax = -1;
        for (int i = 0; i < n; i++) {
            ConsumerRecord<byte[], byte[]> r = buffer.poll();
            bufferedBytes -= size(r);
            // a run of one partition shares one key object and, for cumulative acks, one ledger entry
            if (tp == null || tp.partition() != r.partition() || !tp.topic().equals(r.topic())) {
                if (tp != null && !each) {
                    ledger.delivered(tp, runMax);
                }
                tp = new TopicPartition(r.topic(), r.partition());
                runMax = -1;
            }
            if (each) {
                ledger.delivered(tp, r.offset());
            }
            runMax = Math.max(runMax, r.offset());
            batch.add(r);
        }
        if (tp != null && !each) {
            ledger.delivered(tp, runMax);
        }
        return batch;
    }

    private void handOver(Waiter waiter, List<ConsumerRecord<byte[], byte[]>> batch) {
        runtime.consumed(batch.size());
        waiter.result().complete(batch);
    }

    private void commitIfDue(long now) {
        Map<TopicPartition, OffsetAndMetadata> offsets = null;
        List<CompletableFuture<String>> waiting = List.of();
        synchronized (stateLock) {
            boolean requested = !commitWaiters.isEmpty();
            if (requested || now - lastCommitNanos >= options.commitInterval().toNanos()) {
                lastCommitNanos = now;
                if (ledger.dirty()) {
                    offsets = ledger.takeCommits();
                }
                waiting = new ArrayList<>(commitWaiters);
                commitWaiters.clear();
            }
        }
        if (offsets == null || offsets.isEmpty()) {
            waiting.forEach(w -> w.complete(null));
            return;
        }
        List<CompletableFuture<String>> answer = waiting;
        Map<TopicPartition, OffsetAndMetadata> committing = offsets;
        consumer.commitAsync(committing, (done, error) -> {
            runtime.stats().committed(error != null);
            if (error != null) {
                synchronized (stateLock) {
                    ledger.commitFailed(committing);
                }
                LOG.warn("event=resp-commit-failed group={} client={} offsets={} error=\"{}\"", group, name, committing,
                        error.getMessage());
                answer.forEach(w -> w.complete("Commit failed: " + error.getMessage()));
            } else {
                answer.forEach(w -> w.complete(null));
            }
        });
    }

    private static long size(ConsumerRecord<byte[], byte[]> r) {
        return 64L + Math.max(0, r.serializedKeySize()) + Math.max(0, r.serializedValueSize());
    }

    /** Keeps the ledger and the buffer in step with the partitions Kafka gives this member (poller thread, inside poll). */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> offsets;
            synchronized (stateLock) {
                offsets = ledger.takeCommits();
                dropLocked(partitions);
            }
            if (!offsets.isEmpty()) {
                try {
                    consumer.commitSync(offsets, runtime.settings().closeTimeout());
                    runtime.stats().committed(false);
                } catch (RuntimeException e) {
                    runtime.stats().committed(true);
                    LOG.warn("event=resp-commit-on-revoke-failed group={} client={} offsets={} error=\"{}\"", group,
                            name, offsets, e.getMessage());
                }
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            synchronized (stateLock) {
                dropLocked(partitions);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            synchronized (stateLock) {
                ledger.assigned(partitions);
            }
            if (paused) {
                consumer.pause(partitions);
            }
            LOG.debug("group={} client={} assigned={}", group, name, partitions);
        }

        private void dropLocked(Collection<TopicPartition> partitions) {
            ledger.revoked(partitions);
            // fetched-ahead records of those partitions belong to their next owner now
            for (Iterator<ConsumerRecord<byte[], byte[]>> it = buffer.iterator(); it.hasNext(); ) {
                ConsumerRecord<byte[], byte[]> r = it.next();
                if (partitions.contains(new TopicPartition(r.topic(), r.partition()))) {
                    bufferedBytes -= size(r);
                    it.remove();
                }
            }
        }
    }

    /**
     * One acknowledgement.
     *
     * @param partition the record's topic and partition
     * @param offset    its offset
     */
    public record Ack(TopicPartition partition, long offset) {
    }

    @Override
    public String toString() {
        return "ConsumerSession[" + group + ":" + name + " " + topics + "]";
    }
}
