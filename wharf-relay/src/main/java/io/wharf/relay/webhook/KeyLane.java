package io.wharf.relay.webhook;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The events of one key in one partition, in offset order. Only the head may be in flight or
 * waiting for a retry; the next starts when the head is finished. Owned by the route's thread.
 */
final class KeyLane {
    /** the key's bytes, or null for a record without key (such a lane holds that one event) */
    final ByteBuffer key;
    final ArrayDeque<WebhookEvent> events = new ArrayDeque<>(2);

    KeyLane(ByteBuffer key) {
        this.key = key;
    }

    WebhookEvent head() {
        return events.peekFirst();
    }

    long headOffset() {
        return events.peekFirst().offset;
    }
}
