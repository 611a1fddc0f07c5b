package io.wharf.core.hub;

import java.util.List;

/** A subscriber's handle on the hub: its bounded queue, its position, and its way out. */
public interface Subscription extends AutoCloseable {
    /**
     * Takes up to {@code max} queued events without blocking. Taking events is the demand signal:
     * a subscriber that stops polling stops receiving, and the hub never queues more than the
     * subscription's capacity for it.
     */
    List<HubEvent> poll(int max);

    /** The token after the last event taken by {@link #poll}. */
    ResumeToken position();

    /** The topic. */
    String topic();

    /** Ends the subscription and frees its queue; the listener is not called for an end the subscriber chose. */
    @Override
    void close();
}
