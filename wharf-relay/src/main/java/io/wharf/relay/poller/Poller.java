package io.wharf.relay.poller;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.wharf.core.kafka.KafkaAccess;
import io.wharf.core.kafka.RecordSize;
import io.wharf.core.kafka.TopicInfo;
import io.wharf.relay.ConsumerThreadStop;
import io.wharf.relay.config.PollerSettings;
import io.wharf.relay.http.HttpCall;
import io.wharf.relay.http.HttpReply;
import io.wharf.relay.http.RelayHttpClient;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP poller: GET a URL on a schedule, conditionally ({@code If-None-Match},
 * {@code If-Modified-Since}), turn what changed into records, and write them together with the
 * poller's new state (ETag, Last-Modified, cursor, body digest) in one Kafka transaction, the state
 * in a compacted topic. A restart reads the state back, so it neither repeats nor misses.
 *
 * <p>Exactly one instance runs a poller at a time: the one the consumer group
 * {@code wharf-poller-<name>} gives the poller's state partition to. On taking over, it opens the
 * poller's transactional producer (a fixed transactional id, which fences any previous runner and
 * aborts what it left open) before reading the state. One thread per poller owns everything here.
 */
public final class Poller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Poller.class);
    // every poller retries each second while Kafka is away: one line per interval for all of them
    private static final io.wharf.core.logging.WarningThrottle POLLER_ERROR_WARNINGS =
            new io.wharf.core.logging.WarningThrottle(Duration.ofSeconds(5));
    private static final Duration STATE_LOAD_TIMEOUT = Duration.ofSeconds(60);

    private final PollerSettings settings;
    private final KafkaAccess kafka;
    private final RelayHttpClient http;
    private final String instanceId;
    private final PollerMetrics metrics;
    private final PolledRecords splitter;
    private final Thread thread;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    // owned by the poller's thread
    private TopicPartition statePartition;
    private KafkaProducer<byte[], byte[]> producer;
    private PollerState state;
    private long nextRunNanos;

    /**
     * @param settings   the poller
     * @param kafka      Kafka access of the gateway
     * @param http       the relay's HTTP client
     * @param instanceId this instance's stable id (static group membership)
     * @param registry   where its meters go
     */
    public Poller(PollerSettings settings, KafkaAccess kafka, RelayHttpClient http, String instanceId,
                  MeterRegistry registry) {
        this.settings = settings;
        this.kafka = kafka;
        this.http = http;
        this.instanceId = instanceId;
        this.metrics = new PollerMetrics(registry, settings.name());
        this.splitter = new PolledRecords(settings);
        this.thread = new Thread(this::run, "wharf-poller-" + settings.name());
        this.thread.setDaemon(true);
    }

    /** Creates the state topic when missing (compacted), checks it, joins the poller's group, starts the thread. */
    public void start() throws InterruptedException, ExecutionException {
        TopicInfo stateTopic = ensureStateTopic();
        int partition = Utils.toPositive(Utils.murmur2(settings.name().getBytes(StandardCharsets.UTF_8)))
                % stateTopic.partitions();
        statePartition = new TopicPartition(settings.stateTopic(), partition);
        Map<String, Object> overrides = new HashMap<>();
        overrides.put(ConsumerConfig.CLIENT_ID_CONFIG, "wharf-poller-" + settings.name() + "-" + instanceId);
        overrides.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId + ".poller." + settings.name());
        overrides.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        if (!kafka.settings().consumer().containsKey(ConsumerConfig.GROUP_PROTOCOL_CONFIG)
                && !kafka.settings().properties().containsKey(ConsumerConfig.GROUP_PROTOCOL_CONFIG)) {
            // the runner keeps the state partition while other instances come and go
            overrides.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        }
        if (!kafka.settings().consumer().containsKey(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)
                && !kafka.settings().properties().containsKey(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)) {
            overrides.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        }
        consumer = kafka.newGroupConsumer("wharf-poller-" + settings.name(), overrides);
        thread.start();
        LOG.info("relay poller {} started: url={} topic={} every {}ms split={} state={}", settings.name(),
                settings.url().getScheme() + "://" + settings.url().getHost()
                        + (settings.url().getPort() >= 0 ? ":" + settings.url().getPort() : "") + settings.url().getRawPath(),
                settings.topic(), settings.interval().toMillis(), settings.split(), statePartition);
    }

    private TopicInfo ensureStateTopic() throws InterruptedException, ExecutionException {
        try {
            return checkCompacted(kafka.topic(settings.stateTopic()).get(30, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof io.wharf.core.kafka.UnknownTopicException)) {
                throw e;
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka did not describe the poller state topic '" + settings.stateTopic()
                    + "' within 30s", e);
        }
        try {
            NewTopic topic = new NewTopic(settings.stateTopic(), Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            kafka.admin().createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            LOG.info("relay created the compacted poller state topic {}", settings.stateTopic());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka did not create the poller state topic in 30s", e);
        }
        awaitWritable(settings.stateTopic());
        kafka.forgetTopic(settings.stateTopic());
        try {
            return checkCompacted(kafka.topic(settings.stateTopic()).get(30, TimeUnit.SECONDS));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka did not describe the poller state topic within 30s", e);
        }
    }

    // The first transaction writes here at once (KafkaAccess#awaitWritable says why it must wait).
    private void awaitWritable(String topic) throws InterruptedException, ExecutionException {
        try {
            kafka.awaitWritable(topic, Duration.ofSeconds(30)).get(35, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the poller state topic '" + topic + "' did not take writes within 30s", e);
        }
    }

    private TopicInfo checkCompacted(TopicInfo info) {
        if (!info.compacted()) {
            throw new IllegalStateException("relay.pollers: state topic '" + settings.stateTopic()
                    + "' must have cleanup.policy=compact");
        }
        return info;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(settings.stateTopic()), new Leadership());
            while (!stopping) {
                try {
                    long wait = producer == null ? 200
                            : Math.max(0, Math.min(200, TimeUnit.NANOSECONDS.toMillis(nextRunNanos - System.nanoTime())));
                    consumer.poll(Duration.ofMillis(wait));
                    if (producer != null && !stopping && System.nanoTime() >= nextRunNanos) {
                        runOnce();
                        nextRunNanos = System.nanoTime() + settings.interval().toNanos();
                    }
                } catch (WakeupException e) {
                    // close() wants the loop to look at the stop flag
                } catch (RuntimeException e) {
                    // e.g. Kafka unreachable for a while: keep the poller alive and try again
                    long suppressed = POLLER_ERROR_WARNINGS.admit();
                    if (suppressed >= 0) {
                        LOG.warn("event=relay-poller-error poller={} error=\"{}\" action=retry-in-1s suppressed={}",
                                settings.name(), e.toString(), suppressed);
                    }
                    metrics.failed.increment();
                    sleepQuietly(1_000);
                }
            }
        } finally {
            stepDown();
            try {
                consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(Duration.ofSeconds(5)));
            } catch (RuntimeException e) {
                LOG.warn("event=relay-poller-consumer-close-failed poller={} error=\"{}\"", settings.name(), e.toString());
            }
            metrics.close();
            finished.countDown();
        }
    }

    /** One poll: GET, split, then records and state in one transaction. Failures leave the state as it was. */
    void runOnce() {
        HttpReply reply;
        URI url;
        HttpHeaders headers;
        try {
            url = urlWithCursor();
            headers = requestHeaders();
        } catch (IllegalArgumentException e) {
            failed("cannot build the request from the saved state: " + e.getMessage());
            return;
        }
        try {
            reply = http.send(new HttpCall(url, "GET", headers, null, settings.requestTimeout().toMillis(),
                    settings.requestTimeout().toMillis(), settings.maxBodyBytes()))
                    .get(settings.requestTimeout().toMillis() * 2 + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            failed("request failed: " + (e.getCause() == null ? e : e.getCause()));
            return;
        }
        if (reply.status() == 304) {
            metrics.notModified.increment();
            return;
        }
        if (!reply.successful()) {
            failed("status " + reply.status());
            return;
        }
        if (reply.truncated()) {
            failed("body larger than max-body-bytes (" + settings.maxBodyBytes() + ")");
            return;
        }
        String digest = digest(reply.body());
        PolledRecords.Split split;
        if (digest.equals(state.digest())) {
            split = new PolledRecords.Split(List.of(), state.cursor(), 0);
        } else {
            try {
                split = splitter.split(reply.body(), state.cursor());
            } catch (PolledRecords.BadBodyException e) {
                failed(e.getMessage());
                return;
            }
        }
        PollerState next = new PollerState(reply.headers().get(HttpHeaderNames.ETAG),
                reply.headers().get(HttpHeaderNames.LAST_MODIFIED), split.cursor(), digest, state.runs() + 1);
        if (split.items().isEmpty() && Objects.equals(next.etag(), state.etag())
                && Objects.equals(next.lastModified(), state.lastModified()) && Objects.equals(next.cursor(), state.cursor())
                && Objects.equals(next.digest(), state.digest())) {
            metrics.unchanged.increment();
            return;
        }
        String contentType = reply.headers().get(HttpHeaderNames.CONTENT_TYPE);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(split.items().size());
        // the limit leaves the producer's own slack: one refused record would abort the whole transaction
        int limit = kafka.maxRecordBytes() - RecordSize.PRODUCER_CHECK_SLACK;
        for (int i = 0; i < split.items().size(); i++) {
            PolledRecords.Item item = split.items().get(i);
            RecordHeaders recordHeaders = new RecordHeaders();
            recordHeaders.add("wharf-poller", settings.name().getBytes(StandardCharsets.UTF_8));
            if (contentType != null && !settings.splitsArray()) {
                recordHeaders.add("content-type", contentType.getBytes(StandardCharsets.UTF_8));
            }
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(settings.topic(), null, null, item.key(),
                    item.value(), recordHeaders);
            int size = RecordSize.of(record);
            if (size > limit) {
                failed("record " + i + " is " + size + " bytes, more than the producer's limit of " + limit);
                return;
            }
            records.add(record);
        }
        if (split.keyless() > 0) {
            LOG.warn("event=relay-poll-keyless-elements poller={} count={} key-field={} action=null-key", settings.name(),
                    split.keyless(), settings.keyField());
        }
        try {
            producer.beginTransaction();
            for (ProducerRecord<byte[], byte[]> record : records) {
                producer.send(record);
            }
            producer.send(new ProducerRecord<>(statePartition.topic(), statePartition.partition(),
                    settings.name().getBytes(StandardCharsets.UTF_8), next.toJson()));
            producer.commitTransaction();
        } catch (ProducerFencedException | InvalidProducerEpochException | AuthorizationException e) {
            failed("fenced by another runner of this poller: " + e.getMessage());
            stepDown();
            return;
        } catch (KafkaException e) {
            failed("transaction failed: " + e);
            try {
                producer.abortTransaction();
            } catch (KafkaException again) {
                stepDown();
            }
            return;
        }
        state = next;
        if (split.items().isEmpty()) {
            metrics.unchanged.increment();
        } else {
            metrics.changed.increment();
            metrics.records.increment(split.items().size());
        }
    }

    private void sleepQuietly(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!stopping && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void failed(String why) {
        metrics.failed.increment();
        LOG.warn("event=relay-poll-failed poller={} reason=\"{}\" action=retry-next-interval", settings.name(), why);
    }

    private URI urlWithCursor() {
        URI url = settings.url();
        if (settings.cursorParam() == null || state.cursor() == null) {
            return url;
        }
        String param = URLEncoder.encode(settings.cursorParam(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(state.cursor().asText(), StandardCharsets.UTF_8);
        String s = url.toString();
        return URI.create(s + (url.getRawQuery() == null ? "?" : "&") + param);
    }

    private HttpHeaders requestHeaders() {
        HttpHeaders h = new DefaultHttpHeaders();
        settings.headers().forEach(h::set);
        if (state.etag() != null) {
            h.set(HttpHeaderNames.IF_NONE_MATCH, state.etag());
        }
        if (state.lastModified() != null) {
            h.set(HttpHeaderNames.IF_MODIFIED_SINCE, state.lastModified());
        }
        return h;
    }

    private static String digest(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** This instance now owns the state partition: fence any previous runner, then read the state. */
    private void takeOver() {
        Map<String, Object> overrides = new HashMap<>();
        if (!kafka.settings().producer().containsKey(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG)
                && !kafka.settings().properties().containsKey(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG)) {
            overrides.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        }
        KafkaProducer<byte[], byte[]> p = kafka.newTransactionalProducer("wharf-poller." + settings.name(), overrides);
        try {
            p.initTransactions();
            state = loadState();
        } catch (RuntimeException e) {
            p.close(Duration.ZERO);
            LOG.warn("event=relay-poller-takeover-failed poller={} error=\"{}\" action=wait-for-next-assignment",
                    settings.name(), e.toString());
            return;
        }
        producer = p;
        nextRunNanos = System.nanoTime();
        metrics.leader.set(1);
        LOG.info("relay poller {} runs on this instance ({}); state: etag={} cursor={} runs={}", settings.name(),
                instanceId, state.etag(), state.cursor(), state.runs());
    }

    private PollerState loadState() {
        Map<String, Object> props = Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        byte[] key = settings.name().getBytes(StandardCharsets.UTF_8);
        byte[] latest = null;
        boolean found = false;
        try (KafkaConsumer<byte[], byte[]> reader = kafka.newReader("poller-state-" + settings.name(), props)) {
            List<TopicPartition> tps = List.of(statePartition);
            reader.assign(tps);
            reader.seekToBeginning(tps);
            long end = reader.endOffsets(tps, Duration.ofSeconds(30)).get(statePartition);
            long deadline = System.nanoTime() + STATE_LOAD_TIMEOUT.toNanos();
            while (reader.position(statePartition, Duration.ofSeconds(30)) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading the poller state took longer than " + STATE_LOAD_TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
                    if (java.util.Arrays.equals(r.key(), key)) {
                        latest = r.value();
                        found = true;
                    }
                }
            }
        }
        if (!found || latest == null) {
            return PollerState.EMPTY;
        }
        try {
            return PollerState.fromJson(latest);
        } catch (IllegalArgumentException e) {
            LOG.warn("event=relay-poller-state-unreadable poller={} error=\"{}\" action=start-fresh", settings.name(),
                    e.getMessage());
            return PollerState.EMPTY;
        }
    }

    private void stepDown() {
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("event=relay-poller-producer-close-failed poller={} error=\"{}\"", settings.name(), e.toString());
            }
            producer = null;
            metrics.leader.set(0);
        }
    }

    private final class Leadership implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            // the group only elects the runner; nothing is read through it
            consumer.pause(assigned);
            if (assigned.contains(statePartition) && producer == null) {
                takeOver();
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            if (revoked.contains(statePartition)) {
                stepDown();
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            onPartitionsRevoked(lost);
        }
    }

    /** Stops polling (a run in progress finishes), gives up the state partition and leaves the group. */
    @Override
    public void close() {
        stopping = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (!ConsumerThreadStop.wake(thread, c)) {
            if (c != null) {
                c.close(CloseOptions.timeout(Duration.ZERO));
            }
            metrics.close();
            return;
        }
        if (!ConsumerThreadStop.awaitFinished(finished, settings.requestTimeout().toMillis() * 2 + 20_000)) {
            LOG.warn("event=relay-poller-stop-slow poller={}", settings.name());
        }
    }
}
