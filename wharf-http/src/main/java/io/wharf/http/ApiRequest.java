package io.wharf.http;

import java.time.Duration;
import java.util.List;

import org.apache.kafka.clients.producer.ProducerRecord;

/** What a request on the HTTP port asks for, decoded from method, path, query, headers and body. */
sealed interface ApiRequest {
    /** {@code GET /healthz}. */
    record Health() implements ApiRequest {
    }

    /** {@code GET /readyz}. */
    record Ready() implements ApiRequest {
    }

    /** {@code GET /metrics}. */
    record Metrics() implements ApiRequest {
    }

    /** {@code GET /topics}. */
    record ListTopics() implements ApiRequest {
    }

    /**
     * {@code PUT /topics/{topic}}: create a topic.
     *
     * @param partitions        partitions, or null for the cluster's default
     * @param replicationFactor replicas, or null for the cluster's default
     * @param configs           topic configs such as {@code cleanup.policy}
     */
    record CreateTopic(String topic, Integer partitions, Short replicationFactor, java.util.Map<String, String> configs)
            implements ApiRequest {
    }

    /** {@code GET /topics/{topic}/metadata}. */
    record DescribeTopic(String topic) implements ApiRequest {
    }

    /**
     * {@code POST /topics/{topic}}.
     *
     * @param topic          the topic
     * @param records        the records, in order
     * @param batch          whether the body was a JSON batch (the reply lists every record)
     * @param idempotencyKey the {@code Idempotency-Key} header, or null
     */
    record Produce(String topic, List<ProducerRecord<byte[], byte[]>> records, boolean batch,
                   String idempotencyKey) implements ApiRequest {
    }

    /** {@code GET /topics/{topic}} with {@code Accept: text/event-stream}. */
    record Stream(String topic, SubscriptionQuery query) implements ApiRequest {
    }

    /**
     * {@code GET /topics/{topic}} without SSE.
     *
     * @param max  most records in the reply
     * @param maxWait how long to wait for the first record
     */
    record LongPoll(String topic, SubscriptionQuery query, int max, Duration maxWait) implements ApiRequest {
    }

    /**
     * A WebSocket upgrade on {@code /} with kafka-proxy's parameters.
     *
     * @param offset    where to start (inclusive), or null for the group's committed position
     */
    record KafkaProxyUpgrade(String topic, String group, Long offset, int partition) implements ApiRequest {
    }

    /** A WebSocket upgrade on {@code /ws} (the native protocol). */
    record NativeUpgrade() implements ApiRequest {
    }
}
