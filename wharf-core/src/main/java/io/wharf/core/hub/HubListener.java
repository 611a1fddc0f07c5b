package io.wharf.core.hub;

/**
 * How the hub tells a subscriber that something happened. Called from hub threads: implementations
 * hand the work to their own thread (e.g. the connection's event loop) and return at once.
 */
public interface HubListener {
    /**
     * Events are waiting. Edge-triggered, and reliable: it fires once events are available after the
     * subscriber last drained the subscription (a {@link Subscription#poll} that returned fewer events
     * than asked for), including events that arrived while that poll ran, and not again until the
     * next such drain. A subscriber that polls after every signal until a poll comes back short needs
     * no timer of its own.
     */
    void eventsAvailable(Subscription subscription);

    /** The subscription ended (unknown or deleted topic, hub closing); no more events will come. */
    void closed(Subscription subscription, Throwable cause);
}
