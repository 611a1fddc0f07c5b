package io.wharf.core.access;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.wharf.core.config.AccessSettings;

/**
 * One principal's limits in use: open connections and subscriptions, and token buckets of
 * produced records and bytes (one second of burst). Shared by the principal's connections on
 * every door, so every method is thread-safe.
 */
public final class PrincipalQuota {
    private final String principal;
    private final String entry;
    private final AccessSettings.Limits limits;
    private final PrincipalLimits.Meters meters;
    private final LongSupplier clock;

    // guarded by this: the counts and both buckets change together
    private int connections;
    private int subscriptions;
    private double records;
    private double bytes;
    private long refilledAt;

    PrincipalQuota(String principal, String entry, AccessSettings.Limits limits, PrincipalLimits.Meters meters,
                   LongSupplier clock) {
        this.principal = principal;
        this.entry = entry;
        this.limits = limits;
        this.meters = meters;
        this.clock = clock;
        this.records = limits.produceRecordsPerSecond();
        this.bytes = limits.produceBytesPerSecond();
        this.refilledAt = clock.getAsLong();
    }

    /** Opens a connection; null when admitted, else the sentence a door refuses it with. */
    public synchronized String openConnection() {
        if (limits.connections() > 0 && connections >= limits.connections()) {
            meters.limited().increment();
            return "rate limit: principal '" + principal + "' has its " + limits.connections()
                    + " connections open (access.limits." + entry + ".connections)";
        }
        connections++;
        return null;
    }

    /** Closes a connection {@link #openConnection} admitted. */
    public synchronized void closeConnection() {
        connections = Math.max(0, connections - 1);
    }

    /** Opens a subscription; null when admitted, else the sentence a door refuses it with. */
    public synchronized String openSubscription() {
        if (limits.subscriptions() > 0 && subscriptions >= limits.subscriptions()) {
            meters.limited().increment();
            return "rate limit: principal '" + principal + "' has its " + limits.subscriptions()
                    + " subscriptions open (access.limits." + entry + ".subscriptions)";
        }
        subscriptions++;
        return null;
    }

    /** Closes a subscription {@link #openSubscription} admitted. */
    public synchronized void closeSubscription() {
        subscriptions = Math.max(0, subscriptions - 1);
    }

    /**
     * Takes {@code n} records of {@code size} bytes from the produce buckets: 0 when admitted, else
     * how many nanoseconds until they would be (nothing is taken then). A request is admitted while
     * its buckets hold at least one record and one byte, and may take them into debt, so a batch or a
     * record larger than one second's worth still gets through, and the next waits for the debt.
     */
    public long produce(int n, long size) {
        if (limits.produceRecordsPerSecond() == 0 && limits.produceBytesPerSecond() == 0) {
            // no rate to keep: no lock, so connections of one principal (all anonymous ones) never contend
            meters.produced().increment(n);
            return 0;
        }
        return produceLimited(n, size);
    }

    private synchronized long produceLimited(int n, long size) {
        refill();
        long wait = 0;
        if (limits.produceRecordsPerSecond() > 0 && records < 1) {
            wait = nanosFor(1 - records, limits.produceRecordsPerSecond());
        }
        if (limits.produceBytesPerSecond() > 0 && bytes < 1) {
            wait = Math.max(wait, nanosFor(1 - bytes, limits.produceBytesPerSecond()));
        }
        if (wait > 0) {
            meters.limited().increment();
            return Math.max(1, wait);
        }
        records -= n;
        bytes -= size;
        meters.produced().increment(n);
        return 0;
    }

    /** The sentence a door refuses a produce with after {@link #produce} answered a wait. */
    public String produceRefusal(long waitNanos) {
        StringBuilder s = new StringBuilder("rate limit: principal '").append(principal).append("' may produce ");
        if (limits.produceRecordsPerSecond() > 0) {
            s.append(limits.produceRecordsPerSecond()).append(" records/s (access.limits.").append(entry)
                    .append(".produce-records-per-second)");
        }
        if (limits.produceBytesPerSecond() > 0) {
            if (limits.produceRecordsPerSecond() > 0) {
                s.append(" and ");
            }
            s.append(limits.produceBytesPerSecond()).append(" bytes/s (access.limits.").append(entry)
                    .append(".produce-bytes-per-second)");
        }
        return s.append("; retry in ").append(retryAfterSeconds(waitNanos)).append("s").toString();
    }

    /** Whole seconds to wait, at least 1 (HTTP {@code Retry-After}). */
    public static long retryAfterSeconds(long waitNanos) {
        return Math.max(1, (TimeUnit.NANOSECONDS.toMillis(waitNanos) + 999) / 1000);
    }

    synchronized boolean idle() {
        return connections == 0 && subscriptions == 0;
    }

    private void refill() {
        long now = clock.getAsLong();
        double seconds = (now - refilledAt) / 1e9;
        refilledAt = now;
        if (seconds <= 0) {
            return;
        }
        records = Math.min(limits.produceRecordsPerSecond(), records + seconds * limits.produceRecordsPerSecond());
        bytes = Math.min(limits.produceBytesPerSecond(), bytes + seconds * limits.produceBytesPerSecond());
    }

    private static long nanosFor(double missing, long perSecond) {
        return (long) Math.ceil(missing / perSecond * 1e9);
    }
}
