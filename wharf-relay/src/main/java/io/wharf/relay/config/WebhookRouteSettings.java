package io.wharf.relay.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.wharf.core.config.Section;

/**
 * One webhook route: records of the source topics, consumed by a group, each become an HTTP call
 * carrying the record value as its body and an {@code Idempotency-Key} reused on every retry.
 *
 * @param name                    the route's name, used in metrics, logs and Kafka client ids
 * @param topics                  source topics
 * @param group                   consumer group (default {@code wharf-relay-<name>}); instances sharing it share the work
 * @param url                     endpoint called once per record (until it succeeds or the record is dead-lettered)
 * @param method                  HTTP method: POST (default), PUT, PATCH or DELETE
 * @param headers                 static headers sent with every call (values are never logged)
 * @param requestTimeout          how long one attempt may take, connect to last response byte (default 30s)
 * @param connectTimeout          how long opening a connection may take (default 5s)
 * @param maxInFlight             calls in flight at once over all partitions (default 1000)
 * @param maxInFlightPerPartition calls in flight at once for one partition (default: max-in-flight)
 * @param maxBuffered             events held in memory over all partitions before partitions are paused (default 10000)
 * @param maxBufferedPerPartition events held for one partition before it is paused (default: max-buffered)
 * @param maxBufferedBytes        record bytes held in memory before every partition is paused (default 64 MiB)
 * @param retry                   retry policy for network errors, timeouts, 5xx, 429 and 409
 * @param deadLetterTopic         where events that cannot be delivered go, with the reason in headers (required)
 * @param responseTopic           optional topic receiving each successful response, exactly once
 * @param idempotencyKeyHeader    record header holding the idempotency key; absent = derived from group, topic, partition, offset
 * @param commitInterval          how often finished progress (and responses, dead letters) is committed (default 500ms)
 * @param drainTimeout            how long a revoke or shutdown waits for calls in flight (default 10s)
 * @param maxResponseBytes        response bytes kept for the response topic; longer bodies are truncated and flagged (default 1 MiB)
 */
