package io.wharf.relay.http;

import java.io.IOException;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;

/** The end of a client connection's pipeline: feeds decoded response parts to the connection's current exchange. */
final class ExchangeHandler extends SimpleChannelInboundHandler<HttpObject> {
    private final RelayHttpClient client;
    private final Origin origin;
    // an interim 1xx response is read and ignored up to its end
    private boolean skippingInterim;

    ExchangeHandler(RelayHttpClient client, Origin origin) {
        this.client = client;
        this.origin = origin;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        Exchange exchange = RelayHttpClient.current(ctx.channel());
        if (exchange == null) {
            // bytes nobody asked for (e.g. after a timeout): the connection cannot be trusted any more
            ctx.close();
            return;
        }
        if (msg.decoderResult().isFailure()) {
            exchange.fail(new IOException("malformed HTTP response: " + msg.decoderResult().cause().getMessage()));
            return;
        }
        if (msg instanceof HttpResponse response) {
            int code = response.status().code();
            if (code >= 100 && code < 200) {
                skippingInterim = true;
            } else {
                exchange.onHead(response);
            }
        }
        if (msg instanceof HttpContent content) {
            if (skippingInterim) {
                if (msg instanceof LastHttpContent) {
                    skippingInterim = false;
                }
                return;
            }
            if (!exchange.hasHead()) {
                exchange.fail(new IOException("response body before the status line"));
                return;
            }
            exchange.onContent(content.content());
            if (msg instanceof LastHttpContent) {
                exchange.finish();
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Exchange exchange = RelayHttpClient.current(ctx.channel());
        if (exchange != null) {
            exchange.fail(new IOException("connection closed before the response was complete"));
        } else {
            client.forgetIdle(origin, ctx.channel());
        }
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && RelayHttpClient.current(ctx.channel()) == null) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Exchange exchange = RelayHttpClient.current(ctx.channel());
        if (exchange != null) {
            exchange.fail(Exchange.asIo(cause, "connection failed"));
        }
        ctx.close();
    }
}
