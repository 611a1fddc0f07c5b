package io.wharf.core.hub;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.wharf.core.hub.RecordFilter.Condition;

/**
 * The filter language every door that subscribes through the hub shares, parsed here once: the
 * conditions (key equals, header equals, not), their text-to-bytes encoding, the query-parameter
 * form ({@code key=}, {@code key!=}, {@code header.<name>=}, {@code header.<name>!=}) and the
 * listed form (a list of filters, each a list of conditions), and the limits. A door only extracts
 * names and values from its own syntax (a query string, a JSON message).
 *
 * <p>Filters come from clients: they are compared as plain bytes (no patterns), a subscription
 * takes at most {@link #MAX_FILTERS} filters of at most {@link #MAX_CONDITIONS} conditions, and a
 * double negation is folded away, so one record's evaluation stays bounded.
 */
public final class FilterGrammar {
    /** Most filters one subscription may give. */
    public static final int MAX_FILTERS = FilterSet.MAX_FILTERS;
    /** Most conditions one filter may hold. */
    public static final int MAX_CONDITIONS = 64;

    private static final String HEADER_PREFIX = "header.";

    private FilterGrammar() {
    }

    /** Input outside the grammar: a stable code and a message for the client. */
    public static final class Invalid extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String code;

        Invalid(String code, String message) {
            super(message, null);
            this.code = code;
        }

        /** The error code a door reports (e.g. {@code too_many_filters}). */
        public String code() {
            return code;
        }
    }

    /** The record's key equals this text (UTF-8). */
    public static Condition key(String text) {
        return new RecordFilter.KeyEquals(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The record has this header with this text (UTF-8) as value. */
    public static Condition header(String name, String text) {
        return new RecordFilter.HeaderEquals(name, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The condition does not hold; not-not is the condition itself. */
    public static Condition not(Condition condition) {
        return condition instanceof RecordFilter.Not n ? n.condition() : new RecordFilter.Not(condition);
    }

    /** A filter of these conditions, as a door's listed form gives it (at least one, at most {@link #MAX_CONDITIONS}). */
    public static RecordFilter filter(List<Condition> conditions) {
        if (conditions.isEmpty()) {
            throw new Invalid("bad_filter", "a filter needs at least one condition");
        }
        checkConditions(conditions.size());
        return new RecordFilter(conditions);
    }

    /** Checks the number of filters of a door's listed form. */
    public static List<RecordFilter> filters(List<RecordFilter> filters) {
        if (filters.size() > MAX_FILTERS) {
            throw new Invalid("too_many_filters", "at most " + MAX_FILTERS + " filters");
        }
        return List.copyOf(filters);
    }

    /**
     * The filters of query parameters: {@code key}, {@code header.<name>} and their negations
     * {@code key!} and {@code header.<name>!}; other parameters are not filters and are ignored.
     * Each name is one dimension whose values are OR-ed; dimensions are AND-ed (a negated name's
     * values are AND-ed: "not a and not b"). The result is every combination, at most
     * {@link #MAX_FILTERS}.
     */
    public static List<RecordFilter> fromParameters(Map<String, List<String>> params) {
        Map<String, List<Condition>> dimensions = new LinkedHashMap<>();
        params.forEach((name, values) -> {
            boolean negated = name.endsWith("!");
            String bare = negated ? name.substring(0, name.length() - 1) : name;
            if (!isFilterName(bare)) {
                return;
            }
            List<Condition> conditions = new ArrayList<>(values.size());
            for (String v : values) {
                Condition c = bare.equals("key") ? key(v) : header(bare.substring(HEADER_PREFIX.length()), v);
                conditions.add(negated ? not(c) : c);
            }
            if (negated) {
                for (int i = 0; i < conditions.size(); i++) {
                    dimensions.put(name + "#" + i, List.of(conditions.get(i)));
                }
            } else {
                dimensions.put(name, conditions);
            }
        });
        if (dimensions.isEmpty()) {
            return List.of();
        }
        checkConditions(dimensions.size());
        List<List<Condition>> product = new ArrayList<>();
        product.add(List.of());
        for (List<Condition> options : dimensions.values()) {
            List<List<Condition>> next = new ArrayList<>();
            for (List<Condition> prefix : product) {
                for (Condition option : options) {
                    List<Condition> combined = new ArrayList<>(prefix);
                    combined.add(option);
                    next.add(combined);
                }
            }
            if (next.size() > MAX_FILTERS) {
                throw new Invalid("too_many_filters", "the filter parameters expand to more than "
                        + MAX_FILTERS + " combinations");
            }
            product = next;
        }
        return product.stream().map(RecordFilter::new).toList();
    }

    private static boolean isFilterName(String name) {
        return name.equals("key") || (name.startsWith(HEADER_PREFIX) && name.length() > HEADER_PREFIX.length());
    }

    private static void checkConditions(int count) {
        if (count > MAX_CONDITIONS) {
            throw new Invalid("too_many_filters", "a filter takes at most " + MAX_CONDITIONS + " conditions");
        }
    }
}
