package io.wharf.http;

import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * Closes a connection whose client may still be sending (a refused head or body): shut our side
 * down first, discard what still arrives, close when the client does or after {@link #LINGER_MS}.
 * Closing at once with unread bytes in the socket makes the kernel send a reset, which can destroy
 * the error reply before the client reads it.
 */
final class LingeringClose extends ChannelInboundHandlerAdapter {
    /** Longest wait for the client to stop sending after its error reply. */
    static final long LINGER_MS = 2_000;

    /** Closes the future's channel the lingering way once the reply is written. */
    static final ChannelFutureListener AFTER_REPLY = f -> close(f.channel());

    private LingeringClose() {
    }

    /** Stops answering on {@code channel} and closes it without destroying what was written. */
    static void close(Channel channel) {
        if (!(channel instanceof SocketChannel socket) || !channel.isActive() || socket.isOutputShutdown()) {
            channel.close();
            return;
        }
        if (channel.pipeline().get(LingeringClose.class) == null) {
            channel.pipeline().addFirst(new LingeringClose());
        }
        channel.config().setAutoRead(true);
        socket.shutdownOutput().addListener(f -> {
            if (!f.isSuccess()) {
                channel.close();
            }
        });
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, LINGER_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg); // the connection is ending: what the client still sends is not read
    }
}
