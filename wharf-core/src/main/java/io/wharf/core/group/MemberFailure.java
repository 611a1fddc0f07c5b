package io.wharf.core.group;

/**
 * Why a member stopped before its door closed it.
 *
 * @param stage what it was doing
 * @param cause the error (unwrapped from completion wrappers when it came from the door's check)
 */
public record MemberFailure(Stage stage, Throwable cause) {

    /** What the member was doing when it failed. */
    public enum Stage {
        /** The door's check before starting (e.g. the topics exist) failed. */
        CHECK,
        /** The runtime is shutting down or its lifecycle queue is full. */
        START,
        /** Creating the consumer, subscribing or assigning failed. */
        CREATE,
        /** A poll (or a door callback run inside it) failed. */
        POLL
    }
}
