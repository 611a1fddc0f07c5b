package io.wharf.core.hub;

import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One position in a partition's stream as the hub holds it: a record read from Kafka, or a gap
 * (records Kafka deleted before they were read). Immutable except {@link #superseded}; its arrays
 * are shared by every subscriber and never modified.
 */
final class CachedEntry {
    /** Rough heap cost of an entry beyond its key, value and headers. */
    static final int OVERHEAD_BYTES = 120;

    final long offset;
    final long timestamp;
    final byte[] key;
    final byte[] value;
    final List<HubEvent.Header> headers;
    /** For a gap: the first offset available again; for a record: offset + 1. */
    final long nextOffset;
    final boolean gap;
    final int bytes;
    final long appendedNanos;
    /**
     * On a compacted partition: a later record with the same key has been read. Guarded by the
     * owning cache's lock.
     */
    boolean superseded;

    private CachedEntry(long offset, long timestamp, byte[] key, byte[] value, List<HubEvent.Header> headers,
                        long nextOffset, boolean gap, long appendedNanos) {
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
        this.headers = headers;
        this.nextOffset = nextOffset;
        this.gap = gap;
        this.appendedNanos = appendedNanos;
        int size = OVERHEAD_BYTES + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (HubEvent.Header h : headers) {
            size += 48 + h.key().length() * 2 + (h.value() == null ? 0 : h.value().length);
        }
        this.bytes = size;
    }

    /** An entry for a record read from Kafka. */
    static CachedEntry of(ConsumerRecord<byte[], byte[]> record, long nowNanos) {
        return new CachedEntry(record.offset(), record.timestamp(), record.key(), record.value(),
                HubEvent.Header.of(record.headers()), record.offset() + 1, false, nowNanos);
    }

    /** An entry saying offsets {@code from} (inclusive) to {@code to} (exclusive) are gone from Kafka. */
    static CachedEntry gap(long from, long to, long nowNanos) {
        return new CachedEntry(from, -1, null, null, List.of(), to, true, nowNanos);
    }

    /** Whether this is a tombstone (a record with a null value). */
    boolean tombstone() {
        return !gap && value == null;
    }
}
