package io.wharf.kafka.embedded;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * How to start the embedded broker.
 *
 * @param logDir           where the broker keeps its data (formatted on first start)
 * @param bindAddress      address the client listener binds to
 * @param port             client port; 0 picks a free one
 * @param advertisedHost   host advertised to clients, or null to derive it from the bind address
 * @param autoCreateTopics whether producing to or fetching an unknown topic creates it
 * @param defaultPartitions partitions of auto-created topics and of topics created without a count
 * @param overrides        any further broker property, applied last
 * @param security         null for a {@code PLAINTEXT} listener anyone may use; else a {@code SASL_SSL}
 *                         listener with SCRAM users and ACLs
 */
public record EmbeddedKafkaSettings(Path logDir, String bindAddress, int port, String advertisedHost,
                                    boolean autoCreateTopics, int defaultPartitions, Map<String, String> overrides,
                                    EmbeddedSecurity security) {
    public EmbeddedKafkaSettings {
        Objects.requireNonNull(logDir, "logDir");
        Objects.requireNonNull(bindAddress, "bindAddress");
        overrides = overrides == null ? Map.of() : Map.copyOf(overrides);
    }

    /** A plain broker: no TLS, no authentication, no authorizer. */
    public EmbeddedKafkaSettings(Path logDir, String bindAddress, int port, String advertisedHost,
                                 boolean autoCreateTopics, int defaultPartitions, Map<String, String> overrides) {
        this(logDir, bindAddress, port, advertisedHost, autoCreateTopics, defaultPartitions, overrides, null);
    }

    /** A copy with this security (null for none). */
    public EmbeddedKafkaSettings withSecurity(EmbeddedSecurity newSecurity) {
        return new EmbeddedKafkaSettings(logDir, bindAddress, port, advertisedHost, autoCreateTopics,
                defaultPartitions, overrides, newSecurity);
    }

    /** Loopback on a free port with topic auto-creation off: what tests want. */
    public static EmbeddedKafkaSettings forTests(Path logDir) {
        return new EmbeddedKafkaSettings(logDir, "127.0.0.1", 0, null, false, 1, Map.of());
    }
}
