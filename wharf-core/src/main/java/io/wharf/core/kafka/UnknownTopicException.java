package io.wharf.core.kafka;

/** A request named a topic that does not exist in Kafka. */
public class UnknownTopicException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String topic;

    public UnknownTopicException(String topic) {
        super("topic '" + topic + "' does not exist");
        this.topic = topic;
    }

    /** The missing topic's name. */
    public String topic() {
        return topic;
    }
}
