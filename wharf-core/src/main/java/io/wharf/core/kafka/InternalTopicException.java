package io.wharf.core.kafka;

import org.apache.kafka.common.errors.InvalidTopicException;

/**
 * A client named a topic Kafka reserves for itself ({@link TopicNames#isInternal}) while
 * {@code kafka.allow-internal-topics} is off. An {@link InvalidTopicException}, so every door
 * answers it as it answers a bad topic name.
 */
public final class InternalTopicException extends InvalidTopicException {
    private static final long serialVersionUID = 1L;
    private final String topic;

    public InternalTopicException(String topic) {
        super(TopicNames.internalProblem(topic));
        this.topic = topic;
    }

    /** The refused name. */
    public String topic() {
        return topic;
    }
}
