package io.wharf.core.gateway;

import java.util.List;

/** A way into Kafka (a network protocol, or the relay): started once, closed once. */
public interface FrontDoor extends AutoCloseable {
    /**
     * Binds and starts serving. Runs on the starting thread and may block until bound.
     *
     * @return the endpoints it listens on; empty when it has none (the relay)
     * @throws PortInUseException when its port is taken
     */
    List<Endpoint> start() throws Exception;

    /** Stops accepting, drains what is in flight within a bounded time, releases everything. */
    @Override
    void close();
}
