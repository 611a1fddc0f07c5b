package io.wharf.core.hub;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.wharf.core.kafka.Causes;
import io.wharf.core.config.HubSettings;
import io.wharf.core.kafka.KafkaAccess;
import io.wharf.core.kafka.TopicInfo;
import io.wharf.core.kafka.UnknownTopicException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link TopicHub} over Kafka: one {@link PartitionFeed} (a plain reader, no group) per
 * topic-partition with any interest, each with a bounded {@link PartitionCache}; subscriptions read
 * the caches through their own cursors, and fall back to a private {@link CatchUpReader} (at most
 * {@code hub.max-catch-up-readers} at once) only when the cache no longer holds their position.
 *
 * <p>A single control thread resolves start positions, closes idle readers after
 * {@code hub.idle-grace}, ages the caches, and notices deleted topics. Feed creation and interest
 * counts are guarded by {@link #feedsLock}.
 */
public final class KafkaTopicHub implements TopicHub {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopicHub.class);
    private static final long TOPIC_CHECK_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long STOP_WAIT_MILLIS = 5_000;

    private final KafkaAccess kafka;
    private final HubSettings settings;
    private final MeterRegistry registry;
    private final HubCounters counters = new HubCounters();
    private final MemoryBudget budget;
    private final Map<String, Object> readerProperties;
    private final OffsetLookups offsetLookups;
    /** Guards creating and removing feeds and their interest counts. */
    private final Object feedsLock = new Object();
    private final Map<TopicPartition, PartitionFeed> feeds = new ConcurrentHashMap<>();
    private final Set<HubSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final Set<CatchUpReader> catchUpReaders = ConcurrentHashMap.newKeySet();
    private final Set<PartitionFeed> runningFeeds = ConcurrentHashMap.newKeySet();
    private final Semaphore catchUpPermits;
    private final ConcurrentLinkedQueue<HubSubscription> permitWaiters = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService control;
    private final List<Meter> meters = new ArrayList<>();
    private final AtomicInteger lagging = new AtomicInteger();
    private long lastTopicCheckNanos = System.nanoTime();
    private volatile boolean closed;

    private KafkaTopicHub(KafkaAccess kafka, HubSettings settings, MeterRegistry registry) {
        this.kafka = kafka;
        this.settings = settings;
        this.registry = registry;
        this.budget = new MemoryBudget(settings.cacheMemoryCap());
        this.catchUpPermits = new Semaphore(settings.maxCatchUpReaders());
        this.readerProperties = readerProperties(kafka);
        this.offsetLookups = new OffsetLookups(kafka.admin());
        this.control = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wharf-hub-control");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts a hub: its housekeeping, its metrics, and the shared readers of the configured bootstrap
     * topics (in the background; a missing bootstrap topic is logged, not fatal).
     */
    public static KafkaTopicHub start(KafkaAccess kafka, HubSettings settings, MeterRegistry registry) {
        KafkaTopicHub hub = new KafkaTopicHub(kafka, settings, registry);
        hub.registerMeters();
        long tick = Math.max(50, Math.min(1_000, settings.idleGrace().toMillis() / 4));
        hub.control.scheduleWithFixedDelay(hub::housekeep, tick, tick, TimeUnit.MILLISECONDS);
        for (String topic : settings.bootstrapTopics()) {
            kafka.topic(topic).whenCompleteAsync((info, error) -> {
                if (error != null) {
                    LOG.warn("event=hub-bootstrap-topic-unavailable topic={} error=\"{}\"", topic,
                            unwrap(error).getMessage());
                } else {
                    hub.pin(info);
                }
            }, hub.control);
        }
        LOG.info("Topic hub started: cache {} bytes per partition, {} in all, idle grace {}, bootstrap topics {}",
                settings.cacheMaxBytes(), settings.cacheMemoryCap(), settings.idleGrace(), settings.bootstrapTopics());
        return hub;
    }

    private static Map<String, Object> readerProperties(KafkaAccess kafka) {
        Map<String, Object> props = new HashMap<>();
        // the hub repositions itself; a missing offset must surface as a gap, never as a silent reset
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        if (!kafka.settings().consumer().containsKey(ConsumerConfig.ISOLATION_LEVEL_CONFIG)
                && !kafka.settings().properties().containsKey(ConsumerConfig.ISOLATION_LEVEL_CONFIG)) {
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        }
        return Collections.unmodifiableMap(props);
    }

    @Override
    public Subscription subscribe(SubscriptionRequest request, HubListener listener) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        if (closed) {
            throw new HubClosedException();
        }
        for (int p : request.partitions()) {
            if (p < 0) {
                throw new IllegalArgumentException("partition " + p + " is negative");
            }
        }
        if (request.queueCapacity() < 0) {
            throw new IllegalArgumentException("queue capacity " + request.queueCapacity() + " is negative");
        }
        if (request.start() instanceof StartPosition.AtOffset at && at.offset() < 0) {
            throw new IllegalArgumentException("start offset " + at.offset() + " is negative");
        }
        FilterSet filters = request.filters().isEmpty() && request.bound().isEmpty() ? null
                : new FilterSet(request.filters(), request.bound());
        int capacity = request.queueCapacity() == 0 ? settings.queueCapacity() : request.queueCapacity();
        HubSubscription subscription = new HubSubscription(this, request, listener, filters, capacity);
        subscriptions.add(subscription);
        try {
            kafka.topic(request.topic())
                    .thenCompose(info -> StartOffsets.resolve(kafka.admin(), offsetLookups, info, request))
                    .whenCompleteAsync((resolved, error) -> {
                        if (error != null) {
                            subscription.terminate(unwrap(error));
                        } else {
                            activate(subscription, resolved);
                        }
                    }, control);
        } catch (RejectedExecutionException e) {
            subscription.terminate(new HubClosedException());
        }
        return subscription;
    }

    /** Binds a resolved subscription to the feeds of its partitions, starting the feeds that do not run yet. */
    private void activate(HubSubscription subscription, StartOffsets.Resolved start) {
        if (closed) {
            subscription.terminate(new HubClosedException());
            return;
        }
        TopicInfo info = start.info();
        int n = start.partitions().length;
        PartitionFeed[] chosen = new PartitionFeed[n];
        synchronized (feedsLock) {
            for (int i = 0; i < n; i++) {
                TopicPartition tp = new TopicPartition(info.name(), start.partitions()[i]);
                PartitionFeed feed = feeds.get(tp);
                if (feed == null) {
                    // a compacted partition is read whole (snapshots need every key); otherwise the first
                    // subscriber's start, so a first replay costs no second read
                    long from = info.compacted() ? start.earliest()[i]
                            : Math.min(Math.max(start.starts()[i], start.earliest()[i]), start.latest()[i]);
                    feed = newFeed(tp, info.compacted(), from, false);
                }
                feed.addInterest();
                chosen[i] = feed;
            }
        }
        if (!subscription.attach(chosen, start)) {
            releaseInterest(List.of(chosen));
        }
    }

    private PartitionFeed newFeed(TopicPartition tp, boolean compacted, long start, boolean pinned) {
        PartitionFeed feed = new PartitionFeed(this, tp, compacted, start, pinned);
        feeds.put(tp, feed);
        feed.start();
        return feed;
    }

    /** Reads every partition of a bootstrap topic from now on, whatever the interest. */
    private void pin(TopicInfo info) {
        synchronized (feedsLock) {
            if (closed) {
                return;
            }
            for (int p = 0; p < info.partitions(); p++) {
                TopicPartition tp = new TopicPartition(info.name(), p);
                PartitionFeed feed = feeds.get(tp);
                if (feed == null) {
                    newFeed(tp, info.compacted(), info.compacted() ? PartitionFeed.EARLIEST : PartitionFeed.LATEST, true);
                } else {
                    feed.pin();
                }
            }
        }
        LOG.info("event=hub-bootstrap-topic topic={} partitions={} compacted={}", info.name(), info.partitions(),
                info.compacted());
    }

    void unregister(HubSubscription subscription, PartitionCursor[] cursors) {
        subscriptions.remove(subscription);
        permitWaiters.remove(subscription);
        List<PartitionFeed> left = new ArrayList<>(cursors.length);
        for (PartitionCursor c : cursors) {
            left.add(c.feed);
        }
        releaseInterest(left);
    }

    private void releaseInterest(List<PartitionFeed> left) {
        long now = System.nanoTime();
        synchronized (feedsLock) {
            for (PartitionFeed feed : left) {
                feed.releaseInterest(now);
            }
        }
    }

    private void housekeep() {
        try {
            long now = System.nanoTime();
            long grace = settings.idleGrace().toNanos();
            synchronized (feedsLock) {
                for (PartitionFeed feed : new ArrayList<>(feeds.values())) {
                    if (feed.idleFor(now, grace)) {
                        feeds.remove(feed.partition(), feed);
                        feed.stop();
                        LOG.debug("event=hub-reader-idle partition={}", feed.partition());
                    }
                }
            }
            long cutoff = now - settings.cacheMaxAge().toNanos();
            for (PartitionFeed feed : feeds.values()) {
                feed.ageCache(cutoff);
            }
            int behind = 0;
            for (HubSubscription s : subscriptions) {
                if (s.lagging()) {
                    behind++;
                }
            }
            lagging.set(behind);
            if (now - lastTopicCheckNanos >= TOPIC_CHECK_NANOS) {
                lastTopicCheckNanos = now;
                checkTopics();
            }
        } catch (RuntimeException e) {
            LOG.warn("event=hub-housekeeping-failed error=\"{}\"", e.toString());
        }
    }

    /** Ends the subscriptions and readers of topics that were deleted. */
    private void checkTopics() {
        Set<String> topics = new HashSet<>();
        feeds.keySet().forEach(tp -> topics.add(tp.topic()));
        subscriptions.forEach(s -> topics.add(s.topic()));
        for (String topic : topics) {
            kafka.refreshTopic(topic).whenCompleteAsync((info, error) -> {
                if (error != null && unwrap(error) instanceof UnknownTopicException gone) {
                    topicGone(topic, gone);
                }
            }, control);
        }
    }

    private void topicGone(String topic, UnknownTopicException cause) {
        LOG.warn("event=hub-topic-gone topic={} action=end-subscriptions", topic);
        for (HubSubscription s : subscriptions) {
            if (s.topic().equals(topic)) {
                s.terminate(cause);
            }
        }
        synchronized (feedsLock) {
            for (PartitionFeed feed : new ArrayList<>(feeds.values())) {
                if (feed.partition().topic().equals(topic)) {
                    feeds.remove(feed.partition(), feed);
                    feed.stop();
                }
            }
        }
    }

    /** Frees cache space in the biggest caches until {@code bytes} more fit under the global cap. Holds no lock on entry. */
    void makeRoom(PartitionFeed appending, long bytes) {
        long excess = budget.excessWith(bytes);
        for (int round = 0; excess > 0 && round < 1_000; round++) {
            PartitionFeed victim = appending;
            for (PartitionFeed f : runningFeeds) {
                if (f.cachedBytes() > victim.cachedBytes()) {
                    victim = f;
                }
            }
            long freed = victim.trimCache(excess);
            if (freed == 0) {
                return;
            }
            excess = budget.excessWith(bytes);
        }
    }

    boolean tryAcquireCatchUpPermit() {
        return catchUpPermits.tryAcquire();
    }

    /** Queues a subscription for the next free reader slot. Called under its lock, so the offer runs elsewhere. */
    void awaitCatchUpPermit(HubSubscription subscription) {
        permitWaiters.add(subscription);
        try {
            // never offer from here: taking another subscription's lock under this one's could deadlock
            control.execute(this::offerPermits);
        } catch (RejectedExecutionException e) {
            // closing: every subscription is about to end
        }
    }

    private void offerPermits() {
        while (!permitWaiters.isEmpty() && catchUpPermits.tryAcquire()) {
            HubSubscription next = permitWaiters.poll();
            if (next == null || !next.permitOffered()) {
                catchUpPermits.release();
                if (next == null) {
                    return;
                }
            }
        }
    }

    void catchUpReaderStarted(CatchUpReader reader) {
        catchUpReaders.add(reader);
    }

    void catchUpReaderStopped(CatchUpReader reader) {
        catchUpReaders.remove(reader);
        catchUpPermits.release();
        offerPermits();
    }

    void sharedReaderRunning(PartitionFeed feed) {
        runningFeeds.add(feed);
    }

    void sharedReaderStopped(PartitionFeed feed) {
        runningFeeds.remove(feed);
    }

    /** A shared reader cannot go on (not authorised, or a bug): its subscribers end with the cause, never starve. */
    void sharedReaderFailed(PartitionFeed feed, Throwable cause) {
        synchronized (feedsLock) {
            feeds.remove(feed.partition(), feed);
        }
        feed.endSubscriptions(cause);
    }

    KafkaAccess kafka() {
        return kafka;
    }

    HubSettings settings() {
        return settings;
    }

    MemoryBudget budget() {
        return budget;
    }

    HubCounters counters() {
        return counters;
    }

    Map<String, Object> readerProperties() {
        return readerProperties;
    }

    long idleGraceNanos() {
        return Math.max(TimeUnit.MILLISECONDS.toNanos(100), settings.idleGrace().toNanos());
    }

    /** The hub's figures now. */
    public HubStats stats() {
        return new HubStats(subscriptions.size(), runningFeeds.size(), catchUpReaders.size(), budget.used(),
                counters.sharedRecordsIn.sum(), counters.catchUpRecordsIn.sum(), counters.eventsOut.sum(),
                counters.conflated.sum(), counters.gaps.sum(), lagging.get(), counters.filterEvaluations.sum());
    }

    private void registerMeters() {
        meters.add(Gauge.builder("wharf.hub.subscribers", subscriptions, Set::size)
                .description("open hub subscriptions").register(registry));
        meters.add(Gauge.builder("wharf.hub.shared.readers", runningFeeds, Set::size)
                .description("Kafka readers shared by every subscriber, one per topic-partition").register(registry));
        meters.add(Gauge.builder("wharf.hub.catchup.readers", catchUpReaders, Set::size)
                .description("private Kafka readers of subscribers behind the cache").register(registry));
        meters.add(Gauge.builder("wharf.hub.cache.bytes", budget, MemoryBudget::used).baseUnit("bytes")
                .description("bytes of records cached by the hub").register(registry));
        meters.add(Gauge.builder("wharf.hub.lagging.subscribers", lagging, AtomicInteger::get)
                .description("subscribers behind by more than their queue or catching up from Kafka")
                .register(registry));
        meters.add(FunctionCounter.builder("wharf.hub.records.in", counters.sharedRecordsIn, a -> a.sum())
                .tag("source", "shared").description("records read from Kafka by the hub").register(registry));
        meters.add(FunctionCounter.builder("wharf.hub.records.in", counters.catchUpRecordsIn, a -> a.sum())
                .tag("source", "catch-up").description("records read from Kafka by the hub").register(registry));
        meters.add(FunctionCounter.builder("wharf.hub.records.out", counters.eventsOut, a -> a.sum())
                .description("events handed to subscribers").register(registry));
        meters.add(FunctionCounter.builder("wharf.hub.conflated", counters.conflated, a -> a.sum())
                .description("superseded records skipped for lagging subscribers of compacted topics")
                .register(registry));
        meters.add(FunctionCounter.builder("wharf.hub.gaps", counters.gaps, a -> a.sum())
                .description("gap events: records deleted by Kafka before a subscriber got them").register(registry));
        meters.add(FunctionCounter.builder("wharf.hub.filter.evaluations", counters.filterEvaluations, a -> a.sum())
                .description("filter-set evaluations (one per record per distinct filter set)").register(registry));
        meters.add(FunctionCounter.builder("wharf.hub.cache.evictions", counters.evicted, a -> a.sum())
                .description("records evicted from the hub's cache").register(registry));
    }

    static Throwable unwrap(Throwable error) {
        return Causes.unwrap(error);
    }

    /** Ends every subscription (listeners get {@link HubClosedException}), then stops every reader. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        control.shutdown();
        try {
            control.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (HubSubscription s : new ArrayList<>(subscriptions)) {
            s.terminate(new HubClosedException());
        }
        List<PartitionFeed> all;
        synchronized (feedsLock) {
            all = new ArrayList<>(feeds.values());
            feeds.clear();
        }
        all.addAll(runningFeeds);
        all.forEach(PartitionFeed::stop);
        List<CatchUpReader> readers = new ArrayList<>(catchUpReaders);
        readers.forEach(CatchUpReader::stop);
        long deadline = System.currentTimeMillis() + STOP_WAIT_MILLIS;
        for (PartitionFeed feed : all) {
            feed.awaitStopped(deadline - System.currentTimeMillis());
        }
        for (CatchUpReader reader : readers) {
            reader.awaitStopped(deadline - System.currentTimeMillis());
        }
        meters.forEach(registry::remove);
        LOG.info("Topic hub stopped");
    }
}
