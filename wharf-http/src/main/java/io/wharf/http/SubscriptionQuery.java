package io.wharf.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.wharf.core.hub.RecordFilter;
import io.wharf.core.hub.ResumeToken;
import io.wharf.core.hub.StartPosition;
import io.wharf.core.hub.SubscriptionRequest;

/**
 * What an SSE stream or long poll asks the hub for, parsed from query parameters: the start
 * ({@code start=live|earliest}, {@code offset=N}, {@code time=<epoch ms or ISO-8601>},
 * {@code token=<resume token>}, or the {@code Last-Event-ID} header, which wins), the partitions
 * ({@code partition=0,2}), filters ({@code key=}, {@code key!=}, {@code header.<name>=},
 * {@code header.<name>!=}; conditions on different names are AND-ed, repeated values of one name
 * are OR-ed) and the value encoding.
 *
 * @param partitions the partitions, empty for all
 * @param start      where to start
 * @param filters    OR-ed filters, empty for every record
 * @param encoding   how keys and values are written
 */
record SubscriptionQuery(Set<Integer> partitions, StartPosition start, List<RecordFilter> filters,
                         ValueEncoding encoding) {
    /** Most filters one query may expand to. */
    static final int MAX_FILTERS = 64;

    /** The hub request for a topic. */
    SubscriptionRequest toRequest(String topic, int queueCapacity) {
        return new SubscriptionRequest(topic, partitions, start, filters, queueCapacity);
    }

    static SubscriptionQuery parse(Map<String, List<String>> params, String lastEventId) {
        StartPosition start = start(params, lastEventId);
        Set<Integer> partitions = partitions(params.get("partition"));
        ValueEncoding encoding = ValueEncoding.parse(first(params, "encoding"));
        return new SubscriptionQuery(partitions, start, filters(params), encoding);
    }

    static StartPosition start(Map<String, List<String>> params, String lastEventId) {
        if (lastEventId != null && !lastEventId.isBlank()) {
            return new StartPosition.FromToken(token(lastEventId.trim(), "Last-Event-ID"));
        }
        List<String> given = new ArrayList<>();
        for (String name : List.of("start", "offset", "time", "token")) {
            if (params.containsKey(name)) {
                given.add(name);
            }
        }
        if (given.size() > 1) {
            throw ApiError.badRequest("bad_start", "give only one of start, offset, time and token, not " + given);
        }
        if (given.isEmpty()) {
            return new StartPosition.Live();
        }
        String value = first(params, given.get(0));
        return switch (given.get(0)) {
            case "start" -> switch (value) {
                case "live", "latest" -> new StartPosition.Live();
                case "earliest" -> new StartPosition.Earliest();
                default -> throw ApiError.badRequest("bad_start", "start must be live or earliest, not '" + value + "'");
            };
            case "offset" -> new StartPosition.AtOffset(offset(value));
            case "time" -> new StartPosition.AtTimestamp(time(value));
            default -> new StartPosition.FromToken(token(value, "token"));
        };
    }

    static long offset(String value) {
        try {
            long offset = Long.parseLong(value);
            if (offset >= 0) {
                return offset;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw ApiError.badRequest("bad_offset", "offset must be a whole number >= 0, not '" + value + "'");
    }

    private static long time(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            try {
                return Instant.parse(value).toEpochMilli();
            } catch (DateTimeParseException e2) {
                throw ApiError.badRequest("bad_time", "time must be epoch milliseconds or ISO-8601 like "
                        + "2024-01-31T12:00:00Z, not '" + value + "'");
            }
        }
    }

    static ResumeToken token(String value, String where) {
        try {
            return ResumeToken.decode(value);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("bad_resume_token", where + " is not a resume token this server issued: '"
                    + value + "'");
        }
    }

    static Set<Integer> partitions(List<String> values) {
        Set<Integer> partitions = new TreeSet<>();
        if (values == null) {
            return partitions;
        }
        for (String v : values) {
            for (String part : v.split(",")) {
                partitions.add(partition(part.trim()));
            }
        }
        return partitions;
    }

    static int partition(String value) {
        try {
            int p = Integer.parseInt(value);
            if (p >= 0) {
                return p;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw ApiError.badRequest("bad_partition", "partition must be a whole number >= 0, not '" + value + "'");
    }

    private static List<RecordFilter> filters(Map<String, List<String>> params) {
        // each parameter name is one dimension: its values are OR-ed; dimensions are AND-ed
        Map<String, List<RecordFilter.Condition>> dimensions = new LinkedHashMap<>();
        params.forEach((name, values) -> {
            boolean negated = name.endsWith("!");
            String bare = negated ? name.substring(0, name.length() - 1) : name;
            List<RecordFilter.Condition> conditions = new ArrayList<>();
            for (String v : values) {
                RecordFilter.Condition c;
                if (bare.equals("key")) {
                    c = new RecordFilter.KeyEquals(v.getBytes(StandardCharsets.UTF_8));
                } else if (bare.startsWith("header.") && bare.length() > "header.".length()) {
                    c = new RecordFilter.HeaderEquals(bare.substring("header.".length()), v.getBytes(StandardCharsets.UTF_8));
                } else {
                    return;
                }
                conditions.add(negated ? new RecordFilter.Not(c) : c);
            }
            if (negated) {
                // "not a and not b": a negated name's values are AND-ed, one dimension each
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
        List<List<RecordFilter.Condition>> product = new ArrayList<>();
        product.add(List.of());
        for (List<RecordFilter.Condition> options : dimensions.values()) {
            List<List<RecordFilter.Condition>> next = new ArrayList<>();
            for (List<RecordFilter.Condition> prefix : product) {
                for (RecordFilter.Condition option : options) {
                    List<RecordFilter.Condition> combined = new ArrayList<>(prefix);
                    combined.add(option);
                    next.add(combined);
                }
            }
            if (next.size() > MAX_FILTERS) {
                throw ApiError.badRequest("too_many_filters", "the filter parameters expand to more than "
                        + MAX_FILTERS + " combinations");
            }
            product = next;
        }
        return product.stream().map(RecordFilter::new).toList();
    }

    static String first(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
