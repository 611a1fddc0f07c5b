package io.wharf.core.kafka;

/** Kafka did not answer in time; the message says where Wharf looked and what it saw. */
public class KafkaUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KafkaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
