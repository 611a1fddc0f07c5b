package io.wharf.kafka.embedded;

/** A listener's port is already taken by another process. */
public class PortInUseException extends EmbeddedKafkaException {
    private static final long serialVersionUID = 1L;

    public PortInUseException(String listener, String host, int port) {
        super("port " + port + " (" + listener + " on " + host + ") is already in use", null);
    }
}
