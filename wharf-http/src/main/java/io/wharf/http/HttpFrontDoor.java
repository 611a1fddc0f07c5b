package io.wharf.http;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.wharf.core.gateway.Endpoint;
import io.wharf.core.gateway.FrontDoor;
import io.wharf.core.gateway.GatewayContext;
import io.wharf.core.gateway.PortInUseException;
import io.wharf.core.tls.ServerTls;
import io.wharf.core.tls.TlsSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP port: the REST API ({@code /topics}), Server-Sent Events, the native WebSocket protocol
 * ({@code /ws}), kafka-proxy compatible WebSockets ({@code /}), health, readiness and metrics.
 * With {@code http.tls} set, the same over TLS (HTTPS, WSS, SSE): on the HTTP port alone, or on
 * {@code http.tls.port} beside the plain port.
 */
public final class HttpFrontDoor implements FrontDoor {
    private static final Logger LOG = LoggerFactory.getLogger(HttpFrontDoor.class);

    private final GatewayContext context;
    private final ChannelGroup connections = new DefaultChannelGroup("http", GlobalEventExecutor.INSTANCE);
    private final List<Channel> servers = new ArrayList<>();
    private DoorContext door;
    private ServerTls tls;

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
        HttpPipeline pipeline = new HttpPipeline(door, connections);
        TlsSettings tlsSettings = door.settings().tls();
        String auth = context.credentials().required() ? "required" : "off";
        List<Endpoint> endpoints = new ArrayList<>();
        if (tlsSettings.enabled()) {
            tls = ServerTls.start("http", "http.tls", tlsSettings, context.metrics().registry());
        }
        if (!tlsSettings.enabled() || tlsSettings.besidePlain()) {
            int actual = bind(host, port, "http", pipeline);
            LOG.info("HTTP front door listening on http://{}:{} (REST /topics, SSE, WebSocket /ws and kafka-proxy /; auth {})",
                    host, actual, auth);
            endpoints.add(new Endpoint("http", host, actual));
        }
        if (tls != null) {
            int tlsPort = tlsSettings.besidePlain() ? tlsSettings.port() : port;
            int actual = bind(host, tlsPort, "https", tls.initializer(pipeline));
            LOG.info("HTTP front door listening on https://{}:{} (REST /topics, SSE, WebSocket wss /ws and kafka-proxy /; "
                    + "{}; auth {})", host, actual, tls.describe(), auth);
            endpoints.add(new Endpoint("https", host, actual));
        }
        return List.copyOf(endpoints);
    }

    private int bind(String host, int port, String name, ChannelHandler pipeline) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(context.network().acceptors(), context.network().workers())
                .channel(context.network().serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(pipeline);
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(host, port)).await();
        if (!bound.isSuccess()) {
            throw PortInUseException.fromBindFailure(name, host, port, bound.cause());
        }
        servers.add(bound.channel());
        return ((InetSocketAddress) bound.channel().localAddress()).getPort();
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
        for (Channel server : servers) {
            server.close().syncUninterruptibly();
        }
        if (tls != null) {
            tls.close();
        }
        connections.close().awaitUninterruptibly();
        if (door != null) {
            // every member commits what was asked and leaves its group, bounded by the close timeout
            door.groups().close();
        }
    }
}
