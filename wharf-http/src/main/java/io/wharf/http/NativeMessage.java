package io.wharf.http;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.core.hub.FilterGrammar;
import io.wharf.core.hub.RecordFilter;
import io.wharf.core.hub.StartPosition;
import org.apache.kafka.clients.producer.ProducerRecord;

/** A message a client sends on the native WebSocket protocol (one JSON object per text frame). */
sealed interface NativeMessage {
    /** The client's id for the subscription or request this message is about. */
    String id();

    /** Delivery from the hub (fan-out, no group) or from a Kafka consumer group. */
    enum Mode { HUB, GROUP }

    /**
     * {@code subscribe}.
     *
     * @param id         the client's subscription id, echoed on every message about it
     * @param topic      the topic
     * @param mode       hub or group
     * @param group      the consumer group (group mode)
     * @param start      where to start (hub mode; in group mode only live/earliest for a group without offsets)
     * @param partitions partitions to read (hub mode), empty for all
     * @param filters    OR-ed filters (hub mode)
     * @param encoding   how keys and values are written
     * @param window     most records delivered and not yet acknowledged (group mode)
     */
    record Subscribe(String id, String topic, Mode mode, String group, StartPosition start, Set<Integer> partitions,
                     List<RecordFilter> filters, ValueEncoding encoding, int window) implements NativeMessage {
    }

    /** {@code unsubscribe}. */
    record Unsubscribe(String id) implements NativeMessage {
    }

    /** {@code produce}: one record; answered with {@code produced} or {@code error} carrying the same id. */
    record Produce(String id, ProducerRecord<byte[], byte[]> record) implements NativeMessage {
    }

    /** {@code ack}: the client processed every record of the partition up to and including the offset. */
    record Ack(String id, int partition, long offset) implements NativeMessage {
    }

    /** {@code pause}: stop delivering on this subscription until {@code resume}. */
    record Pause(String id) implements NativeMessage {
    }

    /** {@code resume}. */
    record Resume(String id) implements NativeMessage {
    }

    /** The fields of a {@code produce} message: a record's and the message's own. */
    Set<String> PRODUCE_FIELDS = Set.copyOf(java.util.stream.Stream.concat(ProduceJson.RECORD_FIELDS.stream(),
            java.util.stream.Stream.of("type", "id", "topic")).toList());

    /** Default and largest unacknowledged window of a group subscription. */
    int DEFAULT_WINDOW = 1000;
    int MAX_WINDOW = 100_000;

    /**
     * Parses one text frame.
     *
     * @throws Invalid when the frame is not a valid message (carrying the id when there was one)
     */
    static NativeMessage parse(String text) {
        JsonNode node;
        try {
            node = HttpReplies.STRICT_JSON.readTree(text);
        } catch (IOException e) {
            throw new Invalid(null, ApiError.badRequest("bad_json", "the message is not valid JSON"));
        }
        if (node == null || !node.isObject()) {
            throw new Invalid(null, ApiError.badRequest("bad_message", "a message is a JSON object with a type"));
        }
        String id = node.hasNonNull("id") ? node.get("id").asText() : null;
        try {
            String type = text(node, "type");
            if (id == null || id.isEmpty()) {
                throw ApiError.badRequest("missing_id", "every message needs an id");
            }
            return switch (type) {
                case "subscribe" -> subscribe(id, node);
                case "unsubscribe" -> new Unsubscribe(id);
                case "produce" -> new Produce(id, ProduceJson.record(ProduceJson.topic(text(node, "topic")), node,
                        "the produce message", "", PRODUCE_FIELDS));
                case "ack" -> new Ack(id, partition(node.get("partition")), offset(node.get("offset"), "offset"));
                case "pause" -> new Pause(id);
                case "resume" -> new Resume(id);
                default -> throw ApiError.badRequest("unknown_type", "unknown message type '" + type
                        + "'; use subscribe, unsubscribe, produce, ack, pause or resume");
            };
        } catch (ApiError e) {
            throw new Invalid(id, e);
        }
    }

