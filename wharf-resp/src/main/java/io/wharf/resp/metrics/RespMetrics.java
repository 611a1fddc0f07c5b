package io.wharf.resp.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The front door's meters on {@code /metrics}, all tagged {@code door=resp}: connections, commands
 * by name, errors by kind, records produced and consumed, blocked clients, active consumers, slow
 * clients closed, incomplete commands refused and the bytes incomplete commands hold.
 */
public final class RespMetrics {
    private final MeterRegistry registry;
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final Counter produced;
    private final Counter produceFailures;
    private final Counter produceRefused;
    private final Counter consumed;
    private final Counter connectionsAccepted;
    private final Counter slowClients;
    private final Map<String, Counter> refused = new ConcurrentHashMap<>();

    public RespMetrics(MeterRegistry registry, Supplier<Number> connections, Supplier<Number> blockedClients,
                       Supplier<Number> consumers, Supplier<Number> bufferedRequestBytes) {
        this.registry = registry;
        Gauge.builder("wharf.resp.buffered.request.bytes", bufferedRequestBytes).tag("door", "resp")
                .description("bytes of commands not yet completely received, over every connection").register(registry);
        slowClients = Counter.builder("wharf.resp.slow.clients.closed").tag("door", "resp")
                .description("connections closed because their client did not read its replies").register(registry);
        Gauge.builder("wharf.resp.connections", connections).tag("door", "resp")
                .description("open Redis-protocol connections").register(registry);
        Gauge.builder("wharf.resp.blocked.clients", blockedClients).tag("door", "resp")
                .description("connections waiting in BLPOP or BLMPOP").register(registry);
        Gauge.builder("wharf.resp.consumers", consumers).tag("door", "resp")
                .description("Kafka consumer-group members serving connections").register(registry);
        connectionsAccepted = Counter.builder("wharf.resp.connections.accepted").tag("door", "resp")
                .description("connections accepted since start").register(registry);
        produced = Counter.builder("wharf.resp.records.produced").tag("door", "resp")
                .description("records acknowledged by Kafka").register(registry);
        produceFailures = Counter.builder("wharf.resp.records.produce.failed").tag("door", "resp")
                .description("records Kafka refused or that could not be sent").register(registry);
        produceRefused = Counter.builder("wharf.resp.records.produce.refused").tag("door", "resp")
                .description("records refused before reaching Kafka (unknown topic, too large)").register(registry);
        consumed = Counter.builder("wharf.resp.records.consumed").tag("door", "resp")
                .description("records delivered to clients").register(registry);
    }

    /** The counter of one command name (a known name, or {@code unknown}). */
    public Counter command(String name) {
        return Counter.builder("wharf.resp.commands").tag("door", "resp").tag("command", name.toLowerCase(java.util.Locale.ROOT))
                .description("commands received, by name").register(registry);
    }

    /** Counts an error reply by its kind: the error's first word ({@code ERR}, {@code CONS}, ...) or {@code protocol}. */
    public void error(String kind) {
        errors.computeIfAbsent(kind, k -> Counter.builder("wharf.resp.errors").tag("door", "resp").tag("kind", k)
                .description("error replies, by kind").register(registry)).increment();
    }

    /** A connection was closed because its client left too much output unread for too long. */
    public void slowClientClosed() {
        slowClients.increment();
    }

    /** An incomplete command was refused and its connection closed; {@code limit} names the setting. */
    public void requestRefused(String limit) {
        refused.computeIfAbsent(limit, k -> Counter.builder("wharf.resp.requests.refused").tag("door", "resp")
                .tag("limit", k).description("incomplete commands refused, by the limit they hit").register(registry))
                .increment();
    }

    /** A connection was accepted. */
    public void connectionAccepted() {
        connectionsAccepted.increment();
    }

    /** Kafka acknowledged or refused produced records. */
    public void produceFinished(int acknowledged, int failed) {
        if (acknowledged > 0) {
            produced.increment(acknowledged);
        }
        if (failed > 0) {
            produceFailures.increment(failed);
        }
    }

    /** Records were refused before reaching the producer. */
    public void produceRefused(int records) {
        produceRefused.increment(records);
    }

    /** Records were delivered to a client. */
    public void consumed(int records) {
        consumed.increment(records);
    }
}
