package io.wharf.core.kafka;

import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;

/** Client-facing sentences for what Kafka (or the gateway's Kafka access) failed with, shared by the doors. */
public final class KafkaFailures {
    private KafkaFailures() {
    }

    /**
     * One sentence for a failed send or topic lookup: the missing topic, the topics not authorised,
     * Kafka not acknowledging in time, or else the failure's own message.
     */
    public static String describe(Throwable failure) {
        Throwable e = Causes.unwrap(failure);
        if (e instanceof UnknownTopicException u) {
            return u.getMessage();
        }
        if (e instanceof TopicAuthorizationException t && !t.unauthorizedTopics().isEmpty()) {
            return "Kafka refused access to topic(s) " + t.unauthorizedTopics()
                    + ": TOPIC_AUTHORIZATION_FAILED (the ACLs of Wharf's Kafka user do not allow it)";
        }
        if (e instanceof AuthorizationException) {
            return "Kafka refused: " + message(e) + " (the ACLs of Wharf's Kafka user do not allow it)";
        }
        if (e instanceof TimeoutException) {
            return "Kafka did not acknowledge in time: " + e.getMessage();
        }
        return message(e);
    }

    /** The failure's own message, or its class's simple name when it has none. */
    public static String message(Throwable failure) {
        return failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    }
}