public record WebhookRouteSettings(String name, List<String> topics, String group, URI url, String method,
                                   Map<String, String> headers, Duration requestTimeout, Duration connectTimeout,
                                   Integer maxInFlight, Integer maxInFlightPerPartition, Integer maxBuffered,
                                   Integer maxBufferedPerPartition, Long maxBufferedBytes, RetrySettings retry,
                                   String deadLetterTopic, String responseTopic, String idempotencyKeyHeader,
                                   Duration commitInterval, Duration drainTimeout, Integer maxResponseBytes)
        implements Section {
    private static final Set<String> METHODS = Set.of("POST", "PUT", "PATCH", "DELETE");

    public WebhookRouteSettings {
        topics = topics == null ? List.of() : List.copyOf(topics);
        group = (group == null || group.isBlank()) && name != null ? "wharf-relay-" + name : group;
        method = method == null || method.isBlank() ? "POST" : method.trim().toUpperCase(Locale.ROOT);
        headers = headers == null ? Map.of() : Map.copyOf(new TreeMap<>(headers));
        requestTimeout = requestTimeout == null ? Duration.ofSeconds(30) : requestTimeout;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        maxInFlight = maxInFlight == null ? 1000 : maxInFlight;
        maxInFlightPerPartition = maxInFlightPerPartition == null ? maxInFlight : maxInFlightPerPartition;
        maxBuffered = maxBuffered == null ? 10_000 : maxBuffered;
        maxBufferedPerPartition = maxBufferedPerPartition == null ? maxBuffered : maxBufferedPerPartition;
        maxBufferedBytes = maxBufferedBytes == null ? 64L * 1024 * 1024 : maxBufferedBytes;
        retry = retry == null ? RetrySettings.defaults() : retry;
        responseTopic = responseTopic == null || responseTopic.isBlank() ? null : responseTopic;
        idempotencyKeyHeader = idempotencyKeyHeader == null || idempotencyKeyHeader.isBlank() ? null : idempotencyKeyHeader;
        commitInterval = commitInterval == null ? Duration.ofMillis(500) : commitInterval;
        drainTimeout = drainTimeout == null ? Duration.ofSeconds(10) : drainTimeout;
        maxResponseBytes = maxResponseBytes == null ? 1024 * 1024 : maxResponseBytes;
    }

    /** A route with every optional setting at its default. */
    public static WebhookRouteSettings of(String name, List<String> topics, URI url, String deadLetterTopic) {
        return new WebhookRouteSettings(name, topics, null, url, null, null, null, null, null, null, null, null, null,
                null, deadLetterTopic, null, null, null, null, null);
    }

    @Override
    public void problems(String key, List<String> problems) {
        RelayRules.name(problems, key + ".name", name);
        if (topics.isEmpty()) {
            problems.add(key + ".topics: at least one topic is required");
        }
        for (int i = 0; i < topics.size(); i++) {
            RelayRules.topic(problems, key + ".topics[" + i + "]", topics.get(i), true);
        }
        if (group == null || group.isBlank()) {
            problems.add(key + ".group: is required");
        }
        RelayRules.url(problems, key + ".url", url);
        if (!METHODS.contains(method)) {
            problems.add(key + ".method: '" + method + "' is not one of POST, PUT, PATCH, DELETE");
        }
        RelayRules.headers(problems, key + ".headers", headers);
        RelayRules.positive(problems, key + ".request-timeout", requestTimeout);
        RelayRules.positive(problems, key + ".connect-timeout", connectTimeout);
        RelayRules.range(problems, key + ".max-in-flight", maxInFlight, 1, 100_000);
        RelayRules.range(problems, key + ".max-in-flight-per-partition", maxInFlightPerPartition, 1, maxInFlight);
        RelayRules.range(problems, key + ".max-buffered", maxBuffered, Math.max(1, maxInFlight), 10_000_000);
        RelayRules.range(problems, key + ".max-buffered-per-partition", maxBufferedPerPartition,
                Math.max(1, maxInFlightPerPartition), Math.max(maxBuffered, 1));
        RelayRules.range(problems, key + ".max-buffered-bytes", maxBufferedBytes, 1024, 16L * 1024 * 1024 * 1024);
        retry.problems(key + ".retry", problems);
        RelayRules.topic(problems, key + ".dead-letter-topic", deadLetterTopic, true);
        RelayRules.topic(problems, key + ".response-topic", responseTopic, false);
        if (deadLetterTopic != null && topics.contains(deadLetterTopic)) {
            problems.add(key + ".dead-letter-topic: '" + deadLetterTopic + "' is also a source topic (dead letters would be relayed again)");
        }
        if (responseTopic != null && topics.contains(responseTopic)) {
            problems.add(key + ".response-topic: '" + responseTopic + "' is also a source topic (responses would be relayed again)");
        }
        RelayRules.positive(problems, key + ".commit-interval", commitInterval);
        if (drainTimeout.isNegative()) {
            problems.add(key + ".drain-timeout: must not be negative");
        }
        RelayRules.range(problems, key + ".max-response-bytes", maxResponseBytes, 0, 64 * 1024 * 1024);
    }

    @Override
    public String toString() {
        return "WebhookRouteSettings[name=" + name + ", topics=" + topics + ", group=" + group + ", url=" + url
                + ", method=" + method + ", headers=" + RelayRules.maskedHeaders(headers) + ", requestTimeout="
                + requestTimeout + ", connectTimeout=" + connectTimeout + ", maxInFlight=" + maxInFlight
                + ", maxInFlightPerPartition=" + maxInFlightPerPartition + ", maxBuffered=" + maxBuffered
                + ", maxBufferedPerPartition=" + maxBufferedPerPartition + ", maxBufferedBytes=" + maxBufferedBytes
                + ", retry=" + retry + ", deadLetterTopic=" + deadLetterTopic + ", responseTopic=" + responseTopic
                + ", idempotencyKeyHeader=" + idempotencyKeyHeader + ", commitInterval=" + commitInterval
                + ", drainTimeout=" + drainTimeout + ", maxResponseBytes=" + maxResponseBytes + "]";
    }
}
