package io.wharf.resp;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.wharf.core.gateway.Endpoint;
import io.wharf.core.gateway.FrontDoor;
import io.wharf.core.gateway.GatewayContext;
import io.wharf.core.gateway.PortInUseException;
import io.wharf.core.tls.ServerTls;
import io.wharf.core.tls.TlsSettings;
import io.wharf.resp.config.RespSettings;
import io.wharf.resp.server.RespServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis-protocol port: Rafka's commands (and what Redis clients expect on connect) in front of
 * Kafka, on the gateway's shared event loops. With {@code resp.tls} set, the same over TLS (what
 * {@code redis-cli --tls} and {@code rediss://} URLs expect): on the RESP port alone, or on
 * {@code resp.tls.port} beside the plain port.
 */
final class RespFrontDoor implements FrontDoor {
    private static final Logger LOG = LoggerFactory.getLogger(RespFrontDoor.class);

    private final GatewayContext context;
    private final List<Channel> listeners = new ArrayList<>();
    private RespServer server;
    private ServerTls tls;

    RespFrontDoor(GatewayContext context) {
        this.context = context;
    }

    @Override
    public List<Endpoint> start() throws InterruptedException {
        String host = context.config().bind();
        int port = context.config().respPort();
        RespSettings settings = context.config().section(RespSettings.class);
        server = new RespServer(context);
        TlsSettings tlsSettings = settings.tls();
        List<Endpoint> endpoints = new ArrayList<>();
        try {
            if (tlsSettings.enabled()) {
                tls = ServerTls.start("resp", "resp.tls", tlsSettings, context.metrics().registry());
            }
            if (!tlsSettings.enabled() || tlsSettings.besidePlain()) {
                int actual = bind(host, port, "resp", server.channelInitializer());
                server.listening(actual);
                LOG.info("Redis-protocol front door listening on redis://{}:{} (max bulk {} bytes, {} poller threads)",
                        host, actual, settings.maxBulkBytes(), settings.effectivePollerThreads());
                endpoints.add(new Endpoint("resp", host, actual));
            }
            if (tls != null) {
                int tlsPort = tlsSettings.besidePlain() ? tlsSettings.port() : port;
                int actual = bind(host, tlsPort, "rediss", tls.initializer(server.channelInitializer()));
                if (!tlsSettings.besidePlain()) {
                    server.listening(actual);
                }
                LOG.info("Redis-protocol front door listening on rediss://{}:{} ({}; max bulk {} bytes, {} poller threads)",
                        host, actual, tls.describe(), settings.maxBulkBytes(), settings.effectivePollerThreads());
                endpoints.add(new Endpoint("rediss", host, actual));
            }
        } catch (RuntimeException e) {
            closeListeners();
            server.close();
            server = null;
            throw e;
        }
        return List.copyOf(endpoints);
    }

    private int bind(String host, int port, String name, ChannelHandler pipeline) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(context.network().acceptors(), context.network().workers())
                .channel(context.network().serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(pipeline);
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(host, port)).await();
        if (!bound.isSuccess()) {
            throw PortInUseException.fromBindFailure(name, host, port, bound.cause());
        }
        listeners.add(bound.channel());
        return ((InetSocketAddress) bound.channel().localAddress()).getPort();
    }

    private void closeListeners() {
        for (Channel listener : listeners) {
            listener.close().syncUninterruptibly();
        }
        listeners.clear();
        if (tls != null) {
            tls.close();
        }
    }

    @Override
    public void close() {
        closeListeners();
        if (server != null) {
            // blocked clients hear "CONS Server shutdown" before their connections close
            server.shutdown(5, TimeUnit.SECONDS);
        }
    }
}
