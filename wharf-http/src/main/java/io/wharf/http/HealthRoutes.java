package io.wharf.http;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.wharf.core.metrics.WharfMetrics;

/** {@code /healthz} (the process is alive), {@code /readyz} (listeners up and Kafka answering), {@code /metrics}. */
final class HealthRoutes {
    private final DoorContext door;

    HealthRoutes(DoorContext door) {
        this.door = door;
    }

    void health(HttpExchange exchange) {
        exchange.reply(HttpReplies.json(HttpResponseStatus.OK, HttpReplies.JSON.createObjectNode().put("status", "alive")));
    }

    void ready(HttpExchange exchange) {
        door.gateway().readiness().check().thenAccept(status -> exchange.reply(HttpReplies.json(
                status.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                HttpReplies.JSON.createObjectNode().put("ready", status.ready()).put("reason", status.reason()))));
    }

    void metrics(HttpExchange exchange) {
        // scraping walks every meter; keep it off the event loop
        CompletableFuture.supplyAsync(() -> door.gateway().metrics().scrape())
                .thenAccept(text -> exchange.reply(HttpReplies.bytes(HttpResponseStatus.OK,
                        text.getBytes(StandardCharsets.UTF_8), WharfMetrics.contentType())))
                .exceptionally(e -> {
                    exchange.fail(e);
                    return null;
                });
    }
}
