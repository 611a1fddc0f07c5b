package io.wharf.core.config;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * The shared topic hub: one Kafka read per topic-partition, a bounded in-memory cache per
 * partition, and bounded work per subscriber.
 *
 * @param bootstrapTopics   topics read from start-up instead of on first interest
 * @param idleGrace         how long a shared reader (and an idle catch-up reader) lives on with no subscriber
 * @param cacheMaxBytes     most bytes of records cached per topic-partition (oldest evicted first)
 * @param cacheMaxAge       records cached longer than this are evicted
 * @param cacheMemoryCap    most bytes of records cached by all partitions together
 * @param queueCapacity     default per-subscriber queue: events held for it, and the backlog beyond which it
 *                          counts as lagging (and is conflated on a compacted topic)
 * @param maxCatchUpReaders most private Kafka reads for subscribers outside the cache at once; more wait their turn
 * @param keyIndexMaxBytes  most bytes of the key index a compacted partition keeps to serve snapshots beyond its
 *                          cache; past it, such snapshots replay every record instead of the latest per key
 */
public record HubSettings(List<String> bootstrapTopics, Duration idleGrace, Long cacheMaxBytes, Duration cacheMaxAge,
                          Long cacheMemoryCap, Integer queueCapacity, Integer maxCatchUpReaders,
                          Long keyIndexMaxBytes) implements Section {
    @JsonCreator
    public HubSettings {
        bootstrapTopics = bootstrapTopics == null ? List.of() : List.copyOf(bootstrapTopics);
        idleGrace = idleGrace == null ? Duration.ofSeconds(30) : idleGrace;
        cacheMaxBytes = cacheMaxBytes == null ? 16L * 1024 * 1024 : cacheMaxBytes;
        cacheMaxAge = cacheMaxAge == null ? Duration.ofMinutes(10) : cacheMaxAge;
        cacheMemoryCap = cacheMemoryCap == null ? 256L * 1024 * 1024 : cacheMemoryCap;
        queueCapacity = queueCapacity == null ? 1024 : queueCapacity;
        maxCatchUpReaders = maxCatchUpReaders == null ? 32 : maxCatchUpReaders;
        keyIndexMaxBytes = keyIndexMaxBytes == null ? 64L * 1024 * 1024 : keyIndexMaxBytes;
    }

    /** The original two settings; every other one takes its default. */
    public HubSettings(List<String> bootstrapTopics, Duration idleGrace) {
        this(bootstrapTopics, idleGrace, null, null, null, null, null, null);
    }

    /** Every default. */
    public static HubSettings defaults() {
        return new HubSettings(null, null, null, null, null, null, null, null);
    }

    /** A copy with other cache limits (per partition and for all partitions together). */
    public HubSettings withCache(long maxBytes, Duration maxAge, long memoryCap) {
        return new HubSettings(bootstrapTopics, idleGrace, maxBytes, maxAge, memoryCap, queueCapacity,
                maxCatchUpReaders, keyIndexMaxBytes);
    }

    /** A copy with another idle grace. */
    public HubSettings withIdleGrace(Duration grace) {
        return new HubSettings(bootstrapTopics, grace, cacheMaxBytes, cacheMaxAge, cacheMemoryCap, queueCapacity,
                maxCatchUpReaders, keyIndexMaxBytes);
    }

    /** A copy with another default queue capacity. */
    public HubSettings withQueueCapacity(int capacity) {
        return new HubSettings(bootstrapTopics, idleGrace, cacheMaxBytes, cacheMaxAge, cacheMemoryCap, capacity,
                maxCatchUpReaders, keyIndexMaxBytes);
    }

    /** A copy with other bootstrap topics. */
    public HubSettings withBootstrapTopics(List<String> topics) {
        return new HubSettings(topics, idleGrace, cacheMaxBytes, cacheMaxAge, cacheMemoryCap, queueCapacity,
                maxCatchUpReaders, keyIndexMaxBytes);
    }

    /** A copy with another key-index limit. */
    public HubSettings withKeyIndexMaxBytes(long bytes) {
        return new HubSettings(bootstrapTopics, idleGrace, cacheMaxBytes, cacheMaxAge, cacheMemoryCap, queueCapacity,
                maxCatchUpReaders, bytes);
    }

    @Override
    public void problems(String key, List<String> problems) {
        for (String topic : bootstrapTopics) {
            if (topic == null || topic.isBlank()) {
                problems.add(key + ".bootstrap-topics: topic names must not be blank");
            }
        }
        if (idleGrace.isNegative()) {
            problems.add(key + ".idle-grace: must not be negative");
        }
        if (cacheMaxBytes < 1) {
            problems.add(key + ".cache-max-bytes: " + cacheMaxBytes + " must be positive");
        }
        if (cacheMaxAge.isNegative() || cacheMaxAge.isZero()) {
            problems.add(key + ".cache-max-age: must be positive");
        }
        if (cacheMemoryCap < 1) {
            problems.add(key + ".cache-memory-cap: " + cacheMemoryCap + " must be positive");
        }
        if (queueCapacity < 1 || queueCapacity > 1_000_000) {
            problems.add(key + ".queue-capacity: " + queueCapacity + " is out of range (1-1000000)");
        }
        if (maxCatchUpReaders < 1 || maxCatchUpReaders > 10_000) {
            problems.add(key + ".max-catch-up-readers: " + maxCatchUpReaders + " is out of range (1-10000)");
        }
        if (keyIndexMaxBytes < 0) {
            problems.add(key + ".key-index-max-bytes: " + keyIndexMaxBytes + " must not be negative");
        }
    }
}
