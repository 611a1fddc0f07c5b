package io.wharf.http;

import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * WebSocket control frames and liveness: answers pings, completes the closing handshake, and pings
 * a client that has sent nothing for half of {@code http.websocket-idle-timeout}; one that still
 * sends nothing (not even the pong) by the next check is closed with 1001. A message over
 * {@code http.max-frame-bytes} or a protocol violation gets a close frame with its status (1009,
 * 1002) and the connection ends once the client answered it, or after a short grace.
 */
final class WebSocketKeepAlive extends ChannelInboundHandlerAdapter {
    private final HttpMetrics metrics;
    private static final long CLOSE_GRACE_MILLIS = 2_000;

    private boolean pingOutstanding;
    private boolean closeSent;

    WebSocketKeepAlive(HttpMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        pingOutstanding = false;
        if (msg instanceof PingWebSocketFrame ping) {
            ctx.writeAndFlush(new PongWebSocketFrame(ping.content()));
            return;
        }
        if (msg instanceof PongWebSocketFrame pong) {
            pong.release();
            return;
        }
        if (msg instanceof CloseWebSocketFrame close) {
            if (closeSent) {
                close.release();
                ctx.close();
            } else {
                closeSent = true;
                ctx.writeAndFlush(close).addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        if (closeSent) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (cause instanceof CorruptedWebSocketFrameException corrupt) {
            closePolitely(ctx, corrupt.closeStatus().code(), corrupt.getMessage());
        } else if (cause instanceof TooLongFrameException) {
            closePolitely(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "message larger than http.max-frame-bytes");
        } else {
            super.exceptionCaught(ctx, cause);
        }
    }

    private void closePolitely(ChannelHandlerContext ctx, int status, String reason) {
        if (closeSent) {
            return;
        }
        closeSent = true;
        String text = reason == null ? "" : reason.length() > 100 ? reason.substring(0, 100) : reason;
        ctx.writeAndFlush(new CloseWebSocketFrame(status, text));
        ctx.executor().schedule(() -> ctx.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            if (!ctx.channel().config().isAutoRead()) {
                // the server itself stopped reading (the client is not taking its deliveries): silence
                // proves nothing, and http.slow-client-timeout decides about such a client
                pingOutstanding = false;
                return;
            }
            if (pingOutstanding) {
                metrics.idleDisconnect();
                ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(),
                        "idle timeout: nothing received (http.websocket-idle-timeout)"))
                        .addListener(ChannelFutureListener.CLOSE);
            } else {
                pingOutstanding = true;
                ctx.writeAndFlush(new PingWebSocketFrame());
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
