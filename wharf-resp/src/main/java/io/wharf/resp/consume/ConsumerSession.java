package io.wharf.resp.consume;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import io.wharf.core.access.StreamScope;
import io.wharf.core.hub.HubEvent;
import io.wharf.core.logging.LogValue;
import io.wharf.core.logging.WarningThrottle;
import io.wharf.core.group.GroupMember;
import io.wharf.core.group.MemberFailure;
import io.wharf.core.group.MemberListener;
import io.wharf.core.group.MemberReading;
import io.wharf.core.group.MemberSpec;
import io.wharf.core.kafka.Causes;
import io.wharf.core.kafka.KafkaAccess;
import io.wharf.core.kafka.KafkaFailures;
import io.wharf.core.kafka.UnknownTopicException;
import io.wharf.resp.config.RespSettings;
import io.wharf.resp.protocol.RespValue;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's Kafka consumer-group member (a core {@link GroupMember}), the clients blocked
 * on it and what they acknowledged.
 *
 * <p>Threads: the member's poller thread commits acks, runs the rebalance callbacks and, when
 * records arrive for waiting clients, asks the connection's event loop to serve them; the event
 * loop takes records, registers and serves waiters and applies acks without waiting for that
 * thread. Waiters are served only while the connection's {@link Outlet} has room, so a client that
 * does not read its replies leaves records in the bounded prefetch buffer instead of in its output. Everything the two share (waiters, ledger, state)
 * is guarded by {@code stateLock}, held only for a few operations at a time; records are taken from
 * the member's queue under it, so a record and its ledger entry move together.
 */
