package io.wharf.relay.poller;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/** A poller's meters, tagged {@code poller=<name>}: runs by result, records written, whether this instance leads. */
final class PollerMetrics implements AutoCloseable {
    final Counter changed;
    final Counter unchanged;
    final Counter notModified;
    final Counter failed;
    final Counter records;
    final AtomicInteger leader = new AtomicInteger();
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();

    PollerMetrics(MeterRegistry registry, String poller) {
        this.registry = registry;
        changed = run(poller, "changed");
        unchanged = run(poller, "unchanged");
        notModified = run(poller, "not-modified");
        failed = run(poller, "failed");
        records = Counter.builder("wharf.relay.poll.records").description("records written by polls")
                .tag("poller", poller).register(registry);
        meters.add(records);
        meters.add(Gauge.builder("wharf.relay.poll.leader", leader, AtomicInteger::get)
                .description("1 when this instance runs the poller (it owns the poller's state partition)")
                .tag("poller", poller).strongReference(true).register(registry));
    }

    private Counter run(String poller, String result) {
        Counter c = Counter.builder("wharf.relay.poll.runs").description("poll runs by result").tag("poller", poller)
                .tag("result", result).register(registry);
        meters.add(c);
        return c;
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}
