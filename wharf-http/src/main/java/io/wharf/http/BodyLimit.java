package io.wharf.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Collects a request body up to {@code http.max-body-bytes}; a larger body is answered with a JSON
 * 413, the rest of it is read and dropped (up to a bound), then the connection is closed.
 */
final class BodyLimit extends HttpObjectAggregator {
    // Closing while the client is still sending makes many clients see a reset instead of the 413.
    private static final long MAX_DRAIN_BYTES = 64L * 1024 * 1024;

    private final int maxBodyBytes;
    private boolean draining; // event-loop confined, like every handler state
    private long drained;

    BodyLimit(int maxBodyBytes) {
        super(maxBodyBytes, true);
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (draining && msg instanceof HttpContent content) {
            drained += content.content().readableBytes();
            boolean last = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg);
            if (last || drained > MAX_DRAIN_BYTES) {
                draining = false;
                ctx.close();
            }
            return;
        }
        super.channelRead(ctx, msg);
    }

    /** With {@code Expect: 100-continue} Netty answers a declared oversized body itself: with our JSON 413. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (response instanceof FullHttpResponse refusal
                && refusal.status().code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()) {
            refusal.release();
            return tooLarge();
        }
        return response;
    }

    private FullHttpResponse tooLarge() {
        return HttpReplies.close(HttpReplies.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body_too_large",
                "the request body is larger than " + maxBodyBytes + " bytes (http.max-body-bytes)"));
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        FullHttpResponse response = tooLarge();
        boolean bodyFollows = !(oversized instanceof LastHttpContent);
        if (bodyFollows) {
            draining = true;
            drained = 0;
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
