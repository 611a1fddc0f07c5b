package io.wharf.core.hub;

/** Why a subscription ended when the hub itself shut down (the gateway is stopping). */
public final class HubClosedException extends RuntimeException {
    public HubClosedException() {
        super("the topic hub is shutting down");
    }
}
