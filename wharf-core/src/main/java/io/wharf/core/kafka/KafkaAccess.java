package io.wharf.core.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.wharf.core.config.KafkaSettings;
import io.wharf.core.logging.LogValue;
import io.wharf.core.logging.WarningThrottle;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only path from Wharf to Kafka: one shared idempotent producer (batching across every caller,
 * {@code acks=all}), factories for consumer-group members and plain readers, and an admin client
 * with a small cache of topic metadata.
 *
 * <p>{@link #send} never blocks its caller: the topic is checked asynchronously and only the
 * writer thread ({@code wharf-kafka-writer}) calls the producer, so a Netty event loop may send.
 * Everything is closed by {@link #close}.
 */
public final class KafkaAccess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaAccess.class);
    private final WarningThrottle configsDeniedWarnings = new WarningThrottle(Duration.ofMinutes(1));
    private static final long TOPIC_TTL_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long MISSING_TOPIC_TTL_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final Duration FIRST_SEND_WRITABLE_WAIT = Duration.ofSeconds(2);
    private static final long WRITABLE_POLL_MILLIS = 50;
    /**
     * Most bytes (size estimates) queued for the shared producer over the whole gateway; beyond it
     * sends are refused with {@link KafkaUnavailableException} until the producer catches up.
     */
    public static final long MAX_QUEUED_BYTES = 64L * 1024 * 1024;

    private final String bootstrapServers;
    private final KafkaSettings settings;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AdminClient admin;
    private final MeterRegistry registry;
    private final List<KafkaClientMetrics> clientMetrics = new ArrayList<>();
    private final Map<String, CachedTopic> topics = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<TopicInfo>> refreshes = new ConcurrentHashMap<>();
    private final AtomicInteger clientSequence = new AtomicInteger();
    // the only caller of producer.send
    private final KafkaWriter writer;
    private final int maxRequestBytes;
    private final Counter sendsAcknowledged;
    private final Counter sendsFailed;

    private record CachedTopic(CompletableFuture<TopicInfo> info, long expiresAtNanos) {
    }

    private KafkaAccess(String bootstrapServers, KafkaSettings settings, MeterRegistry registry) {
        this.bootstrapServers = bootstrapServers;
        this.settings = settings;
        this.registry = registry;
        Map<String, Object> producerProps = producerProperties();
        this.maxRequestBytes = Integer.parseInt(String.valueOf(
                producerProps.getOrDefault(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1024 * 1024)));
        this.producer = new KafkaProducer<>(producerProps);
        Map<String, Object> adminProps = new HashMap<>(common());
        adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "wharf-admin");
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) settings.requestTimeout().toMillis());
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) settings.requestTimeout().toMillis());
        this.admin = AdminClient.create(adminProps);
        this.writer = new KafkaWriter(producer, this::topic, maxRequestBytes, MAX_QUEUED_BYTES);
        bind(new KafkaClientMetrics(producer));
        bind(new KafkaClientMetrics(admin));
        this.sendsAcknowledged = Counter.builder("wharf.kafka.sends")
                .description("records sent through the shared producer, by outcome").tag("result", "acknowledged")
                .register(registry);
        this.sendsFailed = Counter.builder("wharf.kafka.sends")
                .description("records sent through the shared producer, by outcome").tag("result", "failed")
                .register(registry);
    }

    /** Creates the shared clients; nothing is contacted yet (see {@link #awaitCluster}). */
    public static KafkaAccess create(String bootstrapServers, KafkaSettings settings, MeterRegistry registry) {
        return new KafkaAccess(bootstrapServers, settings, registry);
    }

    private void bind(KafkaClientMetrics metrics) {
        metrics.bindTo(registry);
        clientMetrics.add(metrics);
    }

    /** The cluster's {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The Kafka client settings from the configuration. */
    public KafkaSettings settings() {
        return settings;
    }

    /** The largest serialized record the shared producer accepts ({@code max.request.size}). */
    public int maxRecordBytes() {
        return maxRequestBytes;
    }

    /**
     * Blocks until the cluster answers a metadata request, or fails after the timeout naming the
     * servers and the last error. Call it at start-up, never from an event loop.
     */
    public void awaitCluster(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            try {
                long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                admin.describeCluster().clusterId().get(Math.min(left, 5_000), TimeUnit.MILLISECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaUnavailableException("interrupted while waiting for Kafka at " + bootstrapServers, e);
            } catch (ExecutionException e) {
                last = e.getCause();
                if (last instanceof AuthenticationException) {
                    // wrong credentials or an untrusted certificate do not heal by waiting
                    throw new KafkaUnavailableException(loginFailure(last), last);
                }
                sleepQuietly(200);
            } catch (TimeoutException e) {
                last = e;
            }
        }
        String why = last == null || last.getMessage() == null ? "no answer" : last.getMessage();
        throw new KafkaUnavailableException("Kafka at " + bootstrapServers + " did not answer within "
                + timeout.toSeconds() + "s (" + why + ")", last);
    }

    /**
     * One line for Wharf's own login to Kafka failing: which kind (SASL or TLS), Kafka's reason (it
     * never contains the password) and where to look.
     */
    public String loginFailure(Throwable failure) {
        Throwable e = Causes.unwrap(failure);
        String kind = e instanceof SslAuthenticationException ? "TLS handshake failed" : "SASL authentication failed";
        String where = e instanceof SslAuthenticationException
                ? "check ssl.truststore.* (and ssl.keystore.* for mTLS) in kafka.properties"
                : "check sasl.mechanism and the user and password of sasl.jaas.config in kafka.properties";
        return "Kafka at " + bootstrapServers + " refused Wharf's login: " + kind + " ("
                + KafkaFailures.message(e) + "); " + where;
    }

    /** Asks the cluster for its id without blocking; completes exceptionally when Kafka does not answer. */
    public CompletableFuture<String> clusterId() {
        return toCompletable(admin.describeCluster().clusterId());
    }

    /**
     * Sends a run of records to one topic through the shared producer; never blocks. The topic is
     * looked up once (usually from the cache), the records are checked (size against the smaller
     * of {@code max.request.size} and the topic's {@code max.message.bytes}, partition against the
     * topic's) and queued for the writer thread, the only caller of the producer's {@code send}.
     * Runs of one caller to one topic reach Kafka in the order they were sent, also while the
     * topic is looked up; see {@link Sending} for what the caller learns and when.
     */
    public Sending send(List<ProducerRecord<byte[], byte[]>> records) {
        Sending run = new Sending(records);
        writer.submit(run);
        run.answered().thenAccept(done -> {
            int failed = done.failures();
            if (failed > 0) {
                sendsFailed.increment(failed);
            }
            if (failed < done.size()) {
                sendsAcknowledged.increment(done.size() - failed);
            }
        });
        return run;
    }

    /**
     * Sends one record (see {@link #send(List)}): completes with its partition and offset once Kafka
     * acknowledged it (acks=all), or fails with {@link UnknownTopicException},
     * {@link OversizedRecordException}, or Kafka's error.
     */
    public CompletableFuture<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
        return send(List.of(record)).answered().thenCompose(done -> done.error(0) == null
                ? CompletableFuture.completedFuture(done.metadata(0))
                : CompletableFuture.failedFuture(done.error(0)));
    }

    /**
     * The topic's partitions and cleanup policy, from a cache refreshed every 30 seconds (a known
     * topic keeps being served from the cache while the refresh runs). Fails with
     * {@link UnknownTopicException} when the topic does not exist, and with
     * {@link InternalTopicException} for a name Kafka reserves for itself unless
     * {@code kafka.allow-internal-topics} is on: every door looks a topic up here before producing to
     * it, reading it or starting a group member on it, so this is where the rule holds.
     */
    public CompletableFuture<TopicInfo> topic(String name) {
        if (refused(name)) {
            return CompletableFuture.failedFuture(new InternalTopicException(name));
        }
        long now = System.nanoTime();
        CachedTopic cached = topics.get(name);
        boolean known = cached != null && cached.info().isDone() && !cached.info().isCompletedExceptionally();
        if (cached != null && now < cached.expiresAtNanos()
                && !(cached.info().isCompletedExceptionally() && !isUnknownTopic(cached.info()))) {
            return cached.info();
        }
        if (known) {
            refreshTopic(name);
            return cached.info();
        }
        return lookUp(name, now);
    }

    /**
     * Asks Kafka again about a topic, e.g. to notice its deletion; until the answer comes, callers
     * of {@link #topic} keep getting what was known.
     */
    public CompletableFuture<TopicInfo> refreshTopic(String name) {
        if (refused(name)) {
            return CompletableFuture.failedFuture(new InternalTopicException(name));
        }
        CachedTopic before = topics.get(name);
        if (before == null || !before.info().isDone() || before.info().isCompletedExceptionally()) {
            return lookUp(name, System.nanoTime());
        }
        CompletableFuture<TopicInfo> inFlight = refreshes.get(name);
        if (inFlight != null) {
            return inFlight;
        }
        CompletableFuture<TopicInfo> fresh = describeTwice(name);
        if (refreshes.putIfAbsent(name, fresh) != null) {
            return refreshes.get(name);
        }
        fresh.whenComplete((info, error) -> {
            refreshes.remove(name, fresh);
            if (error == null) {
                topics.put(name, new CachedTopic(fresh, System.nanoTime() + TOPIC_TTL_NANOS));
            } else if (isUnknownTopic(fresh)) {
                topics.put(name, new CachedTopic(fresh, System.nanoTime() + MISSING_TOPIC_TTL_NANOS));
            }
            // any other failure (Kafka slow or away) keeps serving the known value
        });
        return fresh;
    }

    private CompletableFuture<TopicInfo> lookUp(String name, long now) {
        // A topic seen for the first time may have been created a moment ago: hold the first sends
        // until it takes writes (bounded; an offline partition must not block the others for long).
        CompletableFuture<TopicInfo> fresh = describeTwice(name).thenCompose(info -> retrying(
                System.nanoTime() + FIRST_SEND_WRITABLE_WAIT.toNanos(), () -> listEndOffsets(name, info.partitions()))
                .handle((ignored, error) -> info));
        topics.put(name, new CachedTopic(fresh, now + TOPIC_TTL_NANOS));
        fresh.whenComplete((info, error) -> {
            if (error != null) {
                // a missing topic may be created any moment; other failures are not cached at all
                topics.computeIfPresent(name, (k, v) -> v.info() == fresh
                        ? new CachedTopic(fresh, isUnknownTopic(fresh) ? System.nanoTime() + MISSING_TOPIC_TTL_NANOS : 0)
                        : v);
            }
        });
        return fresh;
    }

    // A topic created a moment ago may not have reached the broker's metadata yet: look twice.
    private CompletableFuture<TopicInfo> describeTwice(String name) {
        return describe(name).exceptionallyCompose(error -> Causes.unwrap(error) instanceof UnknownTopicException
                ? CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS))
                        .thenCompose(ignored -> describe(name))
                : CompletableFuture.failedFuture(Causes.unwrap(error)));
    }

    /**
     * Completes once every partition of the topic is open on its leader, or fails with the last
     * error after {@code timeout}. Kafka's metadata names a new partition's leader before that
     * leader has opened the partition; an idempotent producer whose first request lands in that
     * window and whose second does not is stuck on OUT_OF_ORDER_SEQUENCE_NUMBER until its records
     * expire (KAFKA-15591). Listing the partitions' end offsets is answered by the leader's
     * partition itself, so once it succeeds writes are safe. Never blocks the caller.
     */
    public CompletableFuture<Void> awaitWritable(String topic, Duration timeout) {
        return retrying(System.nanoTime() + timeout.toNanos(), () ->
                toCompletable(admin.describeTopics(List.of(topic)).topicNameValues().get(topic))
                        .thenCompose(description -> listEndOffsets(topic, description.partitions().size())));
    }

    private CompletableFuture<Void> listEndOffsets(String topic, int partitions) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        return toCompletable(admin.listOffsets(latest).all()).thenApply(ignored -> null);
    }

    // Repeats the attempt every WRITABLE_POLL_MILLIS until it succeeds, fails for good, or the deadline passes.
    private CompletableFuture<Void> retrying(long deadlineNanos, Supplier<CompletableFuture<Void>> attempt) {
        return attempt.get().exceptionallyCompose(error -> {
            // only "not there yet" is worth waiting out; e.g. a missing ACL is final
            if (!(Causes.unwrap(error) instanceof RetriableException) || System.nanoTime() >= deadlineNanos) {
                return CompletableFuture.failedFuture(Causes.unwrap(error));
            }
            return CompletableFuture.supplyAsync(() -> null,
                            CompletableFuture.delayedExecutor(WRITABLE_POLL_MILLIS, TimeUnit.MILLISECONDS))
                    .thenCompose(ignored -> retrying(deadlineNanos, attempt));
        });
    }

    /** Forgets cached metadata of a topic, e.g. after creating or deleting it. */
    public void forgetTopic(String name) {
        topics.remove(name);
    }

    private static boolean isUnknownTopic(CompletableFuture<TopicInfo> f) {
        try {
            f.getNow(null);
            return false;
        } catch (CompletionException e) {
            return e.getCause() instanceof UnknownTopicException;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private CompletableFuture<TopicInfo> describe(String name) {
        CompletableFuture<TopicDescription> description = toCompletable(
                admin.describeTopics(List.of(name)).topicNameValues().get(name));
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
        CompletableFuture<Config> config = toCompletable(admin.describeConfigs(List.of(resource)).values().get(resource))
                .exceptionally(error -> {
                    // Kafka's ACLs may allow Describe, Read and Write on a topic but not DescribeConfigs:
                    // the topic still works, without what its configs tell (compaction, max.message.bytes)
                    if (Causes.unwrap(error) instanceof AuthorizationException) {
                        return null;
                    }
                    throw new CompletionException(Causes.unwrap(error));
                });
        return description.thenCombine(config, (d, c) -> {
            if (c == null) {
                long suppressed = configsDeniedWarnings.admit();
                if (suppressed >= 0) {
                    LOG.warn("event=topic-configs-denied topic={} suppressed={} hint=\"grant Wharf's Kafka user "
                            + "DescribeConfigs on the topic so Wharf knows its cleanup.policy and max.message.bytes\"",
                            LogValue.of(name), suppressed);
                }
                c = new Config(List.of());
            }
            Map<String, String> configs = new HashMap<>();
            for (ConfigEntry e : c.entries()) {
                if (e.value() != null && !e.isSensitive()) {
                    configs.put(e.name(), e.value());
                }
            }
            String policy = configs.getOrDefault(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
            return new TopicInfo(name, d.partitions().size(), policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT), configs);
        }).exceptionallyCompose(error -> {
            Throwable cause = Causes.unwrap(error);
            if (cause instanceof UnknownTopicOrPartitionException) {
                return CompletableFuture.failedFuture(new UnknownTopicException(name));
            }
            if (cause instanceof TopicAuthorizationException t && t.unauthorizedTopics().isEmpty()) {
                // the admin client's describe names no topic: say which one, so every door can
                return CompletableFuture.failedFuture(new TopicAuthorizationException(t.getMessage(), Set.of(name)));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    /**
     * The names of all topics visible to Wharf; internal ones (a leading {@code __}) only when
     * {@code kafka.allow-internal-topics} is on.
     */
    public CompletableFuture<Set<String>> topicNames() {
        return toCompletable(admin.listTopics().names()).thenApply(names -> {
            if (settings.allowInternalTopics() || names.stream().noneMatch(TopicNames::isInternal)) {
                return names;
            }
            Set<String> visible = new java.util.TreeSet<>(names);
            visible.removeIf(TopicNames::isInternal);
            return visible;
        });
    }

    /**
     * What is wrong with a topic name a client gave, or null: Kafka's rules ({@link TopicNames#problem})
     * and, unless {@code kafka.allow-internal-topics} is on, the names Kafka reserves for itself.
     */
    public String topicProblem(String name) {
        String problem = TopicNames.problem(name);
        return problem != null ? problem : refused(name) ? TopicNames.internalProblem(name) : null;
    }

    /**
     * Creates a topic (then forgets its cached metadata); fails with {@link InternalTopicException}
     * for a reserved name unless {@code kafka.allow-internal-topics} is on, else with Kafka's error.
     */
    public CompletableFuture<Void> createTopic(NewTopic topic) {
        if (refused(topic.name())) {
            return CompletableFuture.failedFuture(new InternalTopicException(topic.name()));
        }
        return toCompletable(admin.createTopics(List.of(topic)).all()).whenComplete((ok, error) -> forgetTopic(topic.name()));
    }

    private boolean refused(String name) {
        return !settings.allowInternalTopics() && TopicNames.isInternal(name);
    }

    /** The shared admin client. Do not close it. */
    public Admin admin() {
        return admin;
    }

    /**
     * A new consumer-group member (bytes in, auto-commit off unless overridden). The caller owns it,
     * uses it from one thread only (Kafka's contract) and closes it.
     */
    public KafkaConsumer<byte[], byte[]> newGroupConsumer(String groupId, Map<String, Object> overrides) {
        Map<String, Object> props = consumerProperties("wharf-" + groupId);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.putAll(overrides);
        return new KafkaConsumer<>(props);
    }

    /**
     * A new plain reader without a group, for {@code assign()} and {@code seek()}. The caller owns
     * it, uses it from one thread only and closes it.
     */
    public KafkaConsumer<byte[], byte[]> newReader(String purpose, Map<String, Object> overrides) {
        Map<String, Object> props = consumerProperties("wharf-" + purpose);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.putAll(overrides);
        return new KafkaConsumer<>(props);
    }

    /** A new transactional producer (for exactly-once Kafka outputs). The caller owns and closes it. */
    public KafkaProducer<byte[], byte[]> newTransactionalProducer(String transactionalId, Map<String, Object> overrides) {
        Map<String, Object> props = producerProperties();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "wharf-tx-" + transactionalId);
        props.putAll(overrides);
        return new KafkaProducer<>(props);
    }

    /**
     * Publishes a client's metrics on {@code /metrics} until the returned handle is closed. Each
     * binding keeps a small refresh task, so bind long-lived clients only.
     */
    public AutoCloseable bindMetrics(Consumer<?, ?> consumer) {
        KafkaClientMetrics metrics = new KafkaClientMetrics(consumer);
        metrics.bindTo(registry);
        return metrics::close;
    }

    private Map<String, Object> common() {
        Map<String, Object> props = new HashMap<>(settings.properties());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }

    private Map<String, Object> producerProperties() {
        Map<String, Object> props = common();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "wharf-producer");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(64 * 1024));
        // Bounded wait when the producer's buffer is full; only the writer thread ever waits (see send).
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        props.putAll(settings.producer());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    private Map<String, Object> consumerProperties(String clientIdPrefix) {
        Map<String, Object> props = common();
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientIdPrefix + "-" + clientSequence.incrementAndGet());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.putAll(settings.consumer());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    /** Adapts a Kafka future to a {@link CompletableFuture}. */
    public static <T> CompletableFuture<T> toCompletable(KafkaFuture<T> future) {
        CompletableFuture<T> out = new CompletableFuture<>();
        future.whenComplete((value, error) -> {
            if (error != null) {
                out.completeExceptionally(error);
            } else {
                out.complete(value);
            }
        });
        return out;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Flushes the producer (bounded), then closes every shared client. */
    @Override
    public void close() {
        writer.close();
        try {
            producer.close(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            LOG.warn("event=producer-close-failed error=\"{}\"", e.getMessage());
        }
        clientMetrics.forEach(KafkaClientMetrics::close);
        admin.close(Duration.ofSeconds(5));
    }
}
