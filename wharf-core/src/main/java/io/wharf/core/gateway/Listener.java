package io.wharf.core.gateway;

import java.net.InetSocketAddress;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;

/**
 * A door's listening socket on the gateway's shared event loops, at the configured bind address.
 *
 * @param door    the door's name, as its endpoint and a bind failure name it
 * @param host    the address it listens on
 * @param port    the port it listens on (the actual one when a free port was asked for)
 * @param channel the server channel
 */
public record Listener(String door, String host, int port, Channel channel) {
    /**
     * Binds a listener, waiting until it is bound (door start-up, never an event loop).
     *
     * @param port         the configured port (0 = a free port)
     * @param backlog      connections the kernel queues before they are accepted
     * @param childHandler sets up each accepted connection
     * @throws PortInUseException (or another failure naming the door) when the port cannot be bound
     */
    public static Listener bind(GatewayContext context, String door, int port, int backlog, ChannelHandler childHandler)
            throws InterruptedException {
        String host = context.config().bind();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(context.network().acceptors(), context.network().workers())
                .channel(context.network().serverChannel())
                .option(ChannelOption.SO_BACKLOG, backlog)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(childHandler);
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(host, port)).await();
        if (!bound.isSuccess()) {
            throw PortInUseException.fromBindFailure(door, host, port, bound.cause());
        }
        Channel channel = bound.channel();
        return new Listener(door, host, ((InetSocketAddress) channel.localAddress()).getPort(), channel);
    }

    /** The endpoint the ready line shows. */
    public Endpoint endpoint() {
        return new Endpoint(door, host, port);
    }

    /** Stops accepting; connections already accepted stay open. */
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
