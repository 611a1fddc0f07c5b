package io.wharf.resp.command;

import java.time.Instant;

/** The door-wide figures {@code INFO} and {@code HGETALL stats} report, read when asked. */
public interface DoorStatus {
    /** When the door started. */
    Instant startedAt();

    /** The port it listens on. */
    int port();

    /** Open connections. */
    int connections();

    /** Connections with a client blocked in {@code BLPOP}/{@code BLMPOP}. */
    int blockedClients();

    /** Consumer-group members alive now. */
    int consumers();

    /** The most output one open connection's client has not read yet, in bytes. */
    long largestOutput();

    /** Produced bytes awaiting Kafka over every connection. */
    long produceBytesPending();
}
