package io.wharf.resp.server;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.wharf.core.access.AccessPolicy;
import io.wharf.core.access.ClientAccess;
import io.wharf.core.access.Principal;
import io.wharf.core.access.PrincipalLimits;
import io.wharf.core.access.PrincipalQuota;
import io.wharf.resp.command.ClientNames;
import io.wharf.resp.command.Connection;
import io.wharf.resp.consume.ConsumerSession;
import io.wharf.resp.consume.Outlet;
import io.wharf.resp.produce.ProduceLedger;
import io.wharf.resp.produce.TopicKey;

/**
 * One client connection's state: protocol version, its principal's grants and limits, client id,
 * its consumer and its produce ledger. Confined to the connection's event loop; the consumer session and the
 * ledger do their own cross-thread work.
 */
final class RespConnection implements Connection {
    private final Channel channel;
    private final long id;
    private final boolean authRequired;
    private final AccessPolicy policy;
    private final PrincipalLimits limits;
    private final ClientNames names;
    private final MonitorFeed monitors;
    private final String address;
    private final String host;
    private final ProduceLedger produce;
    private final Outlet outlet;

    private int protocol = 2;
    // null until the client authenticates (or at connect, for the anonymous principal)
    private ClientAccess access;
    private PrincipalQuota quota;
    // whether this connection counts against quota's connections
    private boolean connectionCounted;
    // the anonymous principal's connection limit refused the connection at connect
    private String refusedAtConnect;
    private PrincipalQuota consumerQuota;
    private String clientName;
    private String group;
    private String libName;
    private String libVersion;
    private ConsumerSession consumer;
    private boolean monitoring;
    private byte[] lastTopicKeyRaw;
    private TopicKey lastTopicKey;

    /**
     * @param authRequired whether commands wait for {@code AUTH} (credentials are configured), unless
     *                     {@code access.anonymous} admits clients as {@code anonymous}
     * @param produce      the connection's ledger, whose callback resumes reading it
     * @param outlet       where its consumer's records go
     */
    RespConnection(Channel channel, long id, boolean authRequired, AccessPolicy policy, PrincipalLimits limits,
                   ClientNames names, MonitorFeed monitors, ProduceLedger produce, Outlet outlet) {
        this.outlet = outlet;
        this.channel = channel;
        this.id = id;
        this.authRequired = authRequired;
        this.policy = policy;
        this.limits = limits;
        this.names = names;
        this.monitors = monitors;
        this.host = channel.remoteAddress() instanceof InetSocketAddress i ? i.getAddress().getHostAddress()
                : String.valueOf(channel.remoteAddress());
        this.address = format(channel.remoteAddress());
        this.produce = produce;
        if (!authRequired || policy.admitsAnonymous()) {
            refusedAtConnect = authenticate(Principal.anonymous());
        }
    }

    /**
     * The anonymous principal's connection limit refused this connection and it has not
     * authenticated since: the refusal, else null.
     */
    String refusedAtConnect() {
        return refusedAtConnect;
    }

    /** Whether credentials are configured (so a client refused as anonymous may still {@code AUTH}). */
    boolean credentialsRequired() {
        return authRequired;
    }

    private static String format(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            return i.getAddress().getHostAddress() + ":" + i.getPort();
        }
        return String.valueOf(a);
    }

    @Override
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public String address() {
        return address;
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int protocol() {
        return protocol;
    }

    @Override
    public void protocol(int version) {
        this.protocol = version;
    }

    @Override
    public boolean authenticated() {
        return access != null;
    }

    @Override
    public String authenticate(Principal principal) {
        ClientAccess next = policy.forClient("resp", principal);
        PrincipalQuota nextQuota = limits.of(next.principal());
        if (nextQuota != quota || !connectionCounted) {
            String refusal = nextQuota.openConnection();
            if (refusal != null) {
                return refusal;
            }
            if (connectionCounted) {
                quota.closeConnection();
            }
            connectionCounted = true;
        }
        access = next;
        quota = nextQuota;
        refusedAtConnect = null;
        return null;
    }

    @Override
    public ClientAccess access() {
        return access;
    }

    @Override
    public PrincipalQuota quota() {
        return quota;
    }

    @Override
    public String clientName() {
        return clientName;
    }

    @Override
    public String group() {
        return group;
    }

    @Override
    public void identify(String name, String groupId) {
        this.clientName = name;
        this.group = groupId;
    }

    @Override
    public void libName(String name) {
        this.libName = name;
    }

    @Override
    public void libVersion(String version) {
        this.libVersion = version;
    }

    @Override
    public ConsumerSession consumer() {
        return consumer;
    }

    @Override
    public void consumer(ConsumerSession session) {
        if (session == consumer) {
            return;
        }
        if (consumerQuota != null) {
            consumerQuota.closeSubscription();
        }
        consumerQuota = session == null ? null : quota;
        this.consumer = session;
    }

    @Override
    public Outlet outlet() {
        return outlet;
    }

    @Override
    public ProduceLedger produce() {
        return produce;
    }

    @Override
    public TopicKey topicKey(byte[] raw) {
        // a producer repeats the same key, so the last one is kept
        if (lastTopicKeyRaw == null || !Arrays.equals(raw, lastTopicKeyRaw)) {
            lastTopicKey = TopicKey.parse(raw);
            lastTopicKeyRaw = raw;
        }
        return lastTopicKey;
    }

    @Override
    public void monitor() {
        monitoring = true;
        monitors.add(channel);
    }

    @Override
    public String describe() {
        return "id=" + id + " addr=" + address + " laddr=" + format(channel.localAddress()) + " name="
                + (clientName == null ? "" : clientName) + " db=0 resp=" + protocol + " user="
                + (access == null || access.principal().kind() == Principal.Kind.ANONYMOUS ? "default"
                : access.principal().name()) + " lib-name=" + (libName == null ? "" : libName) + " lib-ver="
                + (libVersion == null ? "" : libVersion) + " consumer="
                + (consumer == null ? "" : String.join(",", consumer.topics())) + " produce-pending="
                + produce.pendingRecords();
    }

    /** The connection closed: free its client id, close its consumer, stop monitoring. */
    void closed() {
        names.release(clientName, id);
        if (consumer != null) {
            consumer.close();
            consumer(null);
        }
        if (connectionCounted) {
            connectionCounted = false;
            quota.closeConnection();
        }
        if (monitoring) {
            monitors.remove(channel);
        }
    }
}
