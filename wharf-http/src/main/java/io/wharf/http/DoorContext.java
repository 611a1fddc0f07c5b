package io.wharf.http;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.wharf.core.gateway.GatewayContext;
import io.wharf.core.kafka.KafkaAccess;

/** What the HTTP door's handlers share: the gateway, the door's settings and meters, the hub and live readers. */
final class DoorContext {
    private final GatewayContext gateway;
    private final HttpMetrics metrics;
    private final HubAccess hub;
    private final IdempotencyCache idempotency = new IdempotencyCache(10_000, Duration.ofMinutes(10));
    private final Set<GroupReader> readers = ConcurrentHashMap.newKeySet();

    DoorContext(GatewayContext gateway, HttpMetrics metrics) {
        this.gateway = gateway;
        this.metrics = metrics;
        this.hub = new HubAccess(gateway);
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

    HubAccess hub() {
        return hub;
    }

    IdempotencyCache idempotency() {
        return idempotency;
    }

    /** Consumers started for connections, so closing the door can wait for them (bounded). */
    Set<GroupReader> readers() {
        return readers;
    }
}
