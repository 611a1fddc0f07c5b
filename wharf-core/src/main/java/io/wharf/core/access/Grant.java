package io.wharf.core.access;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.wharf.core.config.AccessSettings;
import io.wharf.core.hub.RecordFilter;
import io.wharf.core.pattern.Glob;

/** One configured rule, parsed: whom it names, what it grants on which topics and groups, and its bound filter. */
final class Grant {
    private final Set<String> names;
    private final Set<String> roles;
    private final boolean anyPrincipal;
    private final boolean anonymous;
    private final Set<Operation> operations;
    private final List<Template> topics;
    private final List<Template> groups;
    private final Template whereKey;
    private final Map<String, Template> whereHeaders;

    Grant(AccessSettings.Rule rule) {
        Set<String> n = new java.util.HashSet<>();
        Set<String> r = new java.util.HashSet<>();
        boolean any = false;
        boolean anon = false;
        for (String p : rule.principals()) {
            if (p.equals("*")) {
                any = true;
            } else if (p.equals(Principal.ANONYMOUS)) {
                anon = true;
            } else if (p.startsWith("role:")) {
                r.add(p.substring(5));
            } else {
                n.add(p);
            }
        }
        names = Set.copyOf(n);
        roles = Set.copyOf(r);
        anyPrincipal = any;
        anonymous = anon;
        EnumSet<Operation> ops = EnumSet.noneOf(Operation.class);
        for (String word : rule.allow()) {
            ops.add(Operation.of(word));
        }
        if (ops.contains(Operation.CONSUME) && !rule.groups().isEmpty()) {
            // a consumer in a group joins it and commits its offsets
            ops.add(Operation.JOIN);
            ops.add(Operation.COMMIT);
        }
        if (ops.contains(Operation.PRODUCE) || ops.contains(Operation.CONSUME) || ops.contains(Operation.CREATE)
                || ops.contains(Operation.DELETE)) {
            // whoever may use a topic may see that it exists and its partitions
            ops.add(Operation.DESCRIBE);
        }
        operations = Set.copyOf(ops);
        topics = rule.topics().stream().map(Template::parse).toList();
        groups = rule.groups().stream().map(Template::parse).toList();
        AccessSettings.Where where = rule.where();
        whereKey = where == null || where.key() == null ? null : Template.parse(where.key());
        Map<String, Template> headers = new java.util.LinkedHashMap<>();
        if (where != null) {
            where.headers().forEach((name, value) -> headers.put(name, Template.parse(value)));
        }
        whereHeaders = headers;
    }

    /** Whether the rule names this principal. */
    boolean names(Principal p) {
        if (p.kind() == Principal.Kind.ANONYMOUS) {
            // only a rule naming anonymous covers clients without credentials; '*' means any authenticated one
            return anonymous;
        }
        if (anyPrincipal || names.contains(p.name())) {
            return true;
        }
        for (String role : p.roles()) {
            if (roles.contains(role)) {
                return true;
            }
        }
        return false;
    }

    /** The rule as it applies to one principal; null when a value its templates need is absent. */
    Resolved resolve(Principal p) {
        List<Glob> topicGlobs = globs(topics, p);
        List<Glob> groupGlobs = globs(groups, p);
        if (topicGlobs == null || groupGlobs == null) {
            return null;
        }
        RecordFilter bound = null;
        if (whereKey != null || !whereHeaders.isEmpty()) {
            List<RecordFilter.Condition> conditions = new ArrayList<>();
            if (whereKey != null) {
                String key = whereKey.resolve(p, false);
                if (key == null) {
                    return null;
                }
                conditions.add(new RecordFilter.KeyEquals(key.getBytes(StandardCharsets.UTF_8)));
            }
            for (Map.Entry<String, Template> h : whereHeaders.entrySet()) {
                String value = h.getValue().resolve(p, false);
                if (value == null) {
                    return null;
                }
                conditions.add(new RecordFilter.HeaderEquals(h.getKey(), value.getBytes(StandardCharsets.UTF_8)));
            }
            bound = new RecordFilter(conditions);
        }
        return new Resolved(operations, topicGlobs, groupGlobs, bound);
    }

    private static List<Glob> globs(List<Template> templates, Principal p) {
        List<Glob> out = new ArrayList<>(templates.size());
        for (Template t : templates) {
            String pattern = t.resolve(p, true);
            if (pattern == null) {
                // a template whose value the principal lacks grants nothing, it never widens
                continue;
            }
            out.add(Glob.compile(pattern));
        }
        return out.isEmpty() && !templates.isEmpty() ? null : out;
    }

    /**
     * A rule resolved for one principal.
     *
     * @param bound the bound filter; null when the rule covers every record
     */
    record Resolved(Set<Operation> operations, List<Glob> topics, List<Glob> groups, RecordFilter bound) {
        boolean coversTopic(Operation op, String topic) {
            return operations.contains(op) && any(topics, topic);
        }

        boolean coversGroup(Operation op, String group) {
            return operations.contains(op) && any(groups, group);
        }

        private static boolean any(List<Glob> globs, String name) {
            for (Glob g : globs) {
                // names are bounded (topics 249 chars; groups by the door's limits), so each match is cheap
                if (g.scan(1_000_000).matches(name)) {
                    return true;
                }
            }
            return false;
        }
    }
}
