package io.wharf.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.util.concurrent.FastThreadLocal;
import io.wharf.core.hub.HubEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Writes a Kafka record as the JSON object every door delivers: topic, partition, offset,
 * timestamp, key, headers and value. Keys, values and header values are JSON strings when they are
 * valid UTF-8 (in {@link ValueEncoding#TEXT}), else base64 with a {@code keyEncoding},
 * {@code valueEncoding} or {@code encoding} marker, so binary data round-trips. Nulls stay null.
 *
 * <p>The encoding of a hub record is the same for every subscriber, so each event-loop thread keeps
 * a bounded cache of recent encodings keyed by topic, partition, offset and encoding: a record
 * fanned out to a thousand connections is encoded about once per thread, not a thousand times.
 * The cache is a table indexed by offset (plus a per-partition base), so any window of
 * {@value #CACHE_SLOTS} consecutive offsets of a partition fits without collisions however far apart
 * the subscribers' positions are; its bytes are capped per thread.
 */
final class RecordJson {
    private static final JsonFactory FACTORY = new JsonFactory();
    // Subscribers of one thread can be far apart (a backlog of seconds at thousands of records a
    // second): a window smaller than their spread makes them evict each other and re-encode.
    static final int CACHE_SLOTS = 65_536;
    /** Only encodings up to this size are cached. */
    private static final int CACHE_MAX_ENTRY_BYTES = 4 * 1024;
    /** Most bytes of encodings one thread's cache holds. */
    private static final long CACHE_MAX_BYTES = 24L * 1024 * 1024;

    private record Cached(String topic, int partition, long offset, ValueEncoding encoding, byte[] json) {
    }

    /** One thread's cache; only its thread touches it. */
    private static final class Cache {
        final Cached[] slots = new Cached[CACHE_SLOTS];
        long bytes;
    }

    private static final FastThreadLocal<Cache> CACHE = new FastThreadLocal<>() {
        @Override
        protected Cache initialValue() {
            return new Cache();
        }
    };

    private static final FastThreadLocal<CharsetDecoder> UTF8 = new FastThreadLocal<>() {
        @Override
        protected CharsetDecoder initialValue() {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
        }
    };

    private RecordJson() {
    }

    /** The JSON object of a hub record (cached per thread). */
    static byte[] of(HubEvent.Record r, ValueEncoding encoding) {
        Cache cache = CACHE.get();
        int base = (int) (((r.topic().hashCode() * 31L + r.partition()) * 2 + encoding.ordinal()) * 0x9E3779B97F4A7C15L >>> 32);
        int slot = (int) (base + r.offset()) & (CACHE_SLOTS - 1);
        Cached c = cache.slots[slot];
        if (c != null && c.offset == r.offset() && c.partition == r.partition() && c.encoding == encoding
                && c.topic.equals(r.topic())) {
            return c.json;
        }
        byte[] json = write(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value(), r.headers(), null,
                encoding);
        if (json.length <= CACHE_MAX_ENTRY_BYTES) {
            long freed = c == null ? 0 : c.json.length;
            if (cache.bytes - freed + json.length <= CACHE_MAX_BYTES) {
                cache.slots[slot] = new Cached(r.topic(), r.partition(), r.offset(), encoding, json);
                cache.bytes += json.length - freed;
            }
        }
        return json;
    }

    /** The JSON object of a record read by a consumer group. */
    static byte[] of(ConsumerRecord<byte[], byte[]> r, ValueEncoding encoding) {
        return write(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value(), null, r.headers(), encoding);
    }

    private static byte[] write(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value,
                                List<HubEvent.Header> hubHeaders, Iterable<Header> kafkaHeaders, ValueEncoding encoding) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + (value == null ? 0 : value.length * 4 / 3));
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("topic", topic);
            g.writeNumberField("partition", partition);
            g.writeNumberField("offset", offset);
            g.writeNumberField("timestamp", timestamp);
            bytesField(g, "key", "keyEncoding", key, encoding);
            g.writeArrayFieldStart("headers");
            if (hubHeaders != null) {
                for (HubEvent.Header h : hubHeaders) {
                    header(g, h.key(), h.value(), encoding);
                }
            } else {
                for (Header h : kafkaHeaders) {
                    header(g, h.key(), h.value(), encoding);
                }
            }
            g.writeEndArray();
            bytesField(g, "value", "valueEncoding", value, encoding);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void header(JsonGenerator g, String name, byte[] value, ValueEncoding encoding) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", name);
        bytesField(g, "value", "encoding", value, encoding);
        g.writeEndObject();
    }

    private static void bytesField(JsonGenerator g, String name, String encodingName, byte[] bytes, ValueEncoding encoding)
            throws IOException {
        g.writeFieldName(name);
        if (bytes == null) {
            g.writeNull();
        } else if (encoding == ValueEncoding.TEXT && isUtf8(bytes)) {
            g.writeUTF8String(bytes, 0, bytes.length);
        } else {
            g.writeString(Base64.getEncoder().encodeToString(bytes));
            g.writeStringField(encodingName, "base64");
        }
    }

    /** A kafka-proxy frame element: {@code {"message": <value as text or null>, "offset": n}}. */
    static void kafkaProxyMessage(JsonGenerator g, byte[] value, long offset) throws IOException {
        g.writeStartObject();
        g.writeFieldName("message");
        if (value == null) {
            g.writeNull();
        } else if (isUtf8(value)) {
            g.writeUTF8String(value, 0, value.length);
        } else {
            // kafka-proxy sends values as text; bytes that are not UTF-8 become U+FFFD, as there
            g.writeString(new String(value, StandardCharsets.UTF_8));
        }
        g.writeNumberField("offset", offset);
        g.writeEndObject();
    }

    static JsonGenerator generator(ByteArrayOutputStream out) {
        try {
            return FACTORY.createGenerator(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isUtf8(byte[] bytes) {
        boolean ascii = true;
        for (byte b : bytes) {
            if (b < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return true;
        }
        try {
            UTF8.get().reset().decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
