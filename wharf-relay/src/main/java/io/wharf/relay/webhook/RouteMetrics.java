package io.wharf.relay.webhook;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * A route's meters, tagged {@code route=<name>}: in flight, buffered, keys blocked on a retry,
 * committed lag, finished events by outcome, attempts, retries by cause, dead letters, commits.
 * Gauges are written by the route's thread and read by scrapes.
 */
final class RouteMetrics implements AutoCloseable {
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger buffered = new AtomicInteger();
    final AtomicInteger keysBlocked = new AtomicInteger();
    final AtomicLong committedLag = new AtomicLong();
    final AtomicInteger pausedPartitions = new AtomicInteger();
    final Counter delivered;
    final Counter deadLettered;
    final Counter alreadyFinished;
    final Counter attempts;
    final Counter deadLetters;
    final Counter commits;
    final Counter commitFailures;
    final Counter staleCompletions;
    final Timer commitTime;
    private final Map<RetryCause, Counter> retries = new EnumMap<>(RetryCause.class);
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();

    RouteMetrics(MeterRegistry registry, String route) {
        this.registry = registry;
        gauge("wharf.relay.in.flight", "calls on the wire", inFlight, route);
        gauge("wharf.relay.buffered", "events held in memory", buffered, route);
        gauge("wharf.relay.keys.blocked", "keys whose next event waits for a retry", keysBlocked, route);
        gauge("wharf.relay.committed.lag", "records between the committed offsets and the log ends", committedLag, route);
        gauge("wharf.relay.paused.partitions", "partitions paused because their buffer is full", pausedPartitions, route);
        delivered = finished(route, "delivered");
        deadLettered = finished(route, "dead-lettered");
        alreadyFinished = finished(route, "already-finished");
        attempts = counter("wharf.relay.attempts", "HTTP attempts started", route);
        deadLetters = counter("wharf.relay.dead.letters", "events sent to the dead-letter topic", route);
        commits = counter("wharf.relay.commits", "transactions committing progress and outputs", route, "result", "ok");
        commitFailures = counter("wharf.relay.commits", "transactions committing progress and outputs", route, "result",
                "failed");
        staleCompletions = counter("wharf.relay.stale.completions",
                "answers that arrived after their partition was revoked or lost", route);
        commitTime = Timer.builder("wharf.relay.commit.time").description("time one commit transaction takes")
                .tag("route", route).register(registry);
        meters.add(commitTime);
        for (RetryCause cause : RetryCause.values()) {
            retries.put(cause, counter("wharf.relay.retries", "attempts that will be retried", route, "cause", cause.tag));
        }
    }

    void retry(RetryCause cause) {
        retries.get(cause).increment();
    }

    private Counter finished(String route, String outcome) {
        return counter("wharf.relay.finished", "events finished", route, "outcome", outcome);
    }

    private Counter counter(String name, String description, String route, String... tags) {
        Counter c = Counter.builder(name).description(description).tag("route", route).tags(tags).register(registry);
        meters.add(c);
        return c;
    }

    private void gauge(String name, String description, Number value, String route) {
        meters.add(Gauge.builder(name, value, Number::doubleValue).description(description).tag("route", route)
                .strongReference(true).register(registry));
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}
