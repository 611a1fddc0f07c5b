package io.wharf.http;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.wharf.core.hub.FilterGrammar;
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
 * are OR-ed: the grammar is {@link FilterGrammar#fromParameters}) and the value encoding.
 *
 * @param partitions the partitions, empty for all
 * @param start      where to start
 * @param filters    OR-ed filters, empty for every record
 * @param encoding   how keys and values are written
 */
record SubscriptionQuery(Set<Integer> partitions, StartPosition start, List<RecordFilter> filters,
                         ValueEncoding encoding) {
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
        return wholeNumber(value, Long.MAX_VALUE, "bad_offset", "offset");
    }

    /** A whole number from 0 to max, else a bad request naming what it is. */
    private static long wholeNumber(String value, long max, String code, String what) {
        try {
            long n = Long.parseLong(value);
            if (n >= 0 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw ApiError.badRequest(code, what + " must be a whole number >= 0, not '" + value + "'");
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
        return (int) wholeNumber(value, Integer.MAX_VALUE, "bad_partition", "partition");
    }

    private static List<RecordFilter> filters(Map<String, List<String>> params) {
        try {
            return FilterGrammar.fromParameters(params);
        } catch (FilterGrammar.Invalid e) {
            throw ApiError.badRequest(e.code(), e.getMessage());
        }
    }

    static String first(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
