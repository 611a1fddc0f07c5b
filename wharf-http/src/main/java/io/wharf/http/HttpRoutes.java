package io.wharf.http;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.wharf.core.gateway.GatewayContext;
import io.wharf.core.metrics.WharfMetrics;

/** Routes requests on the HTTP port to their handler; unknown paths get a JSON 404. */
@ChannelHandler.Sharable
final class HttpRoutes extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GatewayContext context;

    HttpRoutes(GatewayContext context) {
        this.context = context;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess()) {
            respond(ctx, keepAlive, error(HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed HTTP request"));
            return;
        }
        switch (path) {
            case "/healthz" -> {
                if (requireGet(ctx, request, keepAlive)) {
                    respond(ctx, keepAlive, json(HttpResponseStatus.OK, JSON.createObjectNode().put("status", "alive")));
                }
            }
            case "/readyz" -> {
                if (requireGet(ctx, request, keepAlive)) {
                    context.readiness().check().thenAccept(status -> respond(ctx, keepAlive, json(
                            status.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                            JSON.createObjectNode().put("ready", status.ready()).put("reason", status.reason()))));
                }
            }
            case "/metrics" -> {
                if (requireGet(ctx, request, keepAlive)) {
                    // scraping walks every meter; keep it off the event loop
                    CompletableFuture.supplyAsync(() -> context.metrics().scrape()).thenAccept(text -> {
                        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                                Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
                        response.headers().set(HttpHeaderNames.CONTENT_TYPE, WharfMetrics.contentType());
                        respond(ctx, keepAlive, response);
                    });
                }
            }
            default -> respond(ctx, keepAlive, error(HttpResponseStatus.NOT_FOUND, "not_found", "no route for " + path));
        }
    }

    private static boolean requireGet(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
        if (request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.HEAD)) {
            return true;
        }
        FullHttpResponse response = error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                request.method() + " is not allowed here; use GET");
        response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        respond(ctx, keepAlive, response);
        return false;
    }

    static FullHttpResponse json(HttpResponseStatus status, ObjectNode body) {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        return response;
    }

    static FullHttpResponse error(HttpResponseStatus status, String code, String message) {
        return json(status, JSON.createObjectNode().put("error", code).put("message", message));
    }

    static void respond(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (keepAlive) {
            HttpUtil.setKeepAlive(response, true);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
