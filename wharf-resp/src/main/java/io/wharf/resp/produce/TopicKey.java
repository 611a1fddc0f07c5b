package io.wharf.resp.produce;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.wharf.core.kafka.TopicNames;
import io.wharf.resp.protocol.CommandError;

/**
 * Where a produced record goes: {@code topics:<topic>} or {@code topics:<topic>:<key>}. The key
 * is everything after the second colon, so keys may contain colons.
 *
 * @param topic the Kafka topic
 * @param key   the record key, or null
 */
public record TopicKey(String topic, byte[] key) {
    private static final byte[] PREFIX = "topics:".getBytes(StandardCharsets.US_ASCII);

    /** Parses a produce key; a malformed one is a {@code PROD} error naming the accepted forms. */
    public static TopicKey parse(byte[] raw) {
        if (raw.length <= PREFIX.length || !Arrays.equals(raw, 0, PREFIX.length, PREFIX, 0, PREFIX.length)) {
            throw badKey(raw);
        }
        int colon = -1;
        for (int i = PREFIX.length; i < raw.length; i++) {
            if (raw[i] == ':') {
                colon = i;
                break;
            }
        }
        int topicEnd = colon < 0 ? raw.length : colon;
        String topic = new String(raw, PREFIX.length, topicEnd - PREFIX.length, StandardCharsets.UTF_8);
        String problem = TopicNames.problem(topic);
        if (problem != null) {
            throw CommandError.prod(problem);
        }
        byte[] key = colon < 0 ? null : Arrays.copyOfRange(raw, colon + 1, raw.length);
        return new TopicKey(topic, key);
    }

    private static CommandError badKey(byte[] raw) {
        return CommandError.prod("First argument must be in the form of 'topics:<topic>' or 'topics:<topic>:<key>', got '"
                + new String(raw, StandardCharsets.UTF_8) + "'");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicKey k && topic.equals(k.topic) && Arrays.equals(key, k.key);
    }

    @Override
    public int hashCode() {
        return 31 * topic.hashCode() + Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return "TopicKey[topic=" + topic + ", key=" + (key == null ? null : new String(key, StandardCharsets.UTF_8)) + "]";
    }
}
