package io.wharf.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.wharf.core.kafka.Causes;
import io.wharf.core.kafka.KafkaUnavailableException;
import io.wharf.core.kafka.UnknownTopicException;
import io.wharf.core.kafka.KafkaFailures;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Maps what Kafka (or the gateway's Kafka access) failed with to a stable error code and HTTP status. */
final class KafkaErrors {
    private KafkaErrors() {
    }

    static ApiError toApiError(Throwable failure) {
        Throwable e = Causes.unwrap(failure);
        if (e instanceof ApiError api) {
            return api;
        }
        if (e instanceof UnknownTopicException || e instanceof UnknownTopicOrPartitionException) {
            return new ApiError(HttpResponseStatus.NOT_FOUND, "unknown_topic", e.getMessage());
        }
        if (e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException) {
            return new ApiError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "record_too_large", e.getMessage());
        }
        // before InvalidConfigurationException, which both extend since Kafka 4: Kafka's ACLs refused the
        // operation (the client's fault or the deployment's, 403), or Wharf's own Kafka login failed (503)
        if (e instanceof AuthorizationException) {
            return new ApiError(HttpResponseStatus.FORBIDDEN, "forbidden", KafkaFailures.describe(e));
        }
        if (e instanceof AuthenticationException) {
            return new ApiError(HttpResponseStatus.SERVICE_UNAVAILABLE, "kafka_unavailable",
                    "Wharf cannot log in to Kafka: " + e.getMessage());
        }
        if (e instanceof TopicExistsException) {
            return new ApiError(HttpResponseStatus.CONFLICT, "topic_exists", e.getMessage());
        }
        // before InvalidConfigurationException, which it extends (as does core's InternalTopicException)
        if (e instanceof InvalidTopicException) {
            return ApiError.badRequest("bad_topic", e.getMessage());
        }
        if (e instanceof InvalidConfigurationException || e instanceof InvalidReplicationFactorException
                || e instanceof PolicyViolationException) {
            return ApiError.badRequest("bad_topic_config", e.getMessage());
        }
        if (e instanceof InvalidPartitionsException) {
            return ApiError.badRequest("bad_partition", e.getMessage());
        }
        if (e instanceof InvalidTimestampException) {
            // beyond the topic's message.timestamp.after.max.ms / before.max.ms
            return ApiError.badRequest("bad_timestamp", "Kafka refused the record's timestamp: " + e.getMessage());
        }
        if (e instanceof TimeoutException || e instanceof RetriableException || e instanceof KafkaUnavailableException) {
            return new ApiError(HttpResponseStatus.SERVICE_UNAVAILABLE, "kafka_unavailable",
                    "Kafka did not accept the request: " + e.getMessage());
        }
        return new ApiError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal",
                e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
}
