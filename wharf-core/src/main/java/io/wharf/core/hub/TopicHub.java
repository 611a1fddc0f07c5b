package io.wharf.core.hub;

/**
 * One shared Kafka read per topic-partition, fanned out to every subscriber, with a bounded cache,
 * compaction-aware snapshots, filters, resume tokens and no silent loss for slow subscribers.
 */
public interface TopicHub extends AutoCloseable {
    /**
     * Starts a subscription. Events queue in the subscription's bounded queue; the listener is told
     * when events become available and the subscriber takes them with {@link Subscription#poll}.
     * Returns at once: the start position is resolved in the background. A missing topic (an
     * {@link io.wharf.core.kafka.UnknownTopicException}) or a partition the topic does not have (an
     * {@link IllegalArgumentException}) ends the subscription through {@link HubListener#closed}.
     *
     * @throws IllegalArgumentException when the request itself is malformed (a negative partition,
     *                                  offset or queue capacity, more than 64 filters)
     * @throws HubClosedException       when the hub is closed
     */
    Subscription subscribe(SubscriptionRequest request, HubListener listener);

    /** Stops every shared reader and closes every subscription. */
    @Override
    void close();
}
