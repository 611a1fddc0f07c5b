package io.wharf.bench.hub;

import io.wharf.core.hub.HubListener;
import io.wharf.core.hub.Subscription;
import io.wharf.core.hub.SubscriptionRequest;
import io.wharf.core.hub.TopicHub;

/** One in-process subscriber: counts what its delivery loop took for it. */
final class CountingSubscriber implements HubListener {
    private final DeliveryLoop loop;
    private volatile Subscription subscription;
    private volatile long received; // written by its loop's thread only
    private volatile Throwable closedBy;

    CountingSubscriber(DeliveryLoop loop) {
        this.loop = loop;
    }

    CountingSubscriber subscribe(TopicHub hub, SubscriptionRequest request) {
        subscription = hub.subscribe(request, this);
        return this;
    }

    Subscription subscription() {
        return subscription;
    }

    long received() {
        return received;
    }

    void add(long records) {
        received = received + records;
    }

    Throwable closedBy() {
        return closedBy;
    }

    @Override
    public void eventsAvailable(Subscription s) {
        if (subscription == null) {
            subscription = s;
        }
        loop.ready(this);
    }

    @Override
    public void closed(Subscription s, Throwable cause) {
        closedBy = cause;
    }
}
