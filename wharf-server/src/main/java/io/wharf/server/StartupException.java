package io.wharf.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** Wharf could not start; the message is the one line the user sees. Nothing is left running. */
final class StartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final int MAX_CAUSES = 4;

    StartupException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * An unexpected start-up failure in one line that names its cause: the bootstrap hosts that do not
     * resolve when that is why the Kafka clients could not be made, else the chain of causes (a
     * wrapper such as "Failed to construct kafka producer" alone says nothing).
     *
     * @param bootstrapServers the configured cluster, or null for the embedded broker
     */
    static StartupException unexpected(RuntimeException failure, String bootstrapServers) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (bootstrapServers != null && t instanceof org.apache.kafka.common.config.ConfigException
                    && String.valueOf(t.getMessage()).contains("resolvable bootstrap")) {
                List<String> unresolved = unresolvedHosts(bootstrapServers);
                if (!unresolved.isEmpty()) {
                    return new StartupException("bootstrap-servers: " + (unresolved.size() == 1 ? "host "
                            + unresolved.get(0) + " does not resolve" : "no host resolves: " + String.join(", ", unresolved))
                            + " (DNS lookup failed)", failure);
                }
            }
        }
        return new StartupException("start-up failed: " + causes(failure), failure);
    }

    /** {@code KafkaException: Failed to construct kafka producer: ConfigException: ...}, innermost last. */
    static String causes(Throwable failure) {
        List<String> parts = new ArrayList<>();
        Throwable previous = null;
        for (Throwable t = failure; t != null && t != previous && parts.size() < MAX_CAUSES; t = t.getCause()) {
            previous = t;
            String message = t.getMessage();
            // a wrapper whose message is only its cause's toString() adds nothing
            if (message != null && t.getCause() != null && message.equals(t.getCause().toString())) {
                continue;
            }
            parts.add(t.getClass().getSimpleName() + (message == null ? "" : ": " + message.replace('\n', ' ')));
        }
        return String.join(": ", parts);
    }

    private static List<String> unresolvedHosts(String bootstrapServers) {
        List<String> unresolved = new ArrayList<>();
        for (String server : bootstrapServers.split(",")) {
            String s = server.trim();
            String host = s.substring(0, Math.max(0, s.lastIndexOf(':')));
            try {
                InetAddress.getAllByName(host);
            } catch (UnknownHostException e) {
                unresolved.add(host);
            }
        }
        return unresolved;
    }
}
