package io.wharf.resp.consume;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiConsumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.wharf.resp.config.RespSettings;
import io.wharf.resp.protocol.CommandError;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;

/**
 * A consuming connection's settings, from the JSON after the topics in its first {@code BLPOP}.
 * Names are librdkafka's (what Rafka clients send); each with a Java-client equivalent is mapped to
 * it, Wharf's own ({@code wharf.*}) choose the message form and the ack mode, and anything else is
 * refused with a {@code CONS} error naming the key.
 *
 * @param kafka          Java-client consumer properties to apply
 * @param format         how records are sent to the client
 * @param ackMode        what an ack means
 * @param commitEachAck  {@code enable.auto.commit=false}: each ack is committed before its reply
 * @param commitInterval how often acknowledged offsets are committed otherwise
 */
record ConsumerOptions(Map<String, Object> kafka, MessageFormat format, AckMode ackMode,
                              boolean commitEachAck, Duration commitInterval) {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** The settings of a connection that gave no JSON. */
    static ConsumerOptions defaults(RespSettings settings) {
        return new ConsumerOptions(Map.of(), MessageFormat.RAFKA, AckMode.CUMULATIVE, false, settings.commitInterval());
    }

    /** Parses the JSON configuration; every problem is a {@code CONS} error naming the setting. */
    static ConsumerOptions parse(String json, RespSettings settings) {
        if (json == null) {
            return defaults(settings);
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage() == null ? e.getMessage() : e.getOriginalMessage();
            throw CommandError.cons("Cannot parse consumer config JSON '" + json + "': " + firstLine(why));
        }
        if (root == null || !root.isObject()) {
            throw CommandError.cons("Consumer config must be a JSON object of settings, got '" + json + "'");
        }
        Builder b = new Builder(settings);
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            String key = field.getKey();
            JsonNode value = field.getValue();
            if (!value.isValueNode() || value.isNull()) {
                throw CommandError.cons("Consumer setting '" + key + "' must be a string, number or boolean");
            }
            BiConsumer<Builder, Value> setting = SETTINGS.get(key);
            if (setting == null) {
                throw CommandError.cons(unknown(key));
            }
            setting.accept(b, new Value(key, value.asText()));
        }
        return b.build();
    }

    private static String unknown(String key) {
        String hint = switch (key) {
            case "group.id" -> "the group is the part of CLIENT SETNAME before the ':'";
            case "bootstrap.servers", "metadata.broker.list" -> "Wharf connects to its own Kafka cluster";
            default -> "known settings: " + String.join(", ", new TreeSet<>(SETTINGS.keySet()));
        };
        return "Unknown consumer setting '" + key + "' (" + hint + ")";
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** One setting's name and its text value. */
    private record Value(String key, String text) {
        int integer(int min, int max) {
            try {
                int v = Integer.parseInt(text.trim());
                if (v >= min && v <= max) {
                    return v;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw invalid("a whole number from " + min + " to " + max);
        }

        boolean bool() {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw invalid("true or false");
            };
        }

        String choice(Map<String, String> accepted) {
            String mapped = accepted.get(text.trim().toLowerCase(Locale.ROOT));
            if (mapped == null) {
                throw invalid("one of " + String.join(", ", accepted.keySet()));
            }
            return mapped;
        }

        String nonBlank() {
            if (text.isBlank()) {
                throw invalid("a non-empty text");
            }
            return text;
        }

        CommandError invalid(String expected) {
            return CommandError.cons("Invalid value '" + text + "' for consumer setting '" + key + "': expected " + expected);
        }
    }

    /** Collects settings while parsing. */
    private static final class Builder {
        final Map<String, Object> kafka = new LinkedHashMap<>();
        MessageFormat format = MessageFormat.RAFKA;
        AckMode ackMode = AckMode.CUMULATIVE;
        boolean commitEachAck;
        Duration commitInterval;

        Builder(RespSettings settings) {
            commitInterval = settings.commitInterval();
        }

        void kafka(String javaKey, Object value) {
            kafka.put(javaKey, value);
        }

        ConsumerOptions build() {
            if ("consumer".equals(kafka.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG))) {
                for (String classicOnly : List.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG)) {
                    if (kafka.containsKey(classicOnly)) {
                        throw CommandError.cons("Consumer setting '" + classicOnly
                                + "' cannot be used with group.protocol=consumer (the broker decides it)");
                    }
                }
            }
            return new ConsumerOptions(Map.copyOf(kafka), format, ackMode, commitEachAck, commitInterval);
        }
    }

    private static final Map<String, String> OFFSET_RESET = ordered(
            "smallest", "earliest", "earliest", "earliest", "beginning", "earliest",
            "largest", "latest", "latest", "latest", "end", "latest", "error", "none");
    private static final Map<String, String> ISOLATION = ordered(
            "read_committed", "read_committed", "read_uncommitted", "read_uncommitted");
    private static final Map<String, String> GROUP_PROTOCOL = ordered("classic", "classic", "consumer", "consumer");
    private static final Map<String, String> ASSIGNORS = ordered(
            "range", RangeAssignor.class.getName(), "roundrobin", RoundRobinAssignor.class.getName(),
            "cooperative-sticky", CooperativeStickyAssignor.class.getName());
    private static final Map<String, String> FORMATS = ordered("rafka", "RAFKA", "full", "FULL");
    private static final Map<String, String> ACK_MODES = ordered("cumulative", "CUMULATIVE", "individual", "INDIVIDUAL");

    /** librdkafka (and Wharf) setting name to what it does. */
    private static final Map<String, BiConsumer<Builder, Value>> SETTINGS = new LinkedHashMap<>();

    static {
        SETTINGS.put("auto.offset.reset", (b, v) -> b.kafka(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, v.choice(OFFSET_RESET)));
        SETTINGS.put("session.timeout.ms", (b, v) -> b.kafka(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, v.integer(1, 3_600_000)));
        SETTINGS.put("heartbeat.interval.ms", (b, v) -> b.kafka(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, v.integer(1, 3_600_000)));
        SETTINGS.put("max.poll.interval.ms", (b, v) -> b.kafka(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, v.integer(1, 86_400_000)));
        SETTINGS.put("fetch.min.bytes", (b, v) -> b.kafka(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, v.integer(1, 100_000_000)));
        SETTINGS.put("fetch.wait.max.ms", (b, v) -> b.kafka(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, v.integer(0, 300_000)));
        SETTINGS.put("fetch.max.bytes", (b, v) -> b.kafka(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, v.integer(1, 2_147_483_135)));
        SETTINGS.put("max.partition.fetch.bytes", (b, v) -> b.kafka(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, v.integer(1, 1_000_000_000)));
        SETTINGS.put("fetch.message.max.bytes", (b, v) -> b.kafka(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, v.integer(1, 1_000_000_000)));
        SETTINGS.put("isolation.level", (b, v) -> b.kafka(ConsumerConfig.ISOLATION_LEVEL_CONFIG, v.choice(ISOLATION)));
        SETTINGS.put("check.crcs", (b, v) -> b.kafka(ConsumerConfig.CHECK_CRCS_CONFIG, v.bool()));
        SETTINGS.put("client.id", (b, v) -> b.kafka(ConsumerConfig.CLIENT_ID_CONFIG, v.nonBlank()));
        SETTINGS.put("group.instance.id", (b, v) -> b.kafka(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, v.nonBlank()));
        SETTINGS.put("group.protocol", (b, v) -> b.kafka(ConsumerConfig.GROUP_PROTOCOL_CONFIG, v.choice(GROUP_PROTOCOL)));
        SETTINGS.put("group.remote.assignor", (b, v) -> b.kafka(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, v.nonBlank()));
        SETTINGS.put("partition.assignment.strategy", (b, v) -> {
            StringBuilder classes = new StringBuilder();
            for (String name : v.text().split(",")) {
                String cls = new Value(v.key(), name).choice(ASSIGNORS);
                classes.append(classes.length() == 0 ? "" : ",").append(cls);
            }
            b.kafka(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, classes.toString());
        });
        SETTINGS.put("enable.auto.commit", (b, v) -> b.commitEachAck = !v.bool());
        SETTINGS.put("auto.commit.interval.ms", (b, v) -> b.commitInterval = Duration.ofMillis(v.integer(1, 86_400_000)));
        // Rafka's own deployment sets these; they describe what Wharf always does, so only that value is accepted.
        SETTINGS.put("enable.auto.offset.store", (b, v) -> {
            if (v.bool()) {
                throw v.invalid("false (offsets are stored only by RPUSH acks)");
            }
        });
        SETTINGS.put("enable.partition.eof", (b, v) -> {
            if (v.bool()) {
                throw v.invalid("false (end-of-partition events are not delivered)");
            }
        });
        SETTINGS.put("wharf.message.format", (b, v) -> b.format = MessageFormat.valueOf(v.choice(FORMATS)));
        SETTINGS.put("wharf.ack.mode", (b, v) -> b.ackMode = AckMode.valueOf(v.choice(ACK_MODES)));
    }

    private static Map<String, String> ordered(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
