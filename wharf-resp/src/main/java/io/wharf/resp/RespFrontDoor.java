package io.wharf.resp;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.wharf.core.gateway.Endpoint;
import io.wharf.core.gateway.FrontDoor;
import io.wharf.core.gateway.GatewayContext;
import io.wharf.core.gateway.PortInUseException;
import io.wharf.resp.config.RespSettings;
import io.wharf.resp.server.RespServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis-protocol port: Rafka's commands (and what Redis clients expect on connect) in front of
 * Kafka, on the gateway's shared event loops.
 */
final class RespFrontDoor implements FrontDoor {
    private static final Logger LOG = LoggerFactory.getLogger(RespFrontDoor.class);

    private final GatewayContext context;
    private RespServer server;
    private Channel listener;

    RespFrontDoor(GatewayContext context) {
        this.context = context;
    }

    @Override
    public List<Endpoint> start() throws InterruptedException {
        String host = context.config().bind();
        int port = context.config().respPort();
        RespSettings settings = context.config().section(RespSettings.class);
        server = new RespServer(context);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(context.network().acceptors(), context.network().workers())
                .channel(context.network().serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(server.channelInitializer());
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(host, port)).await();
        if (!bound.isSuccess()) {
            server.close();
            throw PortInUseException.fromBindFailure("resp", host, port, bound.cause());
        }
        listener = bound.channel();
        int actual = ((InetSocketAddress) listener.localAddress()).getPort();
        server.listening(actual);
        LOG.info("Redis-protocol front door listening on {}:{} (max bulk {} bytes, {} poller threads)", host, actual,
                settings.maxBulkBytes(), settings.effectivePollerThreads());
        return List.of(new Endpoint("resp", host, actual));
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        if (server != null) {
            // blocked clients hear "CONS Server shutdown" before their connections close
            server.shutdown(5, TimeUnit.SECONDS);
        }
    }
}
