package io.wharf.resp.protocol;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A reply as the server sends it. The encoder writes each kind in the connection's protocol
 * (RESP2, or RESP3 after {@code HELLO 3}): maps become flat arrays and nulls become {@code $-1} or
 * {@code *-1} in RESP2.
 */
public sealed interface RespValue {
    /** {@code +OK}. */
    RespValue OK = new Simple("OK");
    /** {@code :1}, what a single produce or ack replies. */
    RespValue ONE = new Int(1);
    /** {@code +PONG}. */
    RespValue PONG = new Simple("PONG");
    /** A null bulk string ({@code $-1}, or {@code _} in RESP3). */
    RespValue NULL = new NullBulk();
    /** A null array ({@code *-1}, or {@code _} in RESP3): what a timed-out blocking pop replies. */
    RespValue NULL_ARRAY = new NullArray();

    /** A simple string, {@code +text}; the text must not contain CR or LF. */
    record Simple(String text) implements RespValue {
    }

    /** An error, {@code -PREFIX message}; the text starts with its prefix ({@code ERR}, {@code CONS}, {@code PROD}, ...). */
    record Error(String text) implements RespValue {
        /** The first word, which clients map to an exception class: {@code ERR}, {@code CONS}, {@code NOAUTH}, ... */
        public String kind() {
            int space = text.indexOf(' ');
            return space < 0 ? text : text.substring(0, space);
        }
    }

    /** An integer, {@code :n}. */
    record Int(long value) implements RespValue {
    }

    /** A bulk string of raw bytes. */
    record Bulk(byte[] bytes) implements RespValue {
        /** A bulk string of UTF-8 text. */
        public static Bulk of(String text) {
            return new Bulk(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** An array of replies. */
    record Array(List<RespValue> items) implements RespValue {
        /** An array of UTF-8 bulk strings. */
        public static Array ofText(List<String> texts) {
            return new Array(texts.stream().<RespValue>map(Bulk::of).toList());
        }
    }

    /** A map (RESP3 {@code %}), sent as a flat array of alternating keys and values in RESP2. */
    record Map(List<RespValue> keysAndValues) implements RespValue {
        public Map {
            if (keysAndValues.size() % 2 != 0) {
                throw new IllegalArgumentException("a map needs an even number of keys and values");
            }
        }

        /** A map from text keys, given as alternating key, value arguments. */
        public static Map of(Object... keysAndValues) {
            RespValue[] items = new RespValue[keysAndValues.length];
            for (int i = 0; i < keysAndValues.length; i++) {
                Object o = keysAndValues[i];
                items[i] = o instanceof RespValue v ? v
                        : o instanceof Number n ? new Int(n.longValue())
                        : Bulk.of(String.valueOf(o));
            }
            return new Map(List.of(items));
        }
    }

    /** A null bulk string. */
    record NullBulk() implements RespValue {
    }

    /** A null array. */
    record NullArray() implements RespValue {
    }

    /**
     * A reply that writes itself, for large structures (batches of records) built without
     * intermediate objects.
     *
     * @param body     writes the reply
     * @param sizeHint about how many bytes it writes, to size the buffer once
     */
    record Streamed(Writable body, int sizeHint) implements RespValue {
    }

    /** Switches the connection's protocol, then writes the reply in the new one (what {@code HELLO} does). */
    record SwitchProtocol(int protocol, RespValue reply) implements RespValue {
    }

    /** A reply body that writes itself through a {@link RespOutput}. */
    @FunctionalInterface
    interface Writable {
        /** Writes the whole reply. */
        void writeTo(RespOutput out);
    }

    /** An error reply. */
    static RespValue error(String text) {
        return new Error(text);
    }
}
