package io.wharf.core.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wharf.core.config.AccessSettings;
import io.wharf.core.config.AccessSettings.Limits;
import org.junit.jupiter.api.Test;

/** Per-principal limits: by name, role, default; connections, subscriptions and produce rates. */
class PrincipalQuotaTest {
    private final AtomicLong now = new AtomicLong();
    private final PrincipalLimits limits = new PrincipalLimits(new AccessSettings(null, null, List.of(),
            Map.of("default", new Limits(2, 100L, null, 1), "role:bulk", new Limits(null, null, 1000L, null),
                    "vip", Limits.none()), null), new SimpleMeterRegistry(), now::get);

    private static Principal p(String name, String... roles) {
        return new Principal(name, Principal.Kind.USER, Set.of(roles), null, null);
    }

    @Test
    void connectionsAndSubscriptionsAreCountedAcrossConnectionsOfOnePrincipal() {
        PrincipalQuota a = limits.of(p("a"));
        assertThat(limits.of(p("a"))).isSameAs(a);
        assertThat(a.openConnection()).isNull();
        assertThat(a.openConnection()).isNull();
        assertThat(a.openConnection()).isEqualTo(
                "rate limit: principal 'a' has its 2 connections open (access.limits.default.connections)");
        a.closeConnection();
        assertThat(a.openConnection()).isNull();
        assertThat(a.openSubscription()).isNull();
        assertThat(a.openSubscription()).contains("access.limits.default.subscriptions");
        assertThat(limits.of(p("b")).openConnection()).as("another principal has its own count").isNull();
        assertThat(limits.of(p("vip")).openSubscription()).isNull();
        assertThat(limits.of(p("vip")).openSubscription()).isNull();
    }

    @Test
    void produceRatesRefuseWithTheTimeUntilTheBucketRefills() {
        PrincipalQuota a = limits.of(p("a"));
        assertThat(a.produce(100, 1000)).isZero();
        long wait = a.produce(1, 10);
        assertThat(wait).isPositive().isLessThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(10));
        assertThat(a.produceRefusal(wait)).isEqualTo("rate limit: principal 'a' may produce 100 records/s "
                + "(access.limits.default.produce-records-per-second); retry in 1s");
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(a.produce(50, 1)).isZero();
        assertThat(a.produce(1, 1)).isPositive();

        PrincipalQuota bulk = limits.of(p("c", "bulk"));
        assertThat(bulk.produce(1, 5000)).as("one request may take the bucket into debt").isZero();
        long debt = bulk.produce(1, 1);
        assertThat(debt).isGreaterThan(TimeUnit.SECONDS.toNanos(4));
        assertThat(PrincipalQuota.retryAfterSeconds(debt)).isEqualTo(5);
        assertThat(bulk.produceRefusal(debt)).contains("1000 bytes/s (access.limits.role:bulk.produce-bytes-per-second)");
        assertThat(limits.of(p("vip")).produce(1_000_000, 1L << 40)).isZero();
    }
}
