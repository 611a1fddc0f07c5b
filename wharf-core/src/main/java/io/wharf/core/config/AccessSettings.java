package io.wharf.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * What each principal may do: rules granting operations on topics and consumer groups, denying
 * everything else once any rule exists; role membership for principals whose credential carries
 * no roles; and per-principal limits.
 *
 * @param anonymous     when credentials are configured, whether a client that presents none is let in as
 *                      the principal {@code anonymous} (rules then decide what it may do); without
 *                      credentials configured every client is {@code anonymous}
 * @param roles         role name to the principals that have it (user names, {@code token-<n>}, certificate
 *                      subjects); JWT principals take their roles from the token
 * @param rules         the grants; none means every principal may do everything (as without this section)
 * @param limits        per-principal limits: a {@code default} entry and entries by principal name or
 *                      {@code role:<name>}; the first that names a principal applies, else the default
 * @param auditInterval a denied operation is logged once per principal, operation and resource per interval
 */
public record AccessSettings(Boolean anonymous, Map<String, List<String>> roles, List<Rule> rules,
                             Map<String, Limits> limits, Duration auditInterval) implements Section {
    /** Operations a rule may grant. */
    public static final Set<String> OPERATIONS = Set.of("produce", "consume", "describe", "create", "delete", "join",
            "commit");

    @JsonCreator
    public AccessSettings {
        anonymous = anonymous != null && anonymous;
        roles = roles == null ? Map.of() : copyRoles(roles);
        rules = rules == null ? List.of() : List.copyOf(rules);
        limits = limits == null ? Map.of() : new LinkedHashMap<>(limits);
        auditInterval = auditInterval == null ? Duration.ofMinutes(1) : auditInterval;
    }

    /** No rules, no limits: every principal may do everything. */
    public static AccessSettings open() {
        return new AccessSettings(null, null, null, null, null);
    }

    /** A copy with these rules. */
    public AccessSettings withRules(List<Rule> newRules) {
        return new AccessSettings(anonymous, roles, newRules, limits, auditInterval);
    }

    /** Whether rules decide (deny by default), rather than every principal doing everything. */
    public boolean enforced() {
        return !rules.isEmpty();
    }

    private static Map<String, List<String>> copyRoles(Map<String, List<String>> roles) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        roles.forEach((role, members) -> copy.put(role, members == null ? List.of() : List.copyOf(members)));
        return copy;
    }

    @Override
    public void problems(String key, List<String> problems) {
        roles.forEach((role, members) -> {
            if (role.isBlank()) {
                problems.add(key + ".roles: a role name is blank");
            }
        });
        for (int i = 0; i < rules.size(); i++) {
            rules.get(i).problems(key + ".rules[" + i + "]", problems);
        }
        limits.forEach((name, l) -> {
            if (l == null) {
                problems.add(key + ".limits." + name + ": is empty");
            } else {
                l.problems(key + ".limits." + name, problems);
            }
        });
        if (auditInterval.isNegative() || auditInterval.isZero()) {
            problems.add(key + ".audit-interval: must be positive");
        }
    }

    /**
     * One grant: the principals it names may perform {@code allow} on the topics and groups it names.
     *
     * @param principals principal names, {@code role:<name>}, {@code anonymous}, or {@code *} (any principal)
     * @param topics     topic names or Redis globs ({@code orders}, {@code metrics.*}); {@code ${sub}},
     *                   {@code ${name}} and {@code ${claims.<path>}} are replaced by the principal's values
     * @param groups     consumer group names or globs, with the same templates; {@code join} and
     *                   {@code commit} apply to them ({@code consume} grants both)
     * @param allow      the operations granted: produce, consume, describe, create, delete, join, commit
     * @param where      a filter bound to what the rule grants, built from the principal's claims: the
     *                   principal receives only records it matches, and may produce only records that match
     */
    public record Rule(List<String> principals, List<String> topics, List<String> groups, List<String> allow,
                       Where where) {
        @JsonCreator
        public Rule {
            principals = principals == null ? List.of() : List.copyOf(principals);
            topics = topics == null ? List.of() : List.copyOf(topics);
            groups = groups == null ? List.of() : List.copyOf(groups);
            allow = allow == null ? List.of() : allow.stream().map(a -> a == null ? "" : a.toLowerCase(Locale.ROOT)).toList();
        }

        void problems(String key, List<String> problems) {
            if (principals.isEmpty()) {
                problems.add(key + ".principals: names no principal");
            }
            if (allow.isEmpty()) {
                problems.add(key + ".allow: grants no operation (" + String.join(", ", sorted(OPERATIONS)) + ")");
            }
            for (String op : allow) {
                if (!OPERATIONS.contains(op)) {
                    problems.add(key + ".allow: '" + op + "' is not an operation (" + String.join(", ", sorted(OPERATIONS))
                            + ")");
                }
            }
            if (topics.isEmpty() && groups.isEmpty()) {
                problems.add(key + ": names no topics and no groups");
            }
            boolean topicOps = allow.stream().anyMatch(a -> !a.equals("join") && !a.equals("commit"));
            if (topicOps && topics.isEmpty()) {
                problems.add(key + ".topics: the rule grants " + allow + " but names no topics");
            }
            for (String p : principals) {
                if (p == null || p.isBlank()) {
                    problems.add(key + ".principals: a principal is blank");
                }
            }
            templates(key + ".topics", topics, problems);
            templates(key + ".groups", groups, problems);
            if (where != null) {
                where.problems(key + ".where", problems);
            }
        }
    }

    /**
     * A filter bound to a rule, each value a template over the principal ({@code ${sub}},
     * {@code ${claims.tenant}}) or a literal.
     *
     * @param key     the record key must equal this
     * @param headers each of these headers must be present with this value
     */
    public record Where(String key, Map<String, String> headers) {
        @JsonCreator
        public Where {
            headers = headers == null ? Map.of() : new LinkedHashMap<>(headers);
        }

        void problems(String key, List<String> problems) {
            if (this.key == null && headers.isEmpty()) {
                problems.add(key + ": binds nothing (give key or headers)");
            }
            if (this.key != null) {
                templates(key + ".key", List.of(this.key), problems);
            }
            headers.forEach((name, value) -> {
                if (name.isBlank()) {
                    problems.add(key + ".headers: a header name is blank");
                }
                if (value == null) {
                    problems.add(key + ".headers." + name + ": has no value");
                } else {
                    templates(key + ".headers." + name, List.of(value), problems);
                }
            });
        }
    }

    /**
     * Limits of one principal, all of its connections together; 0 means no limit.
     *
     * @param connections             open connections (RESP, WebSocket, SSE and long poll streams)
     * @param produceRecordsPerSecond records produced per second, through every door
     * @param produceBytesPerSecond   bytes (key + value + headers) produced per second
     * @param subscriptions           open subscriptions (SSE, WebSocket, long poll, RESP consumers)
     */
    public record Limits(Integer connections, Long produceRecordsPerSecond, Long produceBytesPerSecond,
                         Integer subscriptions) {
        @JsonCreator
        public Limits {
            connections = connections == null ? 0 : connections;
            produceRecordsPerSecond = produceRecordsPerSecond == null ? 0 : produceRecordsPerSecond;
            produceBytesPerSecond = produceBytesPerSecond == null ? 0 : produceBytesPerSecond;
            subscriptions = subscriptions == null ? 0 : subscriptions;
        }

        /** No limit on anything. */
        public static Limits none() {
            return new Limits(null, null, null, null);
        }

        void problems(String key, List<String> problems) {
            if (connections < 0) {
                problems.add(key + ".connections: must be at least 0 (0 = no limit)");
            }
            if (produceRecordsPerSecond < 0) {
                problems.add(key + ".produce-records-per-second: must be at least 0 (0 = no limit)");
            }
            if (produceBytesPerSecond < 0) {
                problems.add(key + ".produce-bytes-per-second: must be at least 0 (0 = no limit)");
            }
            if (subscriptions < 0) {
                problems.add(key + ".subscriptions: must be at least 0 (0 = no limit)");
            }
        }
    }

    private static void templates(String key, List<String> values, List<String> problems) {
        for (String value : values) {
            String problem = value == null ? "is empty" : templateProblem(value);
            if (problem != null) {
                problems.add(key + ": '" + value + "' " + problem);
            }
        }
    }

    /** Null when every {@code ${...}} in the text names a principal value, else what is wrong. */
    public static String templateProblem(String text) {
        int i = 0;
        while ((i = text.indexOf("${", i)) >= 0) {
            int end = text.indexOf('}', i);
            if (end < 0) {
                return "has an unclosed ${";
            }
            String name = text.substring(i + 2, end);
            if (!name.equals("sub") && !name.equals("name") && !(name.startsWith("claims.") && name.length() > 7)) {
                return "uses ${" + name + "}; a template takes ${sub}, ${name} or ${claims.<path>}";
            }
            i = end + 1;
        }
        return null;
    }

    private static List<String> sorted(Set<String> set) {
        List<String> list = new ArrayList<>(set);
        list.sort(null);
        return list;
    }
}
