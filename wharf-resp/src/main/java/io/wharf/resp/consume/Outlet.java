package io.wharf.resp.consume;

import java.util.concurrent.Executor;

/**
 * The connection a session's records are sent to: its event loop (where waiting clients are
 * served) and whether its client keeps up with what it is sent. Records wait in the session's
 * bounded prefetch buffer, unacknowledged, while there is no room.
 */
public interface Outlet {
    /**
     * Whether a reply with records may be made now: the client's unread output is under
     * {@code resp.max-output-bytes} and nothing earlier on the connection still waits for its reply.
     * Called on the event loop only.
     */
    boolean hasRoom();

    /** The connection's event loop. */
    Executor executor();
}
