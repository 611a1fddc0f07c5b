package io.wharf.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.core.kafka.TopicNames;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Reads a record to produce from its JSON form, shared by the HTTP batch body and the native
 * WebSocket {@code produce} message: {@code key} and {@code value} (strings, or any JSON value sent
 * as its JSON text; {@code keyEncoding}/{@code valueEncoding: "base64"} for binary), {@code headers}
 * (an object of name to string, or a list of {@code {name, value, encoding}}), optional
 * {@code partition} and {@code timestamp}. {@code value} is required and unknown fields are refused:
 * a typo is a 400, never a tombstone.
 */
final class ProduceJson {
    private static final Set<String> HEADER_FIELDS = Set.of("name", "value", "encoding");

    private ProduceJson() {
    }

    /** Checks a topic name's shape (Kafka's legal characters and length). */
    static String topic(String name) {
        if (name == null || TopicNames.problem(name) != null) {
            throw ApiError.badRequest("bad_topic", "'" + name + "' is not a legal topic name "
                    + "(1-249 of a-z A-Z 0-9 . _ -)");
        }
        return name;
    }

    /** The fields of a record in a JSON batch. */
    static final Set<String> RECORD_FIELDS = Set.of("key", "value", "headers", "partition", "timestamp", "keyEncoding",
            "valueEncoding");

    /**
     * The record a JSON object describes. {@code value} is required ({@code null} is a tombstone, so
     * a typo never becomes one) and every field must be one of {@code fields}.
     */
    static ProducerRecord<byte[], byte[]> record(String topic, JsonNode node, String where, String fieldPrefix,
                                                 Set<String> fields) {
        if (node == null || !node.isObject()) {
            throw ApiError.badRequest("bad_record", where + " must be a JSON object with a value");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) {
                throw ApiError.badField("unknown_field", fieldPrefix + name, where + " has an unknown field '" + name
                        + "' (known: " + String.join(", ", new TreeSet<>(fields)) + ")");
            }
        }
        if (!node.has("value")) {
            throw ApiError.badField("missing_value", fieldPrefix + "value", where + " has no 'value'; send \"value\": null "
                    + "for a tombstone");
        }
        byte[] key = bytes(node.get("key"), node.get("keyEncoding"), where + ".key");
        byte[] value = bytes(node.get("value"), node.get("valueEncoding"), where + ".value");
        Integer partition = null;
        JsonNode p = node.get("partition");
        if (p != null && !p.isNull()) {
            if (!p.canConvertToInt() || !p.isIntegralNumber() || p.intValue() < 0) {
                throw ApiError.badField("bad_partition", fieldPrefix + "partition", where + ".partition must be a whole number >= 0");
            }
            partition = p.intValue();
        }
        Long timestamp = null;
        JsonNode t = node.get("timestamp");
        if (t != null && !t.isNull()) {
            if (!t.isIntegralNumber() || !t.canConvertToLong() || t.longValue() < 0) {
                throw ApiError.badField("bad_timestamp", fieldPrefix + "timestamp", where + ".timestamp must be epoch "
                        + "milliseconds, a whole number from 0 to " + Long.MAX_VALUE + ", not " + abbreviate(t.toString()));
            }
            timestamp = t.longValue();
        }
        return new ProducerRecord<>(topic, partition, timestamp, key, value, headers(node.get("headers"), where));
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    static byte[] bytes(JsonNode node, JsonNode encoding, String where) {
        if (node == null || node.isNull()) {
            return null;
        }
        boolean base64 = false;
        if (encoding != null && !encoding.isNull()) {
            String e = encoding.asText();
            if (e.equalsIgnoreCase("base64")) {
                base64 = true;
            } else if (!e.equalsIgnoreCase("text") && !e.equalsIgnoreCase("utf8")) {
                throw ApiError.badField("bad_encoding", where, where + " encoding must be text or base64, not '"
                        + abbreviate(e) + "'");
            }
        }
        if (!node.isTextual()) {
            if (base64) {
                throw ApiError.badField("bad_encoding", where, where + " must be a base64 string");
            }
            return node.toString().getBytes(StandardCharsets.UTF_8);
        }
        if (base64) {
            try {
                return Base64.getDecoder().decode(node.textValue());
            } catch (IllegalArgumentException e) {
                throw ApiError.badField("bad_base64", where, where + " is not valid base64");
            }
        }
        return node.textValue().getBytes(StandardCharsets.UTF_8);
    }

    private static List<Header> headers(JsonNode node, String where) {
        List<Header> headers = new ArrayList<>();
        if (node == null || node.isNull()) {
            return headers;
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                headers.add(new RecordHeader(e.getKey(), bytes(e.getValue(), null, where + ".headers." + e.getKey())));
            }
            return headers;
        }
        if (node.isArray()) {
            for (JsonNode h : node) {
                JsonNode name = h.get("name");
                if (name == null || !name.isTextual()) {
                    throw ApiError.badField("bad_header", where + ".headers", where + ".headers entries need a string name");
                }
                for (Iterator<String> names = h.fieldNames(); names.hasNext(); ) {
                    String field = names.next();
                    if (!HEADER_FIELDS.contains(field)) {
                        throw ApiError.badField("unknown_field", where + ".headers." + field, where
                                + ".headers entries have name, value and encoding, not '" + field + "'");
                    }
                }
                headers.add(new RecordHeader(name.textValue(), bytes(h.get("value"), h.get("encoding"),
                        where + ".headers." + name.textValue())));
            }
            return headers;
        }
        throw ApiError.badField("bad_header", where + ".headers", where + ".headers must be an object or a list of {name, value}");
    }
}
