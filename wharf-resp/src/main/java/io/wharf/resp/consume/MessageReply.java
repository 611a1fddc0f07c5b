package io.wharf.resp.consume;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.wharf.resp.protocol.RespOutput;
import io.wharf.resp.protocol.RespValue;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Consumed records as replies. A message is Rafka's map {@code topic, partition, offset, value}
 * (a flat 8-element array in RESP2, a map in RESP3); the full form adds {@code key},
 * {@code timestamp} and {@code headers} (a flat array of names and values, so repeated names
 * survive). Written straight from the records, without intermediate reply objects.
 */
public final class MessageReply {
    private static final byte[] PARTITION_FIELD = ascii("$9\r\npartition\r\n");
    private static final byte[] OFFSET_FIELD = ascii("$6\r\noffset\r\n");
    private static final byte[] VALUE_FIELD = ascii("$5\r\nvalue\r\n");
    private static final byte[] KEY = ascii("key");
    private static final byte[] TIMESTAMP = ascii("timestamp");
    private static final byte[] HEADERS = ascii("headers");

    private MessageReply() {
    }

    /** {@code BLPOP}'s reply: one message. */
    public static RespValue single(ConsumerRecord<byte[], byte[]> record, MessageFormat format, Map<String, byte[]> topicFields) {
        return new RespValue.Streamed(out -> write(out, record, format, topicFields), sizeHint(record));
    }

    /** {@code BLMPOP}'s reply: {@code [key, [message, ...]]}, as Redis replies with the list name and its elements. */
    public static RespValue batch(byte[] key, List<ConsumerRecord<byte[], byte[]>> records, MessageFormat format,
                                  Map<String, byte[]> topicFields) {
        long hint = 32L + key.length;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            hint += sizeHint(r);
        }
        return new RespValue.Streamed(out -> {
            out.arrayHeader(2);
            out.bulk(key);
            out.arrayHeader(records.size());
            for (ConsumerRecord<byte[], byte[]> r : records) {
                write(out, r, format, topicFields);
            }
        }, (int) Math.min(Integer.MAX_VALUE, hint));
    }

    /** Bytes of one message in Rafka's form (the full form writes more; the buffer grows then). */
    private static int sizeHint(ConsumerRecord<byte[], byte[]> r) {
        return 96 + r.topic().length() + Math.max(0, r.serializedValueSize());
    }

    private static void write(RespOutput out, ConsumerRecord<byte[], byte[]> r, MessageFormat format,
                              Map<String, byte[]> topicFields) {
        boolean full = format == MessageFormat.FULL;
        out.mapHeader(full ? 7 : 4);
        byte[] topicField = topicFields.get(r.topic());
        out.raw(topicField != null ? topicField : topicField(r.topic()));
        out.integer(r.partition());
        out.raw(OFFSET_FIELD);
        out.integer(r.offset());
        out.raw(VALUE_FIELD);
        out.bulk(r.value());
        if (full) {
            out.bulk(KEY);
            out.bulk(r.key());
            out.bulk(TIMESTAMP);
            out.integer(r.timestamp());
            out.bulk(HEADERS);
            Header[] headers = r.headers().toArray();
            out.arrayHeader(headers.length * 2);
            for (Header h : headers) {
                out.bulk(h.key());
                out.bulk(h.value());
            }
        }
    }

    /**
     * The constant start of every message of a topic, the same in RESP2 and RESP3:
     * {@code "topic" <topic> "partition"}, followed by the partition number.
     */
    public static byte[] topicField(String topic) {
        byte[] name = topic.getBytes(StandardCharsets.UTF_8);
        String head = "$5\r\ntopic\r\n$" + name.length + "\r\n";
        byte[] out = new byte[head.length() + name.length + PARTITION_FIELD.length + 2];
        System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, out, 0, head.length());
        System.arraycopy(name, 0, out, head.length(), name.length);
        out[head.length() + name.length] = '\r';
        out[head.length() + name.length + 1] = '\n';
        System.arraycopy(PARTITION_FIELD, 0, out, head.length() + name.length + 2, PARTITION_FIELD.length);
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