public final class ConsumerSession {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerSession.class);
    private static final WarningThrottle FAILED_WARNINGS = new WarningThrottle(Duration.ofSeconds(5));

    private enum State { LIVE, FAILED, CLOSED }

    private final String group;
    private final String name;
    private final List<String> topics;
    private final ConsumerOptions options;
    // per topic, the records the principal may receive; a topic absent is unrestricted
    private final Map<String, StreamScope> scopes;
    private final ConsumerRuntime runtime;
    private final Map<String, byte[]> topicFields = new HashMap<>();
    private final GroupMember member;
    private final Outlet outlet;
    // one serving task queued on the event loop at a time
    private final AtomicBoolean serveQueued = new AtomicBoolean();
    // Event loop only: serve() runs, and a reply it completes may call it again
    private boolean serving;

    // Poller thread only.
    private long lastCommitNanos = System.nanoTime();

    // Guarded by stateLock.
    private final Object stateLock = new Object();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final AckLedger ledger;
    private final List<CompletableFuture<String>> commitWaiters = new ArrayList<>();
    private State state = State.LIVE;
    private String failure;

    ConsumerSession(String group, String name, List<String> topics, ConsumerOptions options,
                    Map<String, StreamScope> scopes, ConsumerRuntime runtime, Outlet outlet) {
        this.group = group;
        this.scopes = Map.copyOf(scopes);
        this.outlet = outlet;
        this.name = name;
        this.topics = topics;
        this.options = options;
        this.runtime = runtime;
        this.ledger = AckLedger.create(options.ackMode(), runtime.settings().maxUnackedRecords());
        topics.forEach(t -> topicFields.put(t, MessageReply.topicField(t)));
        RespSettings settings = runtime.settings();
        KafkaAccess kafka = runtime.kafka();
        MemberSpec spec = new MemberSpec("resp " + group + ":" + name + " " + topics, () -> newConsumer(kafka),
                new MemberReading.Subscribe(topics), settings.prefetchRecords(), settings.prefetchBytes(),
                settings.pollBackoff(), settings.closeTimeout());
        this.member = runtime.groups().member(spec, new Events());
    }

    /** Starts the member once the topics are known to exist. */
    void start() {
        CompletableFuture<?>[] checks = topics.stream().map(runtime.kafka()::topic).toArray(CompletableFuture[]::new);
        member.start(CompletableFuture.allOf(checks));
    }

    /** The topics this connection consumes; a connection consumes one set for its whole life. */
    public List<String> topics() {
        return topics;
    }

    /** Per topic, the records the principal may receive; topics absent are unrestricted. */
    public Map<String, StreamScope> scopes() {
        return scopes;
    }

    /** {@code BLPOP}'s reply: one record in this consumer's message format. */
    public RespValue reply(ConsumerRecord<byte[], byte[]> record) {
        return MessageReply.single(record, options.format(), topicFields);
    }

    /** {@code BLMPOP}'s reply: {@code [key, [message, ...]]} in this consumer's message format. */
    public RespValue reply(byte[] key, List<ConsumerRecord<byte[], byte[]>> records) {
        return MessageReply.batch(key, records, options.format(), topicFields);
    }

    // ------------------------------------------------------------------ event loop side

    /**
     * Takes up to {@code max} records: at once when some are fetched already and the connection has
     * room for them, otherwise the waiter completes when records arrive and there is room (waiters
     * are served in order). The caller schedules the waiter's timeout ({@link #expire}).
     */
    public Waiter take(int max) {
        Waiter waiter = new Waiter(max);
        List<ConsumerRecord<byte[], byte[]>> batch = null;
        String refusal = null;
        boolean blocked = false;
        synchronized (stateLock) {
            if (state != State.LIVE) {
                refusal = failure == null ? "Consumer is closed" : failure;
            } else if (ledger.room() == 0) {
                refusal = tooManyUnacked();
            } else {
                batch = waiters.isEmpty() && outlet.hasRoom() ? takeLocked(Math.min(max, ledger.room())) : List.of();
                if (batch.isEmpty()) {
                    batch = null;
                    waiters.add(waiter);
                    blocked = waiters.size() == 1;
                }
            }
        }
        if (refusal != null) {
            waiter.result().completeExceptionally(new ConsumeFailure(refusal));
        } else if (batch != null) {
            handOver(waiter, batch);
        } else {
            if (blocked) {
                runtime.blockedClients().incrementAndGet();
            }
            member.pollSoon();
        }
        return waiter;
    }

    /**
     * Serves waiting clients from the member's queue, in order, while the connection has room
     * (event loop). The connection calls it when room frees up; the poller asks for it when records
     * arrive.
     */
    public void serve() {
        serveQueued.set(false);
        if (serving) {
            return;
        }
        serving = true;
        try {
            while (outlet.hasRoom()) {
                Waiter served = null;
                Waiter refused = null;
                List<ConsumerRecord<byte[], byte[]>> batch = null;
                boolean unblocked;
                synchronized (stateLock) {
                    if (state != State.LIVE || waiters.isEmpty()) {
                        return;
                    }
                    int room = ledger.room();
                    if (room == 0) {
                        if (!member.hasQueued()) {
                            return;
                        }
                        refused = waiters.poll();
                    } else {
                        batch = takeLocked(Math.min(waiters.peek().max(), room));
                        if (batch.isEmpty()) {
                            return;
                        }
                        served = waiters.poll();
                    }
                    unblocked = waiters.isEmpty();
                }
                if (unblocked) {
                    runtime.blockedClients().decrementAndGet();
                }
                if (served != null) {
                    // the reply is written at once (the connection said it has room), so the loop sees its size
                    handOver(served, batch);
                } else {
                    refused.result().completeExceptionally(new ConsumeFailure(tooManyUnacked()));
                }
            }
        } finally {
            serving = false;
        }
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
            if (state != State.LIVE) {
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
        member.pollSoon();
        return done;
    }

    private static String applied(int before) {
        return before == 0 ? "" : " (the " + before + " acks before it were applied)";
    }

    /** The connection closed: nobody waits any more and the consumer leaves its group after committing acks. */
    public void close() {
        failWaiters("Connection closed", State.CLOSED);
        member.close();
    }

    /** The server is shutting down: waiting clients get Rafka's {@code CONS Server shutdown}. */
    void shutdown() {
        failWaiters("Server shutdown", State.CLOSED);
        member.close();
    }

    /** Completes when the consumer has closed (or was never created). */
    CompletableFuture<Void> closed() {
        return member.closed();
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

    /** Creates the consumer (a lifecycle thread, through the member). */
    private KafkaConsumer<byte[], byte[]> newConsumer(KafkaAccess kafka) {
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
        return kafka.newGroupConsumer(group, props);
    }

    private static boolean configured(KafkaAccess kafka, String key) {
        return kafka.settings().consumer().containsKey(key) || kafka.settings().properties().containsKey(key);
    }

    /** The consumer could not be created or stopped working: waiting clients get the reason. */
    private void fail(String reason) {
        long suppressed = FAILED_WARNINGS.admit();
        if (suppressed >= 0) {
            // a client can fail a consumer at will (a refused topic or group), so at most one line per interval
            LOG.warn("event=resp-consumer-failed group={} client={} topics={} error=\"{}\" suppressed={}", LogValue.of(group),
                    LogValue.of(name), LogValue.of(topics), LogValue.of(reason), suppressed);
        }
        failWaiters(reason, State.FAILED);
    }

    private void failWaiters(String reason, State next) {
        List<Waiter> failed;
        List<CompletableFuture<String>> commits;
        synchronized (stateLock) {
            if (state != State.LIVE) {
                return;
            }
            state = next;
            failure = reason;
            failed = new ArrayList<>(waiters);
            waiters.clear();
            commits = new ArrayList<>(commitWaiters);
            commitWaiters.clear();
        }
        if (!failed.isEmpty()) {
            runtime.blockedClients().decrementAndGet();
        }
        failed.forEach(w -> w.result().completeExceptionally(new ConsumeFailure(reason)));
        commits.forEach(c -> c.complete(reason));
    }

    private static String describe(MemberFailure f) {
        Throwable e = f.cause();
        if (Causes.unwrap(e) instanceof AuthorizationException) {
            return KafkaFailures.describe(e); // a topic or group Kafka's ACLs refuse, at any stage
        }
        return switch (f.stage()) {
            case CHECK -> e instanceof UnknownTopicException u ? "Topic '" + u.topic() + "' does not exist"
                    : "Cannot read topic metadata: " + Causes.rootMessage(e);
            case START -> "Cannot start a consumer now: " + e.getMessage();
            case CREATE -> "Cannot create a consumer: " + Causes.rootMessage(e);
            case POLL -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
    }

    // ------------------------------------------------------------------ poller side

    /** Takes records from the member's queue and notes them in the ledger; stateLock held. */
    private List<ConsumerRecord<byte[], byte[]>> takeLocked(int max) {
        if (!scopes.isEmpty()) {
            return takeInScopeLocked(max);
        }
        List<ConsumerRecord<byte[], byte[]>> batch = member.take(max, Long.MAX_VALUE);
        boolean each = ledger.tracksEachRecord();
        TopicPartition tp = null;
        long runMax = -1;
        for (int i = 0; i < batch.size(); i++) {
            ConsumerRecord<byte[], byte[]> r = batch.get(i);
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
        }
        if (tp != null && !each) {
            ledger.delivered(tp, runMax);
        }
        return batch;
    }

    /**
     * Like {@link #takeLocked} for a principal whose grant binds a filter: records outside its scope
     * are never handed over; the ledger counts them as acknowledged, so commits move past them and a
     * rejoining member of the group does not fetch them again. Takes on while the queue holds records
     * and none was in scope (bounded by the prefetch); stateLock held.
     */
    private List<ConsumerRecord<byte[], byte[]>> takeInScopeLocked(int max) {
        while (true) {
            List<ConsumerRecord<byte[], byte[]>> batch = member.take(max, Long.MAX_VALUE);
            if (batch.isEmpty()) {
                return batch;
            }
            List<ConsumerRecord<byte[], byte[]>> admitted = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                ConsumerRecord<byte[], byte[]> r = batch.get(i);
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                StreamScope scope = scopes.get(r.topic());
                if (scope == null || scope.admits(r.key(), HubEvent.Header.of(r.headers()))) {
                    ledger.delivered(tp, r.offset());
                    admitted.add(r);
                } else {
                    ledger.skipped(tp, r.offset());
                }
            }
            if (!admitted.isEmpty()) {
                return admitted;
            }
        }
    }

    private void handOver(Waiter waiter, List<ConsumerRecord<byte[], byte[]>> batch) {
        runtime.consumed(batch.size());
        waiter.result().complete(batch);
    }

    /** What the member tells this session (its poller thread, or a lifecycle thread before it started). */
    private final class Events implements MemberListener {
        /** Asks the connection's event loop to serve waiting clients. */
        @Override
        public void recordsAvailable() {
            synchronized (stateLock) {
                if (state != State.LIVE || waiters.isEmpty()) {
                    return;
                }
            }
            if (serveQueued.compareAndSet(false, true)) {
                outlet.executor().execute(ConsumerSession.this::serve);
            }
        }

        @Override
        public boolean waiting() {
            synchronized (stateLock) {
                return !waiters.isEmpty();
            }
        }

        /** Commits acks when asked (enable.auto.commit=false) or every commit interval. */
        @Override
        public void polled(long now) {
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
            member.commit(committing).whenComplete((done, error) -> {
                if (error != null) {
                    synchronized (stateLock) {
                        ledger.commitFailed(committing);
                    }
                    answer.forEach(w -> w.complete("Commit failed: " + error.getMessage()));
                } else {
                    answer.forEach(w -> w.complete(null));
                }
            });
        }

        @Override
        public void committed(Map<TopicPartition, OffsetAndMetadata> offsets, Throwable error) {
            runtime.stats().committed(error != null);
        }

        /** Commits what was acknowledged before the partitions go; their records are redelivered elsewhere. */
        @Override
        public Map<TopicPartition, OffsetAndMetadata> revoked(Collection<TopicPartition> partitions) {
            synchronized (stateLock) {
                Map<TopicPartition, OffsetAndMetadata> offsets = ledger.takeCommits();
                ledger.revoked(partitions);
                return offsets;
            }
        }

        @Override
        public void lost(Collection<TopicPartition> partitions) {
            synchronized (stateLock) {
                ledger.revoked(partitions);
            }
        }

        @Override
        public void assigned(Collection<TopicPartition> partitions) {
            synchronized (stateLock) {
                ledger.assigned(partitions);
            }
            LOG.debug("group={} client={} assigned={}", group, name, partitions);
        }

        /** What was acknowledged is committed before the consumer leaves its group. */
        @Override
        public Map<TopicPartition, OffsetAndMetadata> closing() {
            synchronized (stateLock) {
                return ledger.takeCommits();
            }
        }

        @Override
        public void failed(MemberFailure failure) {
            fail(describe(failure));
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
