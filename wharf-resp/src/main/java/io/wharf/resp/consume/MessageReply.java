package io.wharf.resp.consume;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.netty.util.concurrent.FastThreadLocal;
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
final class MessageReply {
    private static final byte[] PARTITION_FIELD = ascii("$9\r\npartition\r\n");
    private static final byte[] OFFSET_FIELD = ascii("$6\r\noffset\r\n");
    private static final byte[] VALUE_FIELD = ascii("$5\r\nvalue\r\n");
    private static final byte[] KEY = ascii("key");
    private static final byte[] TIMESTAMP = ascii("timestamp");
    private static final byte[] HEADERS = ascii("headers");

    private MessageReply() {
    }

    /** {@code BLPOP}'s reply: one message. */
    static RespValue single(ConsumerRecord<byte[], byte[]> record, MessageFormat format, Map<String, byte[]> topicFields) {
        return new RespValue.Streamed(out -> write(out, record, format, topicFields), sizeHint(record));
    }

    /** {@code BLMPOP}'s reply: {@code [key, [message, ...]]}, as Redis replies with the list name and its elements. */
    static RespValue batch(byte[] key, List<ConsumerRecord<byte[], byte[]>> records, MessageFormat format,
                                  Map<String, byte[]> topicFields) {
        long hint = 32L + key.length;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            hint += sizeHint(r);
        }
        return new RespValue.Streamed(out -> {
            out.arrayHeader(2);
            out.bulk(key);
            out.arrayHeader(records.size());
            if (format == MessageFormat.RAFKA) {
                writeRafka(out, records, topicFields);
                return;
            }
            for (ConsumerRecord<byte[], byte[]> r : records) {
                write(out, r, format, topicFields);
            }
        }, (int) Math.min(Integer.MAX_VALUE, hint));
    }

    /** Scratch space of each event-loop thread: messages are assembled here and copied out in chunks. */
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[64 * 1024];
        }
    };
    private static final byte[] HEADER2 = ascii("*8\r\n");
    private static final byte[] HEADER3 = ascii("%4\r\n");
    private static final byte[] NULL_BULK2 = ascii("$-1\r\n");
    private static final byte[] NULL3 = ascii("_\r\n");

    /**
     * Rafka-form messages, assembled byte by byte in a plain array (a batch is mostly small fixed
     * pieces, and one bulk copy per chunk is far cheaper than a buffer call per piece).
     */
    private static void writeRafka(RespOutput out, List<ConsumerRecord<byte[], byte[]>> records,
                                   Map<String, byte[]> topicFields) {
        byte[] scratch = SCRATCH.get();
        byte[] header = out.resp3() ? HEADER3 : HEADER2;
        byte[] nullValue = out.resp3() ? NULL3 : NULL_BULK2;
        int pos = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            byte[] topicField = topicFields.get(r.topic());
            if (topicField == null) {
                topicField = topicField(r.topic());
            }
            byte[] value = r.value();
            int need = header.length + topicField.length + OFFSET_FIELD.length + VALUE_FIELD.length + 80
                    + (value == null ? 0 : value.length);
            if (need > scratch.length) {
                out.raw(scratch, 0, pos);
                pos = 0;
                write(out, r, MessageFormat.RAFKA, topicFields);
                continue;
            }
            if (pos + need > scratch.length) {
                out.raw(scratch, 0, pos);
                pos = 0;
            }
            pos = put(scratch, pos, header);
            pos = put(scratch, pos, topicField);
            scratch[pos++] = ':';
            pos = putDecimal(scratch, pos, r.partition());
            scratch[pos++] = '\r';
            scratch[pos++] = '\n';
            pos = put(scratch, pos, OFFSET_FIELD);
            scratch[pos++] = ':';
            pos = putDecimal(scratch, pos, r.offset());
            scratch[pos++] = '\r';
            scratch[pos++] = '\n';
            pos = put(scratch, pos, VALUE_FIELD);
            if (value == null) {
                pos = put(scratch, pos, nullValue);
            } else {
                scratch[pos++] = '$';
                pos = putDecimal(scratch, pos, value.length);
                scratch[pos++] = '\r';
                scratch[pos++] = '\n';
                pos = put(scratch, pos, value);
                scratch[pos++] = '\r';
                scratch[pos++] = '\n';
            }
        }
        out.raw(scratch, 0, pos);
    }

    private static int put(byte[] dst, int pos, byte[] src) {
        System.arraycopy(src, 0, dst, pos, src.length);
        return pos + src.length;
    }

    /** Writes a non-negative number's digits; returns the new position. */
    private static int putDecimal(byte[] dst, int pos, long value) {
        if (value < 10) {
            dst[pos] = (byte) ('0' + value);
            return pos + 1;
        }
        int digits = 1;
        for (long v = value / 10; v > 0; v /= 10) {
            digits++;
        }
        long v = value;
        for (int i = pos + digits - 1; i >= pos; i--) {
            dst[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return pos + digits;
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
    static byte[] topicField(String topic) {
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
