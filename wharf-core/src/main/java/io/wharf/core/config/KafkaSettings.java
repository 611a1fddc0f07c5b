package io.wharf.core.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kafka client settings. {@code properties} go to every client Wharf creates (so SASL and TLS to
 * the cluster need no code), then the per-kind maps override them.
 *
 * @param properties     any Kafka client property, for producers, consumers and admin alike
 * @param producer       producer-only overrides of the shared producer's properties
 * @param consumer       consumer-only overrides
 * @param startupTimeout how long start-up waits for the cluster to answer before giving up
 * @param requestTimeout how long a single metadata or admin request may take
 * @param allowInternalTopics whether clients may name topics Kafka reserves for itself (a leading
 *                       {@code __}, e.g. {@code __consumer_offsets}); off by default, since creating or
 *                       writing one breaks the cluster's consumer groups or transactions
 */
public record KafkaSettings(Map<String, String> properties, Map<String, String> producer,
                            Map<String, String> consumer, Duration startupTimeout,
                            Duration requestTimeout, Boolean allowInternalTopics) implements Section {
    public KafkaSettings {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        producer = producer == null ? Map.of() : Map.copyOf(producer);
        consumer = consumer == null ? Map.of() : Map.copyOf(consumer);
        startupTimeout = startupTimeout == null ? Duration.ofSeconds(30) : startupTimeout;
        requestTimeout = requestTimeout == null ? Duration.ofSeconds(10) : requestTimeout;
        allowInternalTopics = allowInternalTopics != null && allowInternalTopics;
    }

    /** Settings refusing internal topics. */
    public KafkaSettings(Map<String, String> properties, Map<String, String> producer, Map<String, String> consumer,
                         Duration startupTimeout, Duration requestTimeout) {
        this(properties, producer, consumer, startupTimeout, requestTimeout, null);
    }

    @Override
    public void problems(String key, List<String> problems) {
        if (startupTimeout.isNegative() || startupTimeout.isZero()) {
            problems.add(key + ".startup-timeout: must be positive");
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            problems.add(key + ".request-timeout: must be positive");
        }
        for (String k : List.of("bootstrap.servers", "key.serializer", "value.serializer", "key.deserializer",
                "value.deserializer")) {
            if (properties.containsKey(k) || producer.containsKey(k) || consumer.containsKey(k)) {
                problems.add(key + ": '" + k + "' is set by Wharf itself and cannot be overridden"
                        + (k.equals("bootstrap.servers") ? " (use bootstrap-servers)" : ""));
            }
        }
    }

    @Override
    public String toString() {
        return "KafkaSettings[properties=" + Secrets.masked(properties) + ", producer=" + Secrets.masked(producer)
                + ", consumer=" + Secrets.masked(consumer) + ", startupTimeout=" + startupTimeout
                + ", requestTimeout=" + requestTimeout + ", allowInternalTopics=" + allowInternalTopics + "]";
    }

    /** Properties with secrets replaced, safe to log. */
    public static Map<String, String> safeForLog(Map<String, String> props) {
        return new TreeMap<>(Secrets.masked(props));
    }
}
