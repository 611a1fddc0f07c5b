package io.wharf.resp.server;

import java.time.Instant;

import io.wharf.resp.command.DoorStatus;
import io.wharf.resp.consume.ConsumerRuntime;
import io.wharf.resp.produce.ProduceBudget;

/** The figures {@code INFO} and {@code HGETALL stats} read, from the parts that keep them. */
final class ServerStatus implements DoorStatus {
    private final Instant startedAt = Instant.now();
    private final Connections connections;
    private final ConsumerRuntime consumers;
    private final ProduceBudget budget;
    private volatile int port;

    ServerStatus(Connections connections, ConsumerRuntime consumers, ProduceBudget budget) {
        this.connections = connections;
        this.consumers = consumers;
        this.budget = budget;
    }

    /** Records the port once bound. */
    void listening(int actual) {
        this.port = actual;
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public int connections() {
        return connections.count();
    }

    @Override
    public int blockedClients() {
        return consumers.blockedClients().get();
    }

    @Override
    public int consumers() {
        return consumers.consumers();
    }

    @Override
    public long largestOutput() {
        return connections.largestOutput();
    }

    @Override
    public long produceBytesPending() {
        return budget.pending();
    }
}
