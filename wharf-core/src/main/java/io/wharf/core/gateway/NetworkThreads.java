package io.wharf.core.gateway;

import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one small set of Netty event-loop threads every front door shares (epoll where available).
 * Handlers running on these threads must never block.
 */
public final class NetworkThreads implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkThreads.class);
    private static final long STOP_WAIT_SECONDS = 5;

    private final boolean epoll;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;

    /** @param threads worker threads; 0 means one per core */
    public NetworkThreads(int threads) {
        this.epoll = Epoll.isAvailable();
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.acceptors = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("wharf-accept", true), io);
        this.workers = new MultiThreadIoEventLoopGroup(n, new DefaultThreadFactory("wharf-io", true), io);
    }

    /** Accepts connections for every server socket. */
    public EventLoopGroup acceptors() {
        return acceptors;
    }

    /** Serves every accepted connection (and outgoing client connections). */
    public EventLoopGroup workers() {
        return workers;
    }

    /** The server socket channel class matching the transport. */
    public Class<? extends ServerChannel> serverChannel() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** The client socket channel class matching the transport. */
    public Class<? extends Channel> clientChannel() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** Which transport is in use: {@code epoll} or {@code nio}. */
    public String transport() {
        return epoll ? "epoll" : "nio";
    }

    /**
     * Stops the loops, waiting a bounded time: a loop stuck in a handler never terminates, and
     * waiting for it would keep the whole stop from finishing (its threads are daemons).
     */
    @Override
    public void close() {
        stop(acceptors, "wharf-accept");
        stop(workers, "wharf-io");
    }

    private static void stop(EventLoopGroup group, String name) {
        if (!group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
            LOG.warn("event=network-threads-stop-timeout threads={} waited={}s (a handler is still running)", name,
                    STOP_WAIT_SECONDS);
        }
    }
}
