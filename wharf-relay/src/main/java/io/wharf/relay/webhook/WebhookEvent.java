package io.wharf.relay.webhook;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * One consumed record on its way to the endpoint: its attempts, its state, and the Kafka output
 * (response or dead letter) waiting to be committed with its offset. Owned by the route's thread.
 */
final class WebhookEvent {
    /** Where an event is. */
    enum State {
        /** queued behind an earlier event of its key, or ready to be sent */
        WAITING,
        /** an attempt is on the wire */
        IN_FLIGHT,
        /** the last attempt failed and the next waits for its backoff; its key is blocked meanwhile */
        RETRY_WAIT,
        /** delivered, dead-lettered, or finished by an earlier owner */
        FINISHED
    }

    final PartitionWork partition;
    final long offset;
    final byte[] key;
    final long timestamp;
    final String idempotencyKey;
    final int bytes;
    byte[] value;
    Headers headers;
    KeyLane lane;
    State state = State.WAITING;
    int attempts;
    long firstAttemptNanos;

    WebhookEvent(PartitionWork partition, long offset, byte[] key, byte[] value, Headers headers, long timestamp,
                 String idempotencyKey) {
        this.partition = partition;
        this.offset = offset;
        this.key = key;
        this.value = value;
        this.headers = headers;
        this.timestamp = timestamp;
        this.idempotencyKey = idempotencyKey;
        this.bytes = 64 + (key == null ? 0 : key.length) + (value == null ? 0 : value.length) + headerBytes(headers);
    }

    boolean finished() {
        return state == State.FINISHED;
    }

    /** Marks the event finished and lets go of its payload; the output, if any, waits in the partition. */
    void finish(ProducerRecord<byte[], byte[]> output) {
        state = State.FINISHED;
        value = null;
        headers = null;
        if (output != null) {
            partition.pendingOutputs.put(offset, output);
        }
    }

    private static int headerBytes(Headers headers) {
        int n = 0;
        if (headers != null) {
            for (var h : headers) {
                n += h.key().length() + (h.value() == null ? 0 : h.value().length);
            }
        }
        return n;
    }
}
