package io.wharf.core.access;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.wharf.core.logging.LogValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts access decisions by door, operation and outcome, and logs each denial once per
 * principal, operation and resource per interval (with how many were held back), never a credential.
 */
final class AccessAudit {
    private static final Logger LOG = LoggerFactory.getLogger(AccessAudit.class);
    /** Most principal/operation/resource triples remembered; past it the memory starts over. */
    private static final int MAX_REMEMBERED = 10_000;

    private final long intervalNanos;
    private final MeterRegistry registry;
    private final LongSupplier clock;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Logged> logged = new ConcurrentHashMap<>();

    /** When a denial was last logged and how many like it were held back since. */
    private static final class Logged {
        private long at;
        private long held;

        Logged(long at) {
            this.at = at;
        }
    }

    AccessAudit(Duration interval, MeterRegistry registry, LongSupplier clock) {
        this.intervalNanos = interval.toNanos();
        this.registry = registry;
        this.clock = clock;
    }

    /** The counter of allowed decisions of one door and operation (a client keeps it, so counting allocates nothing). */
    Counter allowed(String door, Operation op) {
        return counter(door, op, "allowed");
    }

    /** A refusal; {@code resource} is already escaped ({@link ClientAccess}). */
    void denied(String door, Principal principal, Operation op, String resource, String reason) {
        counter(door, op, reason).increment();
        String key = principal + "\n" + op + "\n" + resource;
        long now = clock.getAsLong();
        if (logged.size() >= MAX_REMEMBERED && !logged.containsKey(key)) {
            logged.clear();
        }
        long held;
        Logged entry = logged.computeIfAbsent(key, k -> new Logged(now - intervalNanos));
        // guards the entry's two fields: denials of one triple may come from several event loops
        synchronized (entry) {
            if (now - entry.at < intervalNanos) {
                entry.held++;
                return;
            }
            held = entry.held;
            entry.at = now;
            entry.held = 0;
        }
        LOG.warn("event=access-denied door={} principal={} operation={} resource={} reason={} suppressed={}", door,
                LogValue.of(principal.toString()), op.word(), resource, reason, held);
    }

    private Counter counter(String door, Operation op, String outcome) {
        return counters.computeIfAbsent(door + "/" + op + "/" + outcome, k -> Counter.builder("wharf.access.decisions")
                .description("access decisions by door, operation and outcome (allowed, denied, expired)")
                .tag("door", door).tag("operation", op.word()).tag("outcome", outcome).register(registry));
    }
}
