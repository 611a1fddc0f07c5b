package io.wharf.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.LoggerFactory;

/**
 * A connection carrying hub feeds to one client (SSE stream, WebSocket): its feeds close when the
 * channel goes inactive, and an error closes the channel (logged at debug: clients go away).
 */
abstract class FeedChannel extends ChannelInboundHandlerAdapter {
    private final String kind;

    /** @param kind what the connection is, as its error log line names it (e.g. {@code sse stream}) */
    FeedChannel(String kind) {
        this.kind = kind;
    }

    /** Closes the connection's feeds; called on the event loop once the channel is inactive. */
    abstract void closeFeeds();

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closeFeeds();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LoggerFactory.getLogger(getClass()).debug("{} error remote={}", kind, ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
