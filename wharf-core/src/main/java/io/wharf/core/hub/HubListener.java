package io.wharf.core.hub;

/**
 * How the hub tells a subscriber that something happened. Called from hub threads: implementations
 * hand the work to their own thread (e.g. the connection's event loop) and return at once.
 */
public interface HubListener {
    /** Events are waiting in the subscription's queue (called when it goes from empty to non-empty). */
    void eventsAvailable(Subscription subscription);

    /** The subscription ended (unknown or deleted topic, hub closing); no more events will come. */
    void closed(Subscription subscription, Throwable cause);
}
