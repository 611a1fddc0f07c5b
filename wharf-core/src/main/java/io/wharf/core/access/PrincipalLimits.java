package io.wharf.core.access;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wharf.core.config.AccessSettings;

/**
 * The per-principal limits of {@code access.limits}: one {@link PrincipalQuota} per principal,
 * shared by all of its connections on every door. Principals without a limit get a quota that
 * admits everything.
 */
public final class PrincipalLimits {
    /** Most principals with their own quota at once; idle ones are forgotten past it. */
    static final int MAX_TRACKED = 10_000;
    /** Most principals named in metrics; the rest are counted as {@code other}. */
    static final int MAX_TAGGED = 1_000;

    private final AccessSettings settings;
    private final MeterRegistry registry;
    private final LongSupplier clock;
    private final Map<String, PrincipalQuota> quotas = new ConcurrentHashMap<>();
    private final Map<String, Meters> meters = new ConcurrentHashMap<>();

    /** Meters of one principal (or of {@code other}). */
    record Meters(Counter produced, Counter limited) {
    }

    /** Limits counted nowhere (tests). */
    public PrincipalLimits(AccessSettings settings) {
        this(settings, new SimpleMeterRegistry(), System::nanoTime);
    }

    /** Limits counting {@code wharf.principal.*} in the registry. */
    public PrincipalLimits(AccessSettings settings, MeterRegistry registry) {
        this(settings, registry, System::nanoTime);
    }

    PrincipalLimits(AccessSettings settings, MeterRegistry registry, LongSupplier clock) {
        this.settings = settings;
        this.registry = registry;
        this.clock = clock;
        Gauge.builder("wharf.principal.tracked", quotas, Map::size)
                .description("principals with a live quota").register(registry);
    }

    /** The quota of a principal, shared by all of its connections. */
    public PrincipalQuota of(Principal principal) {
        PrincipalQuota q = quotas.get(principal.toString());
        if (q != null) {
            return q;
        }
        if (quotas.size() >= MAX_TRACKED) {
            quotas.values().removeIf(PrincipalQuota::idle);
        }
        return quotas.computeIfAbsent(principal.toString(), k -> {
            Map.Entry<String, AccessSettings.Limits> entry = limitsOf(principal);
            return new PrincipalQuota(principal.name(), entry.getKey(), entry.getValue(), metersOf(principal), clock);
        });
    }

    /** The limits entry naming the principal, by name, then by role, else {@code default}. */
    private Map.Entry<String, AccessSettings.Limits> limitsOf(Principal p) {
        Map<String, AccessSettings.Limits> limits = settings.limits();
        AccessSettings.Limits byName = limits.get(p.name());
        if (byName != null && p.kind() != Principal.Kind.ANONYMOUS || p.kind() == Principal.Kind.ANONYMOUS
                && limits.containsKey(Principal.ANONYMOUS)) {
            String key = p.kind() == Principal.Kind.ANONYMOUS ? Principal.ANONYMOUS : p.name();
            return Map.entry(key, limits.get(key));
        }
        for (String role : p.roles()) {
            AccessSettings.Limits byRole = limits.get("role:" + role);
            if (byRole != null) {
                return Map.entry("role:" + role, byRole);
            }
        }
        AccessSettings.Limits fallback = limits.get("default");
        return fallback != null ? Map.entry("default", fallback) : Map.entry("default", AccessSettings.Limits.none());
    }

    private Meters metersOf(Principal p) {
        String tag = meters.size() < MAX_TAGGED || meters.containsKey(p.toString()) ? p.toString() : "other";
        return meters.computeIfAbsent(tag, t -> new Meters(
                Counter.builder("wharf.principal.produced.records").description("records produced by a principal")
                        .tag("principal", t).register(registry),
                Counter.builder("wharf.principal.limited").description("operations refused by a per-principal limit")
                        .tag("principal", t).register(registry)));
    }
}
