package io.wharf.relay;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.wharf.relay.config.RetrySettings;
import io.wharf.relay.config.WebhookRouteSettings;

/** Route settings for tests, built up one option at a time. */
final class Routes {
    private String name;
    private List<String> topics;
    private URI url;
    private String deadLetterTopic;
    private String group;
    private String method;
    private Map<String, String> headers;
    private Duration requestTimeout;
    private Integer maxInFlight;
    private Integer maxInFlightPerPartition;
    private Integer maxBuffered;
    private RetrySettings retry;
    private String responseTopic;
    private String idempotencyKeyHeader;
    private Duration commitInterval;
    private Duration drainTimeout;

    private Routes(String name, String topic, URI url, String deadLetterTopic) {
        this.name = name;
        this.topics = List.of(topic);
        this.url = url;
        this.deadLetterTopic = deadLetterTopic;
    }

    static Routes route(String name, String topic, URI url, String deadLetterTopic) {
        return new Routes(name, topic, url, deadLetterTopic);
    }

    Routes group(String g) {
        group = g;
        return this;
    }

    Routes method(String m) {
        method = m;
        return this;
    }

    Routes headers(Map<String, String> h) {
        headers = h;
        return this;
    }

    Routes requestTimeout(Duration d) {
        requestTimeout = d;
        return this;
    }

    Routes maxInFlight(int n) {
        maxInFlight = n;
        return this;
    }

    Routes maxInFlightPerPartition(int n) {
        maxInFlightPerPartition = n;
        return this;
    }

    Routes maxBuffered(int n) {
        maxBuffered = n;
        return this;
    }

    Routes retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
        retry = new RetrySettings(maxAttempts, null, initialBackoff, maxBackoff, null, null);
        return this;
    }

    Routes responseTopic(String t) {
        responseTopic = t;
        return this;
    }

    Routes idempotencyKeyHeader(String h) {
        idempotencyKeyHeader = h;
        return this;
    }

    Routes commitInterval(Duration d) {
        commitInterval = d;
        return this;
    }

    Routes drainTimeout(Duration d) {
        drainTimeout = d;
        return this;
    }

    WebhookRouteSettings build() {
        return new WebhookRouteSettings(name, topics, group, url, method, headers, requestTimeout, null, maxInFlight,
                maxInFlightPerPartition, maxBuffered, null, null, retry, deadLetterTopic, responseTopic,
                idempotencyKeyHeader, commitInterval, drainTimeout, null);
    }
}
