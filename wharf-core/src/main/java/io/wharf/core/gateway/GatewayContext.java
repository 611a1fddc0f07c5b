package io.wharf.core.gateway;

import io.wharf.core.auth.Credentials;
import io.wharf.core.config.WharfConfig;
import io.wharf.core.kafka.KafkaAccess;
import io.wharf.core.metrics.WharfMetrics;

/** What the gateway shares with every front door: configuration, Kafka, metrics, threads, readiness, auth. */
public final class GatewayContext {
    private final WharfConfig config;
    private final KafkaAccess kafka;
    private final WharfMetrics metrics;
    private final NetworkThreads network;
    private final Readiness readiness;
    private final Credentials credentials;

    GatewayContext(WharfConfig config, KafkaAccess kafka, WharfMetrics metrics, NetworkThreads network,
                   Readiness readiness) {
        this.config = config;
        this.kafka = kafka;
        this.metrics = metrics;
        this.network = network;
        this.readiness = readiness;
        this.credentials = new Credentials(config.auth());
    }

    /** The validated configuration. */
    public WharfConfig config() {
        return config;
    }

    /** Shared Kafka clients. */
    public KafkaAccess kafka() {
        return kafka;
    }

    /** The metrics registry, scraped on {@code /metrics}. */
    public WharfMetrics metrics() {
        return metrics;
    }

    /** Shared Netty event loops. */
    public NetworkThreads network() {
        return network;
    }

    /** Whether the gateway can serve. */
    public Readiness readiness() {
        return readiness;
    }

    /** The configured credentials every door enforces. */
    public Credentials credentials() {
        return credentials;
    }
}
