package io.wharf.http;

import java.time.Duration;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.ssl.SslHandler;
import io.wharf.core.logging.LogValue;
import io.wharf.core.logging.WarningThrottle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses, with 403 JSON {@code origin_not_allowed} and before authentication (so also when auth is
 * off), what a page of a foreign origin could do blindly without reading any reply: open a WebSocket
 * ({@code /ws} or kafka-proxy's {@code /}: cross-site WebSocket hijacking) or send a state-changing
 * request (anything but GET, HEAD and OPTIONS: a form or {@code no-cors} POST would produce). Allowed
 * are requests without {@code Origin} (non-browser clients), from the door's own origin, and from
 * {@code http.cors.allowed-origins}. Refused upgrades are logged ({@code event=ws-origin-refused},
 * at most one line per 10 s) and counted, like every refusal.
 */
@ChannelHandler.Sharable
final class OriginCheck extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(OriginCheck.class);
    /** One per door (this handler is shared by its connections): a client can trigger these at will. */
    private final WarningThrottle upgrades = new WarningThrottle(Duration.ofSeconds(10));
    private final WarningThrottle requests = new WarningThrottle(Duration.ofSeconds(10));

    private final AllowedOrigins origins;
    private final HttpMetrics metrics;

    OriginCheck(AllowedOrigins origins, HttpMetrics metrics) {
        this.origins = origins;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request) || origins.any()) {
            ctx.fireChannelRead(msg);
            return;
        }
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        boolean upgrade = request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
        if (origin == null || !(upgrade || changesState(request.method())) || origins.allows(origin)
                || AllowedOrigins.sameOrigin(origin, request.headers().get(HttpHeaderNames.HOST),
                ctx.pipeline().get(SslHandler.class) != null)) {
            ctx.fireChannelRead(msg);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !upgrade;
        String uri = request.uri();
        String method = request.method().name();
        request.release();
        metrics.originRefused(upgrade ? HttpMetrics.ORIGIN_UPGRADE : HttpMetrics.ORIGIN_REQUEST);
        long suppressed = (upgrade ? upgrades : requests).admit();
        if (suppressed >= 0) {
            String path = uri.indexOf('?') < 0 ? uri : uri.substring(0, uri.indexOf('?')); // the query may hold a token
            LOG.warn("event={} origin=\"{}\" method={} path=\"{}\" remote={} suppressed={}",
                    upgrade ? "ws-origin-refused" : "cross-origin-refused", LogValue.of(origin), LogValue.of(method),
                    LogValue.of(path), ctx.channel().remoteAddress(), suppressed);
        }
        FullHttpResponse response = HttpReplies.error(HttpResponseStatus.FORBIDDEN, "origin_not_allowed",
                CorsPolicy.notAllowed(origin));
        // in its place among pipelined requests' replies, which the CORS policy (next in the pipeline) keeps in order
        ctx.pipeline().get(CorsPolicy.class).answer(keepAlive, response);
    }

    private static boolean changesState(HttpMethod method) {
        return !method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD) && !method.equals(HttpMethod.OPTIONS);
    }
}
