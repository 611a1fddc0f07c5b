package io.wharf.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * WebSocket control frames and liveness: answers pings, completes the closing handshake, and pings
 * a client that has sent nothing for half of {@code http.websocket-idle-timeout}; one that still
 * sends nothing (not even the pong) by the next check is closed with 1001.
 */
final class WebSocketKeepAlive extends ChannelInboundHandlerAdapter {
    private final HttpMetrics metrics;
    private boolean pingOutstanding;

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
            ctx.writeAndFlush(close).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
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
