package io.wharf.http;

import java.time.Duration;

import io.wharf.core.gateway.GatewayContext;
import io.wharf.core.group.GroupRuntime;
import io.wharf.core.hub.TopicHub;
import io.wharf.core.kafka.KafkaAccess;

/** What the HTTP door's handlers share: the gateway, the door's settings and meters, the hub and the group members' threads. */
final class DoorContext {
    /** How long a WebSocket's consumer may take to commit and leave its group when it closes. */
    static final Duration GROUP_CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** Longest pause between two polls of a socket's consumer while nothing arrives: its worst added latency. */
    static final Duration GROUP_POLL_BACKOFF = Duration.ofMillis(50);

    private final GatewayContext gateway;
    private final HttpMetrics metrics;
    private final IdempotencyCache idempotency = new IdempotencyCache(10_000, Duration.ofMinutes(10));
    private final GroupRuntime groups;

    DoorContext(GatewayContext gateway, HttpMetrics metrics) {
        this.gateway = gateway;
        this.metrics = metrics;
        // no setting: one poller per core (at most four) serves every group-mode and kafka-proxy socket;
        // at most two lifecycle tasks per member, and members are bounded by connections x subscriptions
        HttpSettings settings = gateway.config().section(HttpSettings.class);
        this.groups = new GroupRuntime("wharf-http", GroupRuntime.defaultPollerThreads(),
                (int) Math.min(1 << 20, 2L * settings.maxConnections() * NativeSocket.MAX_SUBSCRIPTIONS + 16),
                GROUP_CLOSE_TIMEOUT);
    }

    GatewayContext gateway() {
        return gateway;
    }

    HttpSettings settings() {
        return gateway.config().section(HttpSettings.class);
    }

    KafkaAccess kafka() {
        return gateway.kafka();
    }

    HttpMetrics metrics() {
        return metrics;
    }

    /** The gateway's topic hub (the gateway starts it before any door). */
    TopicHub hub() {
        return gateway.hub();
    }

    IdempotencyCache idempotency() {
        return idempotency;
    }

    /** The consumer-group members of WebSocket connections and their poller threads; closed with the door. */
    GroupRuntime groups() {
        return groups;
    }
}
