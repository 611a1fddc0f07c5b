package io.wharf.http;

import java.util.ArrayDeque;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * CORS for one connection, ahead of authentication (a preflight carries no credentials): answers a
 * preflight ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}) on any
 * path, 204 with the allowed methods, headers and max-age for an allowed origin, 403 JSON
 * {@code origin_not_allowed} otherwise; and adds {@code Access-Control-Allow-Origin}, the exposed
 * headers and {@code Access-Control-Allow-Credentials} to every reply to an allowed origin, error
 * replies and the head of a Server-Sent Events stream included. A request from an origin that is not
 * allowed gets no CORS header, so the browser keeps its reply from the page.
 * <p>
 * Replies leave in request order: each request passed on holds a place in {@link #pending} until
 * its reply is written, and a preflight that arrives behind a request still being answered waits there.
 */
final class CorsPolicy extends ChannelDuplexHandler {
    /** A request's place in the reply order: the Allow-Origin its reply gets (or null), or a preflight's answer. */
    private record Pending(String allowOrigin, boolean vary, FullHttpResponse preflight, boolean keepAlive) {
    }

    private final CorsSettings settings;
    private final AllowedOrigins origins;
    private final HttpMetrics metrics;
    private final String methods;
    private final String headers;
    private final String exposed;
    /** Event-loop confined, like all of this handler's state. */
    private final ArrayDeque<Pending> pending = new ArrayDeque<>(2);
    private ChannelHandlerContext ctx;

    CorsPolicy(CorsSettings settings, AllowedOrigins origins, HttpMetrics metrics) {
        this.settings = settings;
        this.origins = origins;
        this.metrics = metrics;
        this.methods = String.join(", ", settings.allowedMethods());
        this.headers = String.join(", ", settings.allowedHeaders());
        this.exposed = String.join(", ", settings.exposedHeaders());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Answers a request that this handler has not seen (one refused before it, by {@link OriginCheck})
     * in its place: now, or after the replies still owed to earlier pipelined requests. Event loop only.
     */
    void answer(boolean keepAlive, FullHttpResponse response) {
        if (pending.isEmpty()) {
            HttpReplies.respond(ctx, keepAlive, response);
        } else {
            pending.add(new Pending(null, false, response, keepAlive));
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request) || !request.decoderResult().isSuccess()) {
            ctx.fireChannelRead(msg);
            return;
        }
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && request.method().equals(HttpMethod.OPTIONS)
                && request.headers().contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD)) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            boolean allowed = allowed(ctx, origin, request.headers());
            request.release();
            answer(keepAlive, allowed ? preflight(origin) : refusal(origin));
            return;
        }
        String allowOrigin = origin != null && origins.allows(origin) ? allowOriginValue(origin) : null;
        pending.add(new Pending(allowOrigin, origin != null && !origins.none(), null, false));
        ctx.fireChannelRead(msg);
    }

    private boolean allowed(ChannelHandlerContext ctx, String origin, HttpHeaders headers) {
        return origins.allows(origin) || AllowedOrigins.sameOrigin(origin, headers.get(HttpHeaderNames.HOST),
                ctx.pipeline().get(SslHandler.class) != null);
    }

    /** {@code *} only for any origin without credentials; else the origin itself, so credentials stay per origin. */
    private String allowOriginValue(String origin) {
        return origins.any() && !settings.allowCredentials() ? "*" : origin;
    }

    private FullHttpResponse preflight(String origin) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT,
                Unpooled.EMPTY_BUFFER);
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, allowOriginValue(origin));
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, methods);
        if (!headers.isEmpty()) {
            h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, headers);
        }
        h.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, settings.maxAge().toSeconds());
        if (settings.allowCredentials()) {
            h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
        h.set(HttpHeaderNames.VARY, "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        return response;
    }

    private FullHttpResponse refusal(String origin) {
        metrics.originRefused(HttpMetrics.ORIGIN_PREFLIGHT);
        FullHttpResponse response = HttpReplies.error(HttpResponseStatus.FORBIDDEN, "origin_not_allowed",
                notAllowed(origin));
        response.headers().set(HttpHeaderNames.VARY, "Origin");
        return response;
    }

    /** The sentence of a refusal for an origin; Jackson escapes it in the JSON body, the length is bounded. */
    static String notAllowed(String origin) {
        String shown = origin.length() > 200 ? origin.substring(0, 200) + "..." : origin;
        return "origin '" + shown + "' is not allowed (http.cors.allowed-origins)";
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof HttpResponse) && !(msg instanceof LastHttpContent) || pending.isEmpty()) {
            ctx.write(msg, promise);
            return;
        }
        if (msg instanceof HttpResponse response) {
            int code = response.status().code();
            if (code >= 100 && code < 200 && code != 101) {
                ctx.write(msg, promise); // 100 Continue: the real reply follows
                return;
            }
            Pending current = pending.peek();
            HttpHeaders h = response.headers();
            if (current.allowOrigin() != null) {
                h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, current.allowOrigin());
                if (!exposed.isEmpty()) {
                    h.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, exposed);
                }
                if (settings.allowCredentials()) {
                    h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
                }
            }
            if (current.vary()) {
                h.add(HttpHeaderNames.VARY, "Origin");
            }
        }
        ctx.write(msg, promise);
        if (msg instanceof LastHttpContent) {
            pending.poll();
            // preflights that waited behind this reply go now, in order
            while (!pending.isEmpty() && pending.peek().preflight() != null) {
                Pending next = pending.poll();
                HttpReplies.respond(ctx, next.keepAlive(), next.preflight());
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        for (Pending p : pending) {
            ReferenceCountUtil.release(p.preflight());
        }
        pending.clear();
        super.channelInactive(ctx);
    }
}
