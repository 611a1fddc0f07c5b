package io.wharf.resp.command;

import io.netty.channel.EventLoop;
import io.wharf.core.access.ClientAccess;
import io.wharf.core.access.Principal;
import io.wharf.core.access.PrincipalQuota;
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

    /** Whether {@code AUTH} succeeded (or no auth is configured, or {@code access.anonymous} admits the client). */
    boolean authenticated();

    /**
     * Authenticates the connection as the principal, whose grants and limits replace the ones it had;
     * its connection counts against the principal's {@code connections} limit from now until it
     * closes (or authenticates as another principal).
     *
     * @return null when done, else the limit's refusal ({@code rate limit: ...}), the connection unchanged
     */
    String authenticate(Principal principal);

    /** What the connection's principal may do; null while it must still authenticate. */
    ClientAccess access();

    /** The limits of the connection's principal; null while it must still authenticate. */
    PrincipalQuota quota();

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

    /**
     * Attaches (or, with null, detaches a failed) consumer. A new consumer's subscription was opened on
     * {@link #quota()}; it is closed when the consumer is detached or the connection closes.
     */
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