    private static Subscribe subscribe(String id, JsonNode node) {
        String topic = ProduceJson.topic(text(node, "topic"));
        String modeText = node.hasNonNull("mode") ? node.get("mode").asText() : "hub";
        Mode mode = switch (modeText) {
            case "hub" -> Mode.HUB;
            case "group" -> Mode.GROUP;
            default -> throw ApiError.badRequest("bad_mode", "mode must be hub or group, not '" + modeText + "'");
        };
        String group = null;
        if (mode == Mode.GROUP) {
            group = text(node, "group");
            if (group.isBlank()) {
                throw ApiError.badRequest("missing_group", "group mode needs a group");
            }
        }
        StartPosition start = start(node.get("start"));
        if (mode == Mode.GROUP && !(start instanceof StartPosition.Live || start instanceof StartPosition.Earliest)) {
            throw ApiError.badRequest("bad_start", "group mode starts where the group left off; start may only be "
                    + "live or earliest (for a group without committed offsets)");
        }
        Set<Integer> partitions = new TreeSet<>();
        JsonNode ps = node.get("partitions");
        if (ps != null && !ps.isNull()) {
            if (!ps.isArray()) {
                throw ApiError.badRequest("bad_partition", "partitions must be a list of numbers");
            }
            ps.forEach(p -> partitions.add(partition(p)));
        }
        List<RecordFilter> filters = filters(node.get("filters"));
        if (mode == Mode.GROUP && (!partitions.isEmpty() || !filters.isEmpty())) {
            throw ApiError.badRequest("bad_subscribe", "partitions and filters are for hub mode; a group gets its partitions from Kafka");
        }
        ValueEncoding encoding = ValueEncoding.parse(node.hasNonNull("encoding") ? node.get("encoding").asText() : null);
        int window = DEFAULT_WINDOW;
        JsonNode w = node.get("window");
        if (w != null && !w.isNull()) {
            if (!w.isIntegralNumber() || w.intValue() < 1 || w.intValue() > MAX_WINDOW) {
                throw ApiError.badRequest("bad_window", "window must be 1-" + MAX_WINDOW);
            }
            window = w.intValue();
        }
        return new Subscribe(id, topic, mode, group, start, partitions, filters, encoding, window);
    }

    private static StartPosition start(JsonNode node) {
        if (node == null || node.isNull()) {
            return new StartPosition.Live();
        }
        if (node.isTextual()) {
            return switch (node.textValue()) {
                case "live", "latest" -> new StartPosition.Live();
                case "earliest" -> new StartPosition.Earliest();
                default -> throw ApiError.badRequest("bad_start", "start must be live, earliest, {\"offset\": n}, "
                        + "{\"timestamp\": ms} or {\"token\": \"...\"}");
            };
        }
        if (node.isObject()) {
            if (node.has("offset")) {
                return new StartPosition.AtOffset(offset(node.get("offset"), "start.offset"));
            }
            if (node.has("timestamp")) {
                return new StartPosition.AtTimestamp(offset(node.get("timestamp"), "start.timestamp"));
            }
            if (node.has("token")) {
                return new StartPosition.FromToken(SubscriptionQuery.token(node.get("token").asText(), "start.token"));
            }
        }
        throw ApiError.badRequest("bad_start", "start must be live, earliest, {\"offset\": n}, {\"timestamp\": ms} "
                + "or {\"token\": \"...\"}");
    }

    /** Extracts the listed filter form from JSON; {@link FilterGrammar} checks and builds it. */
    private static List<RecordFilter> filters(JsonNode node) {
        List<RecordFilter> filters = new ArrayList<>();
        if (node == null || node.isNull()) {
            return filters;
        }
        if (!node.isArray()) {
            throw ApiError.badRequest("bad_filter", "filters must be a list; each filter a list of conditions");
        }
        try {
            for (JsonNode f : node) {
                List<RecordFilter.Condition> conditions = new ArrayList<>();
                if (f.isArray()) {
                    f.forEach(c -> conditions.add(condition(c)));
                } else {
                    conditions.add(condition(f));
                }
                filters.add(FilterGrammar.filter(conditions));
            }
            return FilterGrammar.filters(filters);
        } catch (FilterGrammar.Invalid e) {
            throw ApiError.badRequest(e.code(), e.getMessage());
        }
    }

    private static RecordFilter.Condition condition(JsonNode c) {
        if (c != null && c.isObject()) {
            if (c.has("not")) {
                return FilterGrammar.not(condition(c.get("not")));
            }
            if (c.has("key") && c.get("key").isTextual()) {
                return FilterGrammar.key(c.get("key").textValue());
            }
            if (c.has("header") && c.get("header").isTextual() && c.has("value") && c.get("value").isTextual()) {
                return FilterGrammar.header(c.get("header").textValue(), c.get("value").textValue());
            }
        }
        throw ApiError.badRequest("bad_filter", "a condition is {\"key\": k}, {\"header\": name, \"value\": v} "
                + "or {\"not\": condition}");
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw ApiError.badRequest("missing_" + field, "'" + field + "' is required and must be a string");
        }
        return v.textValue();
    }

    private static int partition(JsonNode p) {
        if (p == null || !p.isIntegralNumber() || !p.canConvertToInt() || p.intValue() < 0) {
            throw ApiError.badRequest("bad_partition", "partition must be a whole number >= 0");
        }
        return p.intValue();
    }

    private static long offset(JsonNode o, String field) {
        if (o == null || !o.isIntegralNumber() || o.longValue() < 0) {
            throw ApiError.badRequest("bad_offset", field + " must be a whole number >= 0");
        }
        return o.longValue();
    }

    /** A frame that is not a valid message: the error to send back, and the id it was about (if any). */
    final class Invalid extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String id;
        private final transient ApiError error;

        Invalid(String id, ApiError error) {
            super(error.getMessage(), null, false, false);
            this.id = id;
            this.error = error;
        }

        String id() {
            return id;
        }

        ApiError error() {
            return error;
        }
    }
}
