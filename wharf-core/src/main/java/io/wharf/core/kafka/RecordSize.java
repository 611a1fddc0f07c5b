package io.wharf.core.kafka;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The one estimate of how many bytes a record takes on its way to Kafka, used for the size check
 * (against {@code max.request.size} and the topic's {@code max.message.bytes}) and for flow control.
 *
 * <p>It is Kafka's batch header (61 bytes, {@code DefaultRecordBatch.RECORD_BATCH_OVERHEAD}) plus
 * Kafka's largest record framing (21 bytes, {@code DefaultRecord.MAX_RECORD_OVERHEAD}) plus the
 * key, the value and each header with its two length varints. For a record in a batch of its own,
 * which is how the broker sees a record close to its limit, that is an upper bound of what the
 * broker counts: the framing allows 15 bytes for the timestamp and offset deltas, which are 0 (one
 * byte each) there, and that covers the key, value and header-count varints of records under 128
 * MiB. The producer's own check pads a few bytes more (it assumes the largest deltas), so a record
 * within a few bytes of {@code max.request.size} may pass this check and be refused by the producer
 * with its {@code RecordTooLargeException}; either way nothing is written.
 */
public final class RecordSize {
    /** Kafka's record batch header. */
    public static final int BATCH_OVERHEAD = 61;
    /** Kafka's most record framing (length, attributes, timestamp and offset deltas). */
    public static final int RECORD_OVERHEAD = 21;
    /**
     * The most the producer's own check ({@code max.request.size}) may count beyond {@link #of}: it
     * assumes the largest deltas and adds the key, value and header-count varints, 5 bytes each.
     * Writers that must never see the producer refuse a record (a refused record aborts a
     * transaction) keep this much more room.
     */
    public static final int PRODUCER_CHECK_SLACK = 15;
    // a header's key length and value length varints
    private static final int HEADER_OVERHEAD = 10;

    private RecordSize() {
    }

    /** The record's size estimate in bytes (see the class comment). */
    public static int of(ProducerRecord<byte[], byte[]> record) {
        return of(record.key(), record.value(), record.headers());
    }

    /** The size estimate of a record with this key, value and headers. */
    public static int of(byte[] key, byte[] value, Iterable<Header> headers) {
        long size = BATCH_OVERHEAD + RECORD_OVERHEAD + length(key) + length(value);
        if (headers != null) {
            for (Header h : headers) {
                size += HEADER_OVERHEAD + utf8Length(h.key()) + length(h.value());
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, size);
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
