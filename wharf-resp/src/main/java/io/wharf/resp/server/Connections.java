package io.wharf.resp.server;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.wharf.core.access.AccessPolicy;
import io.wharf.core.access.PrincipalLimits;
import io.wharf.resp.command.ClientNames;
import io.wharf.resp.consume.Outlet;
import io.wharf.resp.metrics.RespMetrics;
import io.wharf.resp.produce.ProduceLedger;

/**
 * The door's open connections: admission up to {@code resp.max-connections}, their ids, their
 * channels (closed together at shutdown) and the state each new one starts with. Thread-safe.
 */
final class Connections {
    private final int limit;
    private final boolean authRequired;
    private final AccessPolicy access;
    private final PrincipalLimits principalLimits;
    private final ClientNames names;
    private final MonitorFeed monitors;
    private final RespMetrics metrics;
    // a connection's ledger from the callback that resumes reading it
    private final Function<Runnable, ProduceLedger> ledgers;
    private final ChannelGroup channels = new DefaultChannelGroup("resp", GlobalEventExecutor.INSTANCE);
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();

    Connections(int limit, boolean authRequired, AccessPolicy access, PrincipalLimits principalLimits, ClientNames names, MonitorFeed monitors, RespMetrics metrics,
                Function<Runnable, ProduceLedger> ledgers) {
        this.limit = limit;
        this.authRequired = authRequired;
        this.access = access;
        this.principalLimits = principalLimits;
        this.names = names;
        this.monitors = monitors;
        this.metrics = metrics;
        this.ledgers = ledgers;
    }

    /** Called once a connection is accepted; false when the connection limit is reached. */
    boolean admit(Channel channel) {
        if (open.incrementAndGet() > limit) {
            open.decrementAndGet();
            return false;
        }
        channels.add(channel);
        metrics.connectionAccepted();
        return true;
    }

    /** A new admitted connection's state. */
    RespConnection open(Channel channel, Runnable onProduceRoom, Outlet outlet) {
        return new RespConnection(channel, ids.incrementAndGet(), authRequired, access, principalLimits, names, monitors,
                ledgers.apply(onProduceRoom), outlet);
    }

    /** The largest output any open connection's client has not read yet, in bytes (INFO). */
    long largestOutput() {
        long max = 0;
        for (Channel ch : channels) {
            max = Math.max(max, pendingOutput(ch));
        }
        return max;
    }

    /** Bytes written to a channel that its client has not read yet (thread-safe). */
    static long pendingOutput(Channel channel) {
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
    }

    /** An admitted connection closed. */
    void released(RespConnection connection) {
        open.decrementAndGet();
        connection.closed();
    }

    /** Open connections. */
    int count() {
        return open.get();
    }

    /** {@code resp.max-connections}. */
    int limit() {
        return limit;
    }

    /** Closes every open connection, waiting at most the timeout. */
    void closeAll(long timeout, TimeUnit unit) {
        channels.close().awaitUninterruptibly(timeout, unit);
    }
}
