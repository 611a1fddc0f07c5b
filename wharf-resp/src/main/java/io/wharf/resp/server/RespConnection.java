package io.wharf.resp.server;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.wharf.resp.consume.ConsumerSession;
import io.wharf.resp.produce.ProduceLedger;
import io.wharf.resp.produce.TopicKey;

/**
 * One client connection's state: protocol version, authentication, client id, its consumer and
 * its produce ledger. Confined to the connection's event loop; the consumer session and the
 * ledger do their own cross-thread work.
 */
public final class RespConnection {
    private final RespServer server;
    private final Channel channel;
    private final long id;
    private final String address;
    private final ProduceLedger produce;

    private int protocol = 2;
    private boolean authenticated;
    private String user;
    private String clientName;
    private String group;
    private String libName;
    private String libVersion;
    private ConsumerSession consumer;
    private boolean monitoring;
    private byte[] lastTopicKeyRaw;
    private TopicKey lastTopicKey;

    RespConnection(RespServer server, Channel channel, long id, Runnable onProduceRoom) {
        this.server = server;
        this.channel = channel;
        this.id = id;
        this.address = format(channel.remoteAddress());
        this.produce = new ProduceLedger(server.kafka(), server.produceBudget(), server.stats(), server.metrics(),
                server.settings().maxPendingProduceBytes(), onProduceRoom);
    }

    private static String format(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            return i.getAddress().getHostAddress() + ":" + i.getPort();
        }
        return String.valueOf(a);
    }

    /** What every connection shares. */
    public RespServer server() {
        return server;
    }

    /** The Netty channel. */
    public Channel channel() {
        return channel;
    }

    /** The event loop this connection lives on; its state may only be touched there. */
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /** Unique id of the connection ({@code CLIENT ID}). */
    public long id() {
        return id;
    }

    /** The client's {@code ip:port}. */
    public String address() {
        return address;
    }

    /** 2 or 3. */
    public int protocol() {
        return protocol;
    }

    /** Records the protocol chosen by {@code HELLO} (the encoder switches when the HELLO reply passes). */
    public void protocol(int version) {
        this.protocol = version;
    }

    /** Whether {@code AUTH} succeeded (or no auth is configured). */
    public boolean authenticated() {
        return authenticated || !server.credentials().required();
    }

    /** Marks the connection authenticated as a user. */
    public void authenticate(String userName) {
        this.authenticated = true;
        this.user = userName;
    }

    /** The authenticated user, or null. */
    public String user() {
        return user;
    }

    /** The client id {@code <group>:<name>} set by {@code CLIENT SETNAME}, or null. */
    public String clientName() {
        return clientName;
    }

    /** The consumer group (the client id before the first colon), or null. */
    public String group() {
        return group;
    }

    /** Sets the client id once it has been claimed. */
    public void identify(String name, String groupId) {
        this.clientName = name;
        this.group = groupId;
    }

    /** Records {@code CLIENT SETINFO lib-name}. */
    public void libName(String name) {
        this.libName = name;
    }

    /** Records {@code CLIENT SETINFO lib-ver}. */
    public void libVersion(String version) {
        this.libVersion = version;
    }

    /** The connection's consumer, or null before its first {@code BLPOP}. */
    public ConsumerSession consumer() {
        return consumer;
    }

    /** Attaches (or, with null, detaches a failed) consumer. */
    public void consumer(ConsumerSession session) {
        this.consumer = session;
    }

    /** Records sent on this connection and not yet acknowledged by Kafka. */
    public ProduceLedger produce() {
        return produce;
    }

    /** The parsed produce key; a producer repeats the same key, so the last one is kept. */
    public TopicKey topicKey(byte[] raw) {
        if (lastTopicKeyRaw == null || !Arrays.equals(raw, lastTopicKeyRaw)) {
            lastTopicKey = TopicKey.parse(raw);
            lastTopicKeyRaw = raw;
        }
        return lastTopicKey;
    }

    /** Whether it receives the {@code MONITOR} stream. */
    public boolean monitoring() {
        return monitoring;
    }

    /** Starts the {@code MONITOR} stream. */
    public void monitor() {
        monitoring = true;
        server.monitors().add(channel);
    }

    /** {@code CLIENT INFO}'s line. */
    public String describe() {
        return "id=" + id + " addr=" + address + " laddr=" + format(channel.localAddress()) + " name="
                + (clientName == null ? "" : clientName) + " db=0 resp=" + protocol + " user="
                + (user == null ? "default" : user) + " lib-name=" + (libName == null ? "" : libName) + " lib-ver="
                + (libVersion == null ? "" : libVersion) + " consumer="
                + (consumer == null ? "" : String.join(",", consumer.topics())) + " produce-pending="
                + produce.pendingRecords();
    }

    /** The connection closed: free its client id, close its consumer, stop monitoring. */
    void closed() {
        server.names().release(clientName, id);
        if (consumer != null) {
            consumer.close();
            consumer = null;
        }
        if (monitoring) {
            server.monitors().remove(channel);
        }
    }
}
