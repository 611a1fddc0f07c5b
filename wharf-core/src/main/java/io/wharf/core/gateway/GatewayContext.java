package io.wharf.core.gateway;

import io.wharf.core.access.AccessPolicy;
import io.wharf.core.access.PrincipalLimits;
import io.wharf.core.auth.Credentials;
import io.wharf.core.config.WharfConfig;
import io.wharf.core.hub.TopicHub;
import io.wharf.core.kafka.KafkaAccess;
import io.wharf.core.metrics.WharfMetrics;

/** What the gateway shares with every front door: configuration, Kafka, the topic hub, metrics, threads, readiness, auth, access. */
public final class GatewayContext {
    private final WharfConfig config;
    private final KafkaAccess kafka;
    private final WharfMetrics metrics;
    private final NetworkThreads network;
    private final Readiness readiness;
    private final Credentials credentials;
    private final AccessPolicy access;
    private final PrincipalLimits limits;
    private final TopicHub hub;

    GatewayContext(WharfConfig config, KafkaAccess kafka, TopicHub hub, WharfMetrics metrics, NetworkThreads network,
                   Readiness readiness) {
        this.config = config;
        this.kafka = kafka;
        this.hub = hub;
        this.metrics = metrics;
        this.network = network;
        this.readiness = readiness;
        this.credentials = new Credentials(config.auth(), metrics.registry());
        this.access = new AccessPolicy(config.access(), metrics.registry());
        this.limits = new PrincipalLimits(config.access(), metrics.registry());
    }

    /** The validated configuration. */
    public WharfConfig config() {
        return config;
    }

    /** Shared Kafka clients. */
    public KafkaAccess kafka() {
        return kafka;
    }

    /** The shared topic hub: one Kafka read per topic-partition fanned out to every subscriber. */
    public TopicHub hub() {
        return hub;
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

    /** The access rules every door asks before each operation. */
    public AccessPolicy access() {
        return access;
    }

    /** The per-principal limits every door applies. */
    public PrincipalLimits limits() {
        return limits;
    }
}
