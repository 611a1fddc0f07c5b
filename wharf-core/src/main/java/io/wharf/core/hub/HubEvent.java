package io.wharf.core.hub;

import java.util.List;

/** What a subscriber receives, in per-partition offset order. */
public sealed interface HubEvent {
    /** The token after this event: resuming from it continues exactly after this event. */
    ResumeToken next();

    /**
     * One record.
     *
     * @param topic          topic
     * @param partition      partition
     * @param offset         offset
     * @param timestamp      Kafka's timestamp, epoch milliseconds
     * @param key            key bytes, or null
     * @param value          value bytes, or null (a tombstone on a compacted topic)
     * @param headers        headers in Kafka's order
     * @param matchedFilters indexes into the request's filters that matched (empty without filters)
     * @param next           the token after this record
     */
    record Record(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value,
                  List<Header> headers, List<Integer> matchedFilters, ResumeToken next) implements HubEvent {
    }

    /**
     * Records the subscriber will never receive because Kafka no longer has them (retention deleted
     * them before the subscriber got there). Never silent: this event says exactly which.
     *
     * @param topic      topic
     * @param partition  partition
     * @param fromOffset first missing offset
     * @param toOffset   first offset available again (exclusive end of the gap)
     * @param next       the token after the gap
     */
    record Gap(String topic, int partition, long fromOffset, long toOffset, ResumeToken next) implements HubEvent {
    }

    /**
     * On a compacted topic: the latest-value-per-key snapshot has been delivered; live records follow.
     *
     * @param next the token after the snapshot
     */
    record SnapshotEnd(ResumeToken next) implements HubEvent {
    }

    /**
     * A record header.
     *
     * @param key   header name
     * @param value header value, or null
     */
    record Header(String key, byte[] value) {
        /** A Kafka record's headers, in order; empty and shared when it has none. */
        public static List<Header> of(org.apache.kafka.common.header.Headers headers) {
            org.apache.kafka.common.header.Header[] raw = headers.toArray();
            if (raw.length == 0) {
                return List.of();
            }
            List<Header> out = new java.util.ArrayList<>(raw.length);
            for (org.apache.kafka.common.header.Header h : raw) {
                out.add(new Header(h.key(), h.value()));
            }
            return java.util.Collections.unmodifiableList(out);
        }
    }
}
