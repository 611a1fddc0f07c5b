package io.wharf.core.access;

import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wharf.core.config.AccessSettings;

/**
 * The one access decision point: for a principal, an operation and a resource, allowed (with the
 * records the grant covers) or denied. Every door asks it, through a {@link ClientAccess} per
 * client. Without rules everything is allowed; once any rule exists, what no rule grants is denied.
 */
public final class AccessPolicy {
    private final AccessSettings settings;
    private final List<Grant> grants;
    private final Map<String, Set<String>> rolesOf;
    private final AccessAudit audit;
    private final Clock clock;

    /** A policy whose decisions are counted nowhere (tests). */
    public AccessPolicy(AccessSettings settings) {
        this(settings, new SimpleMeterRegistry(), Clock.systemUTC());
    }

    /** A policy counting {@code wharf.access.decisions} in the registry. */
    public AccessPolicy(AccessSettings settings, MeterRegistry registry) {
        this(settings, registry, Clock.systemUTC());
    }

    AccessPolicy(AccessSettings settings, MeterRegistry registry, Clock clock) {
        this.settings = settings;
        this.grants = settings.rules().stream().map(Grant::new).toList();
        Map<String, Set<String>> roles = new java.util.HashMap<>();
        settings.roles().forEach((role, members) -> members.forEach(m -> roles.computeIfAbsent(m, k -> new HashSet<>())
                .add(role)));
        this.rolesOf = Map.copyOf(roles);
        this.audit = new AccessAudit(settings.auditInterval(), registry, System::nanoTime);
        this.clock = clock;
    }

    /** Whether rules decide; false means every principal may do everything. */
    public boolean enforced() {
        return !grants.isEmpty();
    }

    /** Whether clients without credentials are admitted as {@code anonymous} even when credentials are configured. */
    public boolean admitsAnonymous() {
        return settings.anonymous();
    }

    /** The settings. */
    public AccessSettings settings() {
        return settings;
    }

    /**
     * What one client may do at a door. The principal gains the roles {@code access.roles} gives
     * its name. Cheap; a door makes one per authenticated connection (or request).
     */
    public ClientAccess forClient(String door, Principal principal) {
        Set<String> extra = principal.kind() == Principal.Kind.ANONYMOUS ? Set.of()
                : rolesOf.getOrDefault(principal.name(), Set.of());
        Principal p = principal.withRoles(extra);
        List<Grant.Resolved> resolved = new java.util.ArrayList<>();
        for (Grant g : grants) {
            if (g.names(p)) {
                Grant.Resolved r = g.resolve(p);
                if (r != null) {
                    resolved.add(r);
                }
            }
        }
        return new ClientAccess(door, p, enforced(), List.copyOf(resolved), audit, clock);
    }
}
