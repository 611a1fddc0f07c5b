package io.wharf.resp.command;

import io.netty.channel.EventLoop;
import io.wharf.resp.consume.ConsumerSession;
import io.wharf.resp.consume.Outlet;
import io.wharf.resp.produce.ProduceLedger;
import io.wharf.resp.produce.TopicKey;

/**
 * What a command may read and change of the connection it runs on: protocol version,
 * authentication, client id, its consumer, its produce ledger and {@code MONITOR}. Used only on
 * the connection's event loop.
 */
public interface Connection {
    /** The event loop this connection lives on; its state may only be touched there. */
    EventLoop eventLoop();

    /** Unique id of the connection ({@code CLIENT ID}). */
    long id();

    /** The client's {@code ip:port}. */
    String address();

    /** The client's IP address alone (what failed logins are counted by). */
    String host();

    /** 2 or 3. */
    int protocol();

    /** Records the protocol chosen by {@code HELLO} (the encoder switches when the HELLO reply passes). */
    void protocol(int version);

    /** Whether {@code AUTH} succeeded (or no auth is configured). */
    boolean authenticated();

    /** Marks the connection authenticated as a user. */
    void authenticate(String userName);

    /** The client id {@code <group>:<name>} set by {@code CLIENT SETNAME}, or null. */
    String clientName();

    /** The consumer group (the client id before the first colon), or null. */
    String group();

    /** Sets the client id once it has been claimed. */
    void identify(String name, String groupId);

    /** Records {@code CLIENT SETINFO lib-name}. */
    void libName(String name);

    /** Records {@code CLIENT SETINFO lib-ver}. */
    void libVersion(String version);

    /** The connection's consumer, or null before its first {@code BLPOP}. */
    ConsumerSession consumer();

    /** Attaches (or, with null, detaches a failed) consumer. */
    void consumer(ConsumerSession session);

    /** Where the connection's consumer sends records: its event loop and whether its client keeps up. */
    Outlet outlet();

    /** Records sent on this connection and not yet acknowledged by Kafka. */
    ProduceLedger produce();

    /** The parsed produce key; a malformed one is a {@code PROD} error. */
    TopicKey topicKey(byte[] raw);

    /** Starts the {@code MONITOR} stream to this connection. */
    void monitor();

    /** {@code CLIENT INFO}'s line. */
    String describe();
}
