package io.wharf.http;

import java.net.InetSocketAddress;
import java.util.List;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.wharf.core.gateway.Endpoint;
import io.wharf.core.gateway.FrontDoor;
import io.wharf.core.gateway.GatewayContext;
import io.wharf.core.gateway.PortInUseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP port: health, readiness and metrics (and, in time, the REST API, SSE and WebSocket). */
public final class HttpFrontDoor implements FrontDoor {
    private static final Logger LOG = LoggerFactory.getLogger(HttpFrontDoor.class);

    private final GatewayContext context;
    private final ChannelGroup connections = new DefaultChannelGroup("http", GlobalEventExecutor.INSTANCE);
    private Channel server;

    HttpFrontDoor(GatewayContext context) {
        this.context = context;
    }

    @Override
    public List<Endpoint> start() throws InterruptedException {
        String host = context.config().bind();
        int port = context.config().httpPort();
        HttpRoutes routes = new HttpRoutes(context);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(context.network().acceptors(), context.network().workers())
                .channel(context.network().serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        ch.pipeline()
                                .addLast("codec", new HttpServerCodec())
                                .addLast("aggregate", new HttpObjectAggregator(context.config().http().maxBodyBytes()))
                                .addLast("routes", routes);
                    }
                });
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(host, port)).await();
        if (!bound.isSuccess()) {
            throw PortInUseException.fromBindFailure("http", host, port, bound.cause());
        }
        server = bound.channel();
        int actual = ((InetSocketAddress) server.localAddress()).getPort();
        LOG.info("HTTP front door listening on {}:{}", host, actual);
        return List.of(new Endpoint("http", host, actual));
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        connections.close().awaitUninterruptibly();
    }
}
