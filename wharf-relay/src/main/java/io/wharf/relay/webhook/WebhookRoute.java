package io.wharf.relay.webhook;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.wharf.core.kafka.KafkaAccess;
import io.wharf.relay.ConsumerThreadStop;
import io.wharf.relay.config.WebhookRouteSettings;
import io.wharf.relay.http.HttpReply;
import io.wharf.relay.http.RelayHttpClient;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One webhook route at work: a consumer-group member whose records become HTTP calls, with
 * different keys in flight together and each key's events strictly one after the other in offset
 * order, retries blocking only their key, and progress committed in Kafka transactions together
 * with the route's responses and dead letters.
 *
 * <p>Threads: one thread per route owns the consumer and every {@link PartitionWork}; HTTP answers
 * arrive on the event loops and are handed over through a queue (whose size is bounded by the calls
 * in flight), waking the consumer if it is polling. The transactional producer lives on the
 * route's {@link RouteCommitter} thread, so a commit never stalls dispatching; one commit runs at
 * a time and works on a snapshot ({@link CommitPlan}).
 *
 * <p>Commits: a commit records, per partition, the offset below which every record is finished and
 * the finished offsets beyond it (commit metadata), in the same transaction as the outputs of
 * exactly the events it records as finished. After a crash the next owner skips what was recorded
 * and redoes the rest, whose outputs were never committed: so responses and dead letters appear
 * once to {@code read_committed} readers, and effects happen once where the endpoint de-duplicates
 * on the idempotency key.
 */
