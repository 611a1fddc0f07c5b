package io.wharf.kafka.embedded;

/** The embedded broker could not start; the message is one line meant for the user. */
public class EmbeddedKafkaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EmbeddedKafkaException(String message, Throwable cause) {
        super(message, cause);
    }
}
