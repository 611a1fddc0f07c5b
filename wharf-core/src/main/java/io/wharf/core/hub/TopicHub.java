package io.wharf.core.hub;

/**
 * One shared Kafka read per topic-partition, fanned out to every subscriber, with a bounded cache,
 * compaction-aware snapshots, filters, resume tokens and no silent loss for slow subscribers.
 */
public interface TopicHub extends AutoCloseable {
    /**
     * Starts a subscription. Events queue in the subscription's bounded queue; the listener is told
     * when events become available and the subscriber takes them with {@link Subscription#poll}.
     *
     * @throws io.wharf.core.kafka.UnknownTopicException via the listener's {@code onClosed} when the topic does not exist
     */
    Subscription subscribe(SubscriptionRequest request, HubListener listener);

    /** Stops every shared reader and closes every subscription. */
    @Override
    void close();
}