public final class WebhookRoute implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookRoute.class);
    private static final long MAX_POLL_MILLIS = 500;
    private static final long POLL_SPACING_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final Duration RESTART_DELAY = Duration.ofSeconds(5);

    private final WebhookRouteSettings settings;
    private final KafkaAccess kafka;
    private final RelayHttpClient http;
    private final String instanceId;
    private final RouteMetrics metrics;
    private final WebhookCalls calls;
    private final RouteOutputs outputs;
    private final RetryPolicy retryPolicy;
    /** answers handed from the event loops to the route's thread; at most one per call in flight */
    private final LinkedBlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean stopping;
    private volatile boolean polling;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    // Everything below is owned by the route's thread.
    private RouteCommitter committer;
    /** the commit transaction running on the committer's thread, and what it commits; at most one at a time */
    private CompletableFuture<Boolean> commitInFlight;
    private List<CommitPlan> plansInFlight;
    private final Map<TopicPartition, PartitionWork> partitions = new LinkedHashMap<>();
    private final List<PartitionWork> active = new ArrayList<>();
    private final PriorityQueue<RetryTimer> retryTimers = new PriorityQueue<>(Comparator.comparingLong(RetryTimer::dueNanos));
    private int inFlight;
    private int blockedKeys;
    private int rotation;
    private long nextCommitNanos;
    private long lastPollNanos;
    private long lastMissingKeyWarning;

    private record Completion(WebhookEvent event, HttpReply reply, Throwable error) {
    }

    private record RetryTimer(long dueNanos, WebhookEvent event) {
    }

    /**
     * @param settings   the route
     * @param kafka      Kafka access of the gateway
     * @param http       the relay's HTTP client
     * @param instanceId this instance's stable id (static membership, transactional id)
     * @param metrics    where the route's meters go
     */
    public WebhookRoute(WebhookRouteSettings settings, KafkaAccess kafka, RelayHttpClient http, String instanceId,
                        io.micrometer.core.instrument.MeterRegistry metrics) {
        this.settings = settings;
        this.kafka = kafka;
        this.http = http;
        this.instanceId = instanceId;
        this.metrics = new RouteMetrics(metrics, settings.name());
        this.calls = new WebhookCalls(settings);
        this.outputs = new RouteOutputs(settings, kafka.maxRecordBytes());
        this.retryPolicy = new RetryPolicy(settings.retry(), ThreadLocalRandom.current());
        this.thread = new Thread(this::run, "wharf-relay-" + settings.name());
        this.thread.setDaemon(true);
    }

    /**
     * Opens the transactional producer (fencing and aborting whatever a previous run of this
     * instance left open) and the consumer, then starts the route's thread. Blocks until Kafka has
     * answered; throws when it cannot.
     */
    public void start() {
        openClients();
        thread.start();
        LOG.info("relay route {} started: topics={} group={} url={} instance={} max-in-flight={}", settings.name(),
                settings.topics(), settings.group(), safeUrl(), instanceId, settings.maxInFlight());
    }

    private String safeUrl() {
        var u = settings.url();
        return u.getScheme() + "://" + u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "") + u.getRawPath();
    }

    private void openClients() {
        Map<String, Object> producerOverrides = new HashMap<>();
        if (!configured(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, true)) {
            // a killed instance's open transaction blocks read_committed readers until this passes
            producerOverrides.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        }
        RouteCommitter c = new RouteCommitter(kafka, transactionalId(), producerOverrides, metrics, settings.name());
        try {
            c.open();
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        committer = c;
        Map<String, Object> overrides = new HashMap<>();
        overrides.put(ConsumerConfig.CLIENT_ID_CONFIG, "wharf-relay-" + settings.name() + "-" + instanceId);
        overrides.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        overrides.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        overrides.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(500, settings.maxBufferedPerPartition()));
        // static membership: a restarted instance gets its partitions back at once, without a rebalance
        overrides.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId + "." + settings.name());
        if (!configured(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, false)
                && !configured(ConsumerConfig.GROUP_PROTOCOL_CONFIG, false)) {
            overrides.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        }
        if (!configured(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, false)) {
            overrides.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        }
        if (!configured(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, false)) {
            overrides.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        }
        consumer = kafka.newGroupConsumer(settings.group(), overrides);
    }

    private boolean configured(String key, boolean producerSide) {
        var s = kafka.settings();
        return s.properties().containsKey(key) || (producerSide ? s.producer() : s.consumer()).containsKey(key);
    }

    private String transactionalId() {
        return "wharf-relay." + settings.name() + "." + instanceId;
    }

    private void run() {
        try {
            while (!stopping) {
                try {
                    session();
                } catch (RuntimeException e) {
                    LOG.error("event=relay-route-failed route={} error=\"{}\" action=restart-in-{}s", settings.name(), e,
                            RESTART_DELAY.toSeconds(), e);
                    abandonAll();
                    closeClients();
                    if (awaitStop(RESTART_DELAY)) {
                        break;
                    }
                    try {
                        openClients();
                    } catch (RuntimeException again) {
                        LOG.error("event=relay-route-reopen-failed route={} error=\"{}\"", settings.name(), again.toString());
                        closeClients();
                    }
                }
            }
        } finally {
            metrics.close();
            finished.countDown();
        }
    }

    private boolean awaitStop(Duration d) {
        long deadline = System.nanoTime() + d.toNanos();
        while (!stopping && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }
        return stopping;
    }

    private void session() {
        if (consumer == null || committer == null) {
            throw new IllegalStateException("Kafka clients are not open");
        }
        consumer.subscribe(settings.topics(), new Rebalance());
        nextCommitNanos = System.nanoTime() + settings.commitInterval().toNanos();
        while (!stopping) {
            step();
        }
        handOver(new ArrayList<>(partitions.keySet()), "shutdown");
        closeClients();
    }

    /** One turn of the loop: answers, due retries, new calls, commit, pauses, then poll. */
    private void step() {
        applyCompletions();
        collectCommit();
        fireDueRetries();
        dispatch();
        long now = System.nanoTime();
        if (now >= nextCommitNanos && commitInFlight == null) {
            startCommit();
            updateLag();
            nextCommitNanos = System.nanoTime() + settings.commitInterval().toNanos();
        }
        updatePauses();
        publishGauges();
        if (!completions.isEmpty() && System.nanoTime() - lastPollNanos < POLL_SPACING_NANOS) {
            // answers are waiting: handle them first; Kafka is asked again within the spacing
            return;
        }
        lastPollNanos = System.nanoTime();
        ConsumerRecords<byte[], byte[]> records;
        polling = true;
        try {
            long timeout = completions.isEmpty() && (commitInFlight == null || !commitInFlight.isDone())
                    ? pollTimeoutMillis() : 0;
            records = consumer.poll(Duration.ofMillis(timeout));
        } catch (WakeupException e) {
            records = ConsumerRecords.empty();
        } finally {
            polling = false;
            wakePending.set(false);
        }
        accept(records);
    }

    private long pollTimeoutMillis() {
        long now = System.nanoTime();
        long until = Math.min(nextCommitNanos, retryTimers.isEmpty() ? Long.MAX_VALUE : retryTimers.peek().dueNanos());
        long millis = TimeUnit.NANOSECONDS.toMillis(Math.max(0, until - now));
        return Math.min(MAX_POLL_MILLIS, millis);
    }

    private void accept(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            PartitionWork work = partitions.get(tp);
            if (work == null || work.closed) {
                continue;
            }
            for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
                if (calls.lacksKeyHeader(record)) {
                    warnMissingKeyHeader(record);
                }
                WebhookEvent event = work.accept(record, calls.idempotencyKey(record));
                if (event != null && event.finished()) {
                    metrics.alreadyFinished.increment();
                }
            }
        }
    }

    private void warnMissingKeyHeader(ConsumerRecord<byte[], byte[]> record) {
        long now = System.nanoTime();
        if (now - lastMissingKeyWarning > TimeUnit.SECONDS.toNanos(10)) {
            lastMissingKeyWarning = now;
            LOG.warn("event=relay-idempotency-header-missing route={} header={} topic={} partition={} offset={} "
                    + "action=derived-key", settings.name(), settings.idempotencyKeyHeader(), record.topic(),
                    record.partition(), record.offset());
        }
    }

    /** Starts calls while the global and per-partition bounds allow, one partition at a time in turn. */
    private void dispatch() {
        int n = active.size();
        while (inFlight < settings.maxInFlight() && n > 0) {
            boolean started = false;
            for (int i = 0; i < n && inFlight < settings.maxInFlight(); i++) {
                PartitionWork work = active.get((rotation + i) % n);
                if (work.revoking || work.inFlight >= settings.maxInFlightPerPartition() || !work.hasReady()) {
                    continue;
                }
                send(work.pollReady());
                started = true;
            }
            rotation = (rotation + 1) % n;
            if (!started) {
                break;
            }
        }
    }

    private void send(WebhookEvent event) {
        event.state = WebhookEvent.State.IN_FLIGHT;
        event.attempts++;
        if (event.attempts == 1) {
            event.firstAttemptNanos = System.nanoTime();
        }
        event.partition.inFlight++;
        inFlight++;
        metrics.attempts.increment();
        http.send(calls.call(event)).whenComplete((reply, error) -> {
            completions.add(new Completion(event, reply, error));
            wakeLoop();
        });
    }

    /** Called from other threads when there is something for the loop: interrupts its poll. */
    private void wakeLoop() {
        if (polling && wakePending.compareAndSet(false, true)) {
            KafkaConsumer<byte[], byte[]> c = consumer;
            if (c != null) {
                c.wakeup();
            }
        }
    }

    private void applyCompletions() {
        Completion c;
        while ((c = completions.poll()) != null) {
            apply(c);
        }
    }

    private void apply(Completion c) {
        inFlight--;
        WebhookEvent event = c.event();
        PartitionWork work = event.partition;
        if (work.closed) {
            metrics.staleCompletions.increment();
            return;
        }
        work.inFlight--;
        Outcome outcome = c.error() != null ? Outcome.of(c.error()) : Outcome.of(c.reply());
        if (outcome instanceof Outcome.Delivered delivered) {
            metrics.delivered.increment();
            finish(event, outputs.response(event, delivered.reply()));
        } else if (outcome instanceof Outcome.Retry retry) {
            long now = System.nanoTime();
            Duration delay = retryPolicy.delay(event.attempts, retry.retryAfter());
            if (retryPolicy.exhausted(event.attempts, Duration.ofNanos(now - event.firstAttemptNanos), delay)) {
                deadLetter(event, retry.status(), "gave up after " + event.attempts + " attempts; last: " + retry.detail());
                return;
            }
            metrics.retry(retry.cause());
            if (work.revoking) {
                // the partition is being handed over: its next owner makes this attempt
                event.state = WebhookEvent.State.WAITING;
                return;
            }
            event.state = WebhookEvent.State.RETRY_WAIT;
            retryTimers.add(new RetryTimer(now + delay.toNanos(), event));
            blockedKeys++;
            if (LOG.isDebugEnabled()) {
                LOG.debug("event=relay-retry route={} topic={} partition={} offset={} attempt={} cause={} delay-ms={}",
                        settings.name(), work.tp.topic(), work.tp.partition(), event.offset, event.attempts,
                        retry.cause().tag, delay.toMillis());
            }
        } else if (outcome instanceof Outcome.Rejected rejected) {
            deadLetter(event, rejected.status(), rejected.detail());
        }
    }

    private void deadLetter(WebhookEvent event, int status, String reason) {
        LOG.warn("event=relay-dead-letter route={} topic={} partition={} offset={} attempts={} last-status={} "
                + "dead-letter-topic={} reason=\"{}\"", settings.name(), event.partition.tp.topic(),
                event.partition.tp.partition(), event.offset, event.attempts, status, settings.deadLetterTopic(), reason);
        metrics.deadLetters.increment();
        metrics.deadLettered.increment();
        finish(event, outputs.deadLetter(event, status, reason));
    }

    private void finish(WebhookEvent event, ProducerRecord<byte[], byte[]> output) {
        event.finish(output);
        event.partition.finished(event);
    }

    private void fireDueRetries() {
        long now = System.nanoTime();
        while (!retryTimers.isEmpty() && retryTimers.peek().dueNanos() <= now) {
            WebhookEvent event = retryTimers.poll().event();
            blockedKeys--;
            if (!event.partition.closed) {
                event.partition.readyAgain(event);
            }
        }
    }

    /**
     * Starts committing what every partition has finished, with the outputs of the events this
     * commit records, in one transaction tied to the group generation ({@code sendOffsetsToTransaction}
     * with the consumer's group metadata, so a member that lost its partitions cannot commit). It runs
     * on the committer's thread; the loop goes on and picks the result up in {@link #collectCommit}.
     * On failure nothing is recorded and the outputs wait for the next commit.
     */
    private void startCommit() {
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (commitInFlight != null || c == null || committer == null) {
            return;
        }
        List<CommitPlan> plans = new ArrayList<>();
        for (PartitionWork work : partitions.values()) {
            if (!work.closed) {
                CommitPlan plan = work.plan();
                if (plan != null) {
                    plans.add(plan);
                }
            }
        }
        if (plans.isEmpty()) {
            return;
        }
        plansInFlight = plans;
        commitInFlight = committer.commit(plans, c.groupMetadata());
        commitInFlight.whenComplete((ok, error) -> wakeLoop());
    }

    /** Applies the result of a finished commit; true when the last commit succeeded (or none ran). */
    private boolean collectCommit() {
        if (commitInFlight == null || !commitInFlight.isDone()) {
            return true;
        }
        boolean ok = commitInFlight.getNow(false);
        if (ok) {
            for (CommitPlan plan : plansInFlight) {
                // a partition lost or revoked meanwhile has a new PartitionWork, or none
                if (!plan.partition().closed) {
                    plan.partition().committed(plan);
                }
            }
        }
        commitInFlight = null;
        plansInFlight = null;
        return ok;
    }

    /** Waits for a running commit, then commits everything finished now and waits for that too. */
    private boolean commitAndWait() {
        if (commitInFlight != null) {
            commitInFlight.join();
            collectCommit();
        }
        startCommit();
        if (commitInFlight == null) {
            return true;
        }
        commitInFlight.join();
        return collectCommit();
    }

    private void updateLag() {
        long lag = 0;
        for (PartitionWork work : partitions.values()) {
            long behind = consumer.currentLag(work.tp).orElse(0);
            if (work.nextOffset >= 0 && work.committedOffset >= 0) {
                behind += Math.max(0, work.nextOffset - work.committedOffset);
            }
            lag += behind;
        }
        metrics.committedLag.set(lag);
    }

    /** Pauses partitions whose buffer (or the route's) is full; resumes them at 90 % of the bound. */
    private void updatePauses() {
        int total = 0;
        long bytes = 0;
        for (PartitionWork work : active) {
            total += work.buffered();
            bytes += work.bufferedBytes;
        }
        boolean routeFull = total >= settings.maxBuffered() || bytes >= settings.maxBufferedBytes();
        boolean routeLow = total < settings.maxBuffered() * 0.9 && bytes < settings.maxBufferedBytes() * 0.9;
        List<TopicPartition> pause = new ArrayList<>();
        List<TopicPartition> resume = new ArrayList<>();
        int paused = 0;
        for (PartitionWork work : active) {
            if (!work.paused && (routeFull || work.revoking || work.buffered() >= settings.maxBufferedPerPartition())) {
                work.paused = true;
                pause.add(work.tp);
            } else if (work.paused && !work.revoking && routeLow
                    && work.buffered() < settings.maxBufferedPerPartition() * 0.9) {
                work.paused = false;
                resume.add(work.tp);
            }
            paused += work.paused ? 1 : 0;
        }
        if (!pause.isEmpty()) {
            consumer.pause(pause);
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
        metrics.buffered.set(total);
        metrics.pausedPartitions.set(paused);
    }

    private void publishGauges() {
        metrics.inFlight.set(inFlight);
        metrics.keysBlocked.set(blockedKeys);
    }

    /**
     * Revoke or shutdown: nothing new starts for these partitions, calls in flight get up to the
     * drain timeout to finish, then everything finished is committed and the partitions are let go.
     */
    private void handOver(Collection<TopicPartition> tps, String why) {
        List<PartitionWork> leaving = new ArrayList<>();
        for (TopicPartition tp : tps) {
            PartitionWork work = partitions.get(tp);
            if (work != null) {
                work.stopDispatching();
                leaving.add(work);
            }
        }
        if (leaving.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
        while (leaving.stream().anyMatch(w -> w.inFlight > 0)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                Completion c = completions.poll(left, TimeUnit.NANOSECONDS);
                if (c != null) {
                    apply(c);
                    applyCompletions();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int abandoned = leaving.stream().mapToInt(w -> w.inFlight).sum();
        boolean committed = commitAndWait();
        LOG.info("relay route {} handed over {} partition(s) on {}: committed={} calls-still-in-flight={}",
                settings.name(), leaving.size(), why, committed, abandoned);
        leaving.forEach(this::drop);
    }

    private void drop(PartitionWork work) {
        work.closed = true;
        work.stopDispatching();
        partitions.remove(work.tp);
        active.remove(work);
        int before = retryTimers.size();
        retryTimers.removeIf(t -> t.event().partition == work);
        blockedKeys -= before - retryTimers.size();
    }

    private void abandonAll() {
        new ArrayList<>(partitions.values()).forEach(this::drop);
    }

    private Map<TopicPartition, OffsetAndMetadata> committedOffsets(Set<TopicPartition> tps) {
        while (true) {
            try {
                return consumer.committed(tps, Duration.ofSeconds(30));
            } catch (WakeupException e) {
                // a late wake-up meant for poll: ask again
            } catch (TimeoutException e) {
                // e.g. a crashed instance's transaction still holds the offsets until it times out
                LOG.warn("event=relay-committed-offsets-slow route={} partitions={} error=\"{}\" action=retry",
                        settings.name(), tps, e.getMessage());
                if (stopping) {
                    throw e;
                }
            }
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            if (assigned.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets(new HashSet<>(assigned));
            for (TopicPartition tp : assigned) {
                OffsetAndMetadata om = committed.get(tp);
                long offset = om == null ? -1 : om.offset();
                String metadata = om == null ? "" : om.metadata();
                OffsetRanges restored;
                try {
                    restored = om == null ? OffsetRanges.EMPTY : CommitMetadata.decode(offset, metadata);
                } catch (IllegalArgumentException e) {
                    LOG.warn("event=relay-commit-metadata-unreadable route={} topic={} partition={} error=\"{}\" "
                            + "action=redeliver-beyond-committed-offset", settings.name(), tp.topic(), tp.partition(),
                            e.getMessage());
                    restored = OffsetRanges.EMPTY;
                }
                PartitionWork stale = partitions.get(tp);
                if (stale != null) {
                    // assigned again without a revoke in between: what the old view holds is not trusted
                    drop(stale);
                }
                PartitionWork work = new PartitionWork(tp, offset, metadata, restored);
                partitions.put(tp, work);
                active.add(work);
            }
            LOG.info("relay route {} assigned {}", settings.name(), assigned);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            handOver(revoked, "revoke");
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            int dropped = 0;
            for (TopicPartition tp : lost) {
                PartitionWork work = partitions.get(tp);
                if (work != null) {
                    drop(work);
                    dropped++;
                }
            }
            LOG.warn("event=relay-partitions-lost route={} partitions={} dropped={} action=no-commit "
                    + "(the new owner redelivers what was not committed)", settings.name(), lost, dropped);
        }
    }

    private void closeClients() {
        KafkaConsumer<byte[], byte[]> c = consumer;
        consumer = null;
        if (c != null) {
            try {
                c.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(Duration.ofSeconds(5)));
            } catch (RuntimeException e) {
                LOG.warn("event=relay-consumer-close-failed route={} error=\"{}\"", settings.name(), e.toString());
            }
        }
        if (commitInFlight != null) {
            commitInFlight.join();
            commitInFlight = null;
            plansInFlight = null;
        }
        if (committer != null) {
            committer.close();
            committer = null;
        }
    }

    /** Stops dispatching, waits (bounded) for calls in flight, commits, leaves the group. */
    @Override
    public void close() {
        stopping = true;
        if (!ConsumerThreadStop.wake(thread, consumer)) {
            closeClients();
            metrics.close();
            return;
        }
        if (!ConsumerThreadStop.awaitFinished(finished, settings.drainTimeout().toMillis() + 30_000)) {
            LOG.warn("event=relay-route-stop-slow route={} action=abandon", settings.name());
            thread.interrupt();
        }
    }

    /** The route's name. */
    public String name() {
        return settings.name();
    }
}
