package io.wharf.core.access;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.wharf.core.hub.RecordFilter;
import io.wharf.core.logging.LogValue;

/**
 * What one principal may do at one door: the rules that name it, resolved for it once, and its
 * decisions remembered per operation and resource so a door asking again per command costs a map
 * look-up. Safe to use from any thread.
 */
public final class ClientAccess {
    private static final int MAX_REMEMBERED = 256;

    private final String door;
    private final Principal principal;
    private final boolean enforced;
    private final List<Grant.Resolved> grants;
    private final AccessAudit audit;
    private final Clock clock;
    // one map per operation, so a look-up on the hot path builds no key
    @SuppressWarnings("unchecked")
    private final Map<String, Decision>[] decisions = new Map[Operation.values().length];
    private final Counter[] allowed = new Counter[Operation.values().length];

    ClientAccess(String door, Principal principal, boolean enforced, List<Grant.Resolved> grants, AccessAudit audit,
                 Clock clock) {
        this.door = door;
        this.principal = principal;
        this.enforced = enforced;
        this.grants = grants;
        this.audit = audit;
        this.clock = clock;
        for (int i = 0; i < decisions.length; i++) {
            decisions[i] = new ConcurrentHashMap<>();
        }
    }

    /** A client for whom everything is allowed, as without rules (unit tests of a door's commands). */
    public static ClientAccess unrestricted(String door) {
        return new AccessPolicy(io.wharf.core.config.AccessSettings.open()).forClient(door, Principal.anonymous());
    }

    /** The principal, with the roles configuration gives it. */
    public Principal principal() {
        return principal;
    }

    /** Whether rules decide for this client. */
    public boolean enforced() {
        return enforced;
    }

    /** Whether the credential has expired, so the client must authenticate again. */
    public boolean expired() {
        return principal.expiredAt(clock.instant());
    }

    /** The decision on a topic operation (produce, consume, describe, create, delete). */
    public Decision topic(Operation op, String topic) {
        if (op.onGroup()) {
            throw new IllegalArgumentException(op + " is an operation on groups");
        }
        return decide(op, topic, false);
    }

    /** The decision on a group operation (join, commit). */
    public Decision group(Operation op, String group) {
        if (!op.onGroup()) {
            throw new IllegalArgumentException(op + " is an operation on topics");
        }
        return decide(op, group, true);
    }

    /** The decision on a topic operation; throws {@link AccessDeniedException} when refused. */
    public StreamScope require(Operation op, String topic) {
        Decision d = topic(op, topic);
        if (d instanceof Decision.Allowed allowed) {
            return allowed.scope();
        }
        throw new AccessDeniedException(d);
    }

    /** The decision on a group operation; throws {@link AccessDeniedException} when refused. */
    public void requireGroup(Operation op, String group) {
        Decision d = group(op, group);
        if (!d.allowed()) {
            throw new AccessDeniedException(d);
        }
    }

    /**
     * Whether a listing may show the topic: the principal may describe it. Not audited, since a
     * listing asks for every topic.
     */
    public boolean mayDescribe(String topic) {
        if (!enforced) {
            return true;
        }
        for (Grant.Resolved g : grants) {
            if (g.coversTopic(Operation.DESCRIBE, topic)) {
                return true;
            }
        }
        return false;
    }

    private Decision decide(Operation op, String name, boolean onGroup) {
        if (expired()) {
            audit.denied(door, principal, op, resource(onGroup, name), "expired");
            return new Decision.Expired();
        }
        if (!enforced) {
            return ALL;
        }
        Map<String, Decision> remembered = decisions[op.ordinal()];
        Decision d = remembered.get(name);
        if (d == null) {
            d = evaluate(op, name, onGroup);
            if (remembered.size() >= MAX_REMEMBERED) {
                remembered.clear();
            }
            remembered.put(name, d);
        }
        if (d instanceof Decision.Denied denied) {
            audit.denied(door, principal, op, denied.resource(), "denied");
        } else {
            Counter c = allowed[op.ordinal()];
            if (c == null) {
                // a benign race: two threads may both look the same registered counter up
                c = audit.allowed(door, op);
                allowed[op.ordinal()] = c;
            }
            c.increment();
        }
        return d;
    }

    private static final Decision ALL = new Decision.Allowed(StreamScope.all());

    private Decision evaluate(Operation op, String name, boolean onGroup) {
        List<RecordFilter> bound = new ArrayList<>();
        boolean covered = false;
        for (Grant.Resolved g : grants) {
            if (onGroup ? g.coversGroup(op, name) : g.coversTopic(op, name)) {
                if (g.bound() == null || onGroup) {
                    return ALL;
                }
                covered = true;
                bound.add(g.bound());
            }
        }
        if (!covered) {
            return new Decision.Denied(op, resource(onGroup, name));
        }
        return new Decision.Allowed(new StreamScope(bound));
    }

    private static String resource(boolean onGroup, String name) {
        // the name is the client's; escaped so it can sit in a RESP error line or a log line
        return (onGroup ? "group '" : "topic '") + LogValue.of(name) + "'";
    }

    @Override
    public String toString() {
        return door + "/" + principal;
    }
}
