package io.wharf.http;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** Every meter of the HTTP front door, registered once in the shared registry. */
final class HttpMetrics {
    private final Map<ConnectionKind, AtomicInteger> connections = new EnumMap<>(ConnectionKind.class);
    private final Map<ConnectionKind, Counter> recordsOut = new EnumMap<>(ConnectionKind.class);
    private final Counter recordsInHttp;
    private final Counter recordsInWebSocket;
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Counter refused;
    private final Counter slowClientDisconnects;
    private final Counter authFailures;
    private final Counter idleDisconnects;
    private final Counter commitFailures;
    private final Map<String, Counter> slowRequestDisconnects = new java.util.HashMap<>();
    private final Map<String, Counter> originRefusals = new java.util.HashMap<>();

    HttpMetrics(MeterRegistry registry) {
        for (ConnectionKind kind : ConnectionKind.values()) {
            AtomicInteger gauge = new AtomicInteger();
            connections.put(kind, gauge);
            Gauge.builder("wharf.http.connections", gauge, AtomicInteger::get)
                    .description("open connections on the HTTP port by kind").tag("kind", kind.tag()).register(registry);
            recordsOut.put(kind, Counter.builder("wharf.http.records.out").description("records delivered to clients")
                    .tag("kind", kind.tag()).register(registry));
        }
        recordsInHttp = Counter.builder("wharf.http.records.in").description("records produced through the door")
                .tag("kind", "http").register(registry);
        recordsInWebSocket = Counter.builder("wharf.http.records.in").description("records produced through the door")
                .tag("kind", "websocket").register(registry);
        bytesIn = Counter.builder("wharf.http.bytes.in").description("bytes read from clients").register(registry);
        bytesOut = Counter.builder("wharf.http.bytes.out").description("bytes written to clients").register(registry);
        refused = Counter.builder("wharf.http.connections.refused")
                .description("connections refused because max-connections was reached").register(registry);
        slowClientDisconnects = Counter.builder("wharf.http.slow.client.disconnects")
                .description("connections closed because their outbound buffer stayed full").register(registry);
        authFailures = Counter.builder("wharf.http.auth.failures").description("requests refused for bad credentials")
                .register(registry);
        idleDisconnects = Counter.builder("wharf.http.idle.disconnects").description("connections closed for idleness")
                .register(registry);
        commitFailures = Counter.builder("wharf.http.commit.failures")
                .description("offset commits of WebSocket consumers that failed (each retry counts)").register(registry);
        for (String reason : java.util.List.of("header", "body")) {
            slowRequestDisconnects.put(reason, Counter.builder("wharf.http.slow.request.disconnects")
                    .description("connections closed because a request's headers or body arrived too slowly")
                    .tag("reason", reason).register(registry));
        }
        for (String what : java.util.List.of(ORIGIN_PREFLIGHT, ORIGIN_UPGRADE, ORIGIN_REQUEST)) {
            originRefusals.put(what, Counter.builder("wharf.http.origin.refused")
                    .description("browser requests refused because their Origin is not allowed (http.cors.allowed-origins)")
                    .tag("what", what).register(registry));
        }
    }

    /** A CORS preflight from an origin that is not allowed. */
    static final String ORIGIN_PREFLIGHT = "preflight";
    /** A WebSocket or kafka-proxy upgrade from an origin that is not allowed. */
    static final String ORIGIN_UPGRADE = "websocket";
    /** A state-changing request (POST, PUT, DELETE, ...) from an origin that is not allowed. */
    static final String ORIGIN_REQUEST = "request";

    /** A request refused for its Origin: {@link #ORIGIN_PREFLIGHT}, {@link #ORIGIN_UPGRADE} or {@link #ORIGIN_REQUEST}. */
    void originRefused(String what) {
        originRefusals.get(what).increment();
    }

    /** Registers a gauge computed from the live connections (e.g. outbound bytes). */
    static <T> void gauge(MeterRegistry registry, String name, String description, T source, ToDoubleFunction<T> f) {
        Gauge.builder(name, source, f).description(description).register(registry);
    }

    void opened(ConnectionKind kind) {
        connections.get(kind).incrementAndGet();
    }

    void closed(ConnectionKind kind) {
        connections.get(kind).decrementAndGet();
    }

    int open() {
        int n = 0;
        for (AtomicInteger c : connections.values()) {
            n += c.get();
        }
        return n;
    }

    void recordsOut(ConnectionKind kind, int n) {
        recordsOut.get(kind).increment(n);
    }

    void recordsIn(ConnectionKind kind, int n) {
        (kind == ConnectionKind.HTTP ? recordsInHttp : recordsInWebSocket).increment(n);
    }

    void bytesIn(long n) {
        bytesIn.increment(n);
    }

    void bytesOut(long n) {
        bytesOut.increment(n);
    }

    void refused() {
        refused.increment();
    }

    void slowClientDisconnect() {
        slowClientDisconnects.increment();
    }

    void authFailure() {
        authFailures.increment();
    }

    /** A request's head ({@code header}) or body ({@code body}) came too slowly. */
    void slowRequestDisconnect(String reason) {
        slowRequestDisconnects.get(reason).increment();
    }

    /** An offset commit failed. */
    void commitFailure() {
        commitFailures.increment();
    }

    void idleDisconnect() {
        idleDisconnects.increment();
    }
}
