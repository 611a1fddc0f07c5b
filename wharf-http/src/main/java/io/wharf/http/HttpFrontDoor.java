package io.wharf.http;

import java.net.InetSocketAddress;
import java.util.List;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.wharf.core.gateway.Endpoint;
import io.wharf.core.gateway.FrontDoor;
import io.wharf.core.gateway.GatewayContext;
import io.wharf.core.gateway.PortInUseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP port: the REST API ({@code /topics}), Server-Sent Events, the native WebSocket protocol
 * ({@code /ws}), kafka-proxy compatible WebSockets ({@code /}), health, readiness and metrics.
 */
public final class HttpFrontDoor implements FrontDoor {
    private static final Logger LOG = LoggerFactory.getLogger(HttpFrontDoor.class);

    private final GatewayContext context;
    private final ChannelGroup connections = new DefaultChannelGroup("http", GlobalEventExecutor.INSTANCE);
    private DoorContext door;
    private Channel server;

    HttpFrontDoor(GatewayContext context) {
        this.context = context;
    }

    @Override
    public List<Endpoint> start() throws InterruptedException {
        String host = context.config().bind();
        int port = context.config().httpPort();
        HttpMetrics metrics = new HttpMetrics(context.metrics().registry());
        door = new DoorContext(context, metrics);
        HttpMetrics.gauge(context.metrics().registry(), "wharf.http.outbound.pending.bytes",
                "bytes queued for writing to HTTP-port clients, all connections", connections, HttpFrontDoor::pendingBytes);
        HttpMetrics.gauge(context.metrics().registry(), "wharf.http.outbound.pending.bytes.max",
                "bytes queued for writing to the most backed-up HTTP-port connection", connections, HttpFrontDoor::maxPending);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(context.network().acceptors(), context.network().workers())
                .channel(context.network().serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new HttpPipeline(door, connections));
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(host, port)).await();
        if (!bound.isSuccess()) {
            throw PortInUseException.fromBindFailure("http", host, port, bound.cause());
        }
        server = bound.channel();
        int actual = ((InetSocketAddress) server.localAddress()).getPort();
        LOG.info("HTTP front door listening on {}:{} (REST /topics, SSE, WebSocket /ws and kafka-proxy /; auth {})",
                host, actual, context.credentials().required() ? "required" : "off");
        return List.of(new Endpoint("http", host, actual));
    }

    private static double pendingBytes(ChannelGroup channels) {
        long total = 0;
        for (Channel c : channels) {
            total += pending(c);
        }
        return total;
    }

    private static double maxPending(ChannelGroup channels) {
        long max = 0;
        for (Channel c : channels) {
            max = Math.max(max, pending(c));
        }
        return max;
    }

    private static long pending(Channel c) {
        var buffer = c.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        connections.close().awaitUninterruptibly();
        if (door != null) {
            // every member commits what was asked and leaves its group, bounded by the close timeout
            door.groups().close();
        }
    }
}
