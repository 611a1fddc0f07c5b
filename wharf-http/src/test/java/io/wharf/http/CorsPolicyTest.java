package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

/** The Origin check and CORS policy on Netty's embedded channel, in front of a stand-in for the routes. */
class CorsPolicyTest {
    private static final String APP = "https://app.example.com";
    private static final String EVIL = "https://evil-example.com";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpMetrics metrics = new HttpMetrics(registry);

    /** Answers every request it gets like the routes would: 200 JSON, or 401 for {@code /secret}, or an SSE head for {@code /sse}. */
    private static final class Routes extends ChannelInboundHandlerAdapter {
        final List<String> served;
        boolean hold;
        ChannelHandlerContext held;

        Routes(List<String> served) {
            this.served = served;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            FullHttpRequest request = (FullHttpRequest) msg;
            served.add(request.method() + " " + request.uri());
            String uri = request.uri();
            request.release();
            if (hold) {
                held = ctx;
                return;
            }
            reply(ctx, uri);
        }

        static void reply(ChannelHandlerContext ctx, String uri) {
            if (uri.equals("/sse")) {
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
                ctx.writeAndFlush(head);
                return;
            }
            FullHttpResponse response = uri.equals("/secret")
                    ? HttpReplies.error(HttpResponseStatus.UNAUTHORIZED, "unauthorized", "credentials required")
                    : HttpReplies.error(HttpResponseStatus.OK, "ok", "served " + uri);
            HttpReplies.respond(ctx, true, response);
        }
    }

    private final List<String> served = new java.util.ArrayList<>();
    /** The stand-in routes of the channel made last. */
    private Routes routes = new Routes(served);

    private EmbeddedChannel channel(CorsSettings settings) {
        AllowedOrigins origins = AllowedOrigins.of(settings.allowedOrigins());
        routes = new Routes(served);
        return new EmbeddedChannel(new OriginCheck(origins, metrics), new CorsPolicy(settings, origins, metrics), routes);
    }

    private static FullHttpRequest request(HttpMethod method, String uri, String origin) {
        // unvalidated headers: the codec lets odd bytes through, so the handlers must cope with them
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.buffer(0), false);
        request.headers().set(HttpHeaderNames.HOST, "wharf.test:8080");
        if (origin != null) {
            request.headers().set(HttpHeaderNames.ORIGIN, origin);
        }
        return request;
    }

    private static FullHttpRequest preflight(String uri, String origin) {
        FullHttpRequest request = request(HttpMethod.OPTIONS, uri, origin);
        request.headers().set(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD, "POST");
        request.headers().set(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS, "content-type,idempotency-key");
        return request;
    }

    private static FullHttpRequest upgrade(String uri, String origin) {
        FullHttpRequest request = request(HttpMethod.GET, uri, origin);
        request.headers().set(HttpHeaderNames.UPGRADE, "websocket");
        request.headers().set(HttpHeaderNames.CONNECTION, "Upgrade");
        return request;
    }

    private static FullHttpResponse reply(EmbeddedChannel ch) {
        Object out = ch.readOutbound();
        assertThat(out).isInstanceOf(FullHttpResponse.class);
        return (FullHttpResponse) out;
    }

    private static JsonNode json(FullHttpResponse response) throws Exception {
        try {
            return HttpReplies.JSON.readTree(response.content().toString(StandardCharsets.UTF_8));
        } finally {
            response.release();
        }
    }

    private double refused(String what) {
        return registry.get("wharf.http.origin.refused").tag("what", what).counter().count();
    }

    @Test
    void aPreflightFromAnAllowedOriginIsAnsweredOnAnyPathWithoutReachingAuthOrRoutes() {
        EmbeddedChannel ch = channel(CorsSettings.allowing(APP));
        for (String path : List.of("/topics/orders", "/ws", "/no/such/route")) {
            ch.writeInbound(preflight(path, APP));
            FullHttpResponse r = reply(ch);
            assertThat(r.status()).isEqualTo(HttpResponseStatus.NO_CONTENT);
            assertThat(r.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo(APP);
            assertThat(r.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS)).isEqualTo("GET, POST, PUT, DELETE, OPTIONS");
            assertThat(r.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS))
                    .isEqualTo("Authorization, Content-Type, Idempotency-Key, Last-Event-ID");
            assertThat(r.headers().get(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE)).isEqualTo("600");
            assertThat(r.headers().get(HttpHeaderNames.VARY)).startsWith("Origin");
            assertThat(r.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS)).isFalse();
            assertThat(r.content().readableBytes()).isZero();
            r.release();
        }
        assertThat(served).isEmpty();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void aPreflightFromAnotherOriginIs403NamingTheOriginEscaped() throws Exception {
        EmbeddedChannel ch = channel(CorsSettings.allowing(APP, "https://*.example.com"));
        for (String origin : List.of(EVIL, "https://example.com.evil.org", "https://example.com", "null",
                "https://app.example.com:8443", "https://x\"y\u0001.test")) {
            ch.writeInbound(preflight("/topics/orders", origin));
            FullHttpResponse r = reply(ch);
            assertThat(r.status()).as(origin).isEqualTo(HttpResponseStatus.FORBIDDEN);
            assertThat(r.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isFalse();
            JsonNode body = json(r);
            assertThat(body.get("error").asText()).isEqualTo("origin_not_allowed");
            assertThat(body.get("message").asText())
                    .isEqualTo("origin '" + origin + "' is not allowed (http.cors.allowed-origins)");
        }
        assertThat(refused("preflight")).isEqualTo(6);
        assertThat(served).isEmpty();
    }

    @Test
    void withoutACorsSectionNoHeaderIsAddedAndAPreflightIsRefusedInsteadOf405() throws Exception {
        EmbeddedChannel ch = channel(CorsSettings.defaults());
        ch.writeInbound(request(HttpMethod.GET, "/topics", APP));
        FullHttpResponse r = reply(ch);
        assertThat(r.headers().names()).noneMatch(n -> n.toLowerCase().startsWith("access-control-") || n.equalsIgnoreCase("vary"));
        r.release();
        ch.writeInbound(preflight("/topics/orders", APP));
        assertThat(json(reply(ch)).get("error").asText()).isEqualTo("origin_not_allowed");
        // same origin is never foreign, even without a CORS section
        ch.writeInbound(preflight("/topics/orders", "http://wharf.test:8080"));
        FullHttpResponse own = reply(ch);
        assertThat(own.status()).isEqualTo(HttpResponseStatus.NO_CONTENT);
        own.release();
        // an OPTIONS that is no preflight reaches the routes (which answer 405 as before)
        ch.writeInbound(request(HttpMethod.OPTIONS, "/topics/orders", null));
        reply(ch).release();
        assertThat(served).containsExactly("GET /topics", "OPTIONS /topics/orders");
    }

    @Test
    void actualRepliesToAnAllowedOriginCarryTheHeadersErrorsAndStreamsIncluded() {
        EmbeddedChannel ch = channel(new CorsSettings(List.of(APP), null, null, null, true, Duration.ofMinutes(1)));
        ch.writeInbound(request(HttpMethod.GET, "/topics", APP));
        FullHttpResponse ok = reply(ch);
        assertThat(ok.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo(APP);
        assertThat(ok.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS)).isEqualTo("true");
        assertThat(ok.headers().get(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS))
                .isEqualTo("Retry-After, Idempotent-Replayed, WWW-Authenticate, Allow");
        assertThat(ok.headers().getAll(HttpHeaderNames.VARY)).containsExactly("Origin");
        ok.release();
        ch.writeInbound(request(HttpMethod.POST, "/secret", APP));
        FullHttpResponse unauthorized = reply(ch);
        assertThat(unauthorized.status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        assertThat(unauthorized.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo(APP);
        unauthorized.release();
        ch.writeInbound(request(HttpMethod.GET, "/sse", APP));
        HttpResponse head = ch.readOutbound();
        assertThat(head.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo(APP);
        // a disallowed origin's GET is served, but without a CORS header the browser hides the reply from the page
        EmbeddedChannel other = channel(CorsSettings.allowing(APP));
        other.writeInbound(request(HttpMethod.GET, "/topics", EVIL));
        FullHttpResponse hidden = reply(other);
        assertThat(hidden.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isFalse();
        assertThat(hidden.headers().getAll(HttpHeaderNames.VARY)).containsExactly("Origin");
        hidden.release();
        // no Origin (curl, a server): no CORS header
        other.writeInbound(request(HttpMethod.GET, "/topics", null));
        FullHttpResponse plain = reply(other);
        assertThat(plain.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isFalse();
        plain.release();
    }

    @Test
    void anyOriginGetsAStarWithoutCredentials() {
        EmbeddedChannel ch = channel(CorsSettings.allowing("*"));
        ch.writeInbound(request(HttpMethod.GET, "/topics", EVIL));
        FullHttpResponse r = reply(ch);
        assertThat(r.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo("*");
        r.release();
        ch.writeInbound(upgrade("/ws", "null"));
        assertThat(served).containsExactly("GET /topics", "GET /ws");
    }

    @Test
    void upgradesAndStateChangingRequestsFromAForeignOriginAreRefusedBeforeAuth() throws Exception {
        EmbeddedChannel ch = channel(CorsSettings.allowing("https://*.example.com"));
        for (String path : List.of("/ws", "/?topic=orders&access_token=secret-token")) {
            ch.writeInbound(upgrade(path, "https://example.com.evil.org"));
            FullHttpResponse r = reply(ch);
            assertThat(r.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
            assertThat(json(r).get("message").asText())
                    .isEqualTo("origin 'https://example.com.evil.org' is not allowed (http.cors.allowed-origins)");
            ch = channel(CorsSettings.allowing("https://*.example.com")); // the upgrade refusal closes the connection
        }
        assertThat(refused("websocket")).isEqualTo(2);
        ch.writeInbound(request(HttpMethod.POST, "/topics/orders", "null"));
        assertThat(reply(ch).status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
        assertThat(refused("request")).isEqualTo(1);
        assertThat(served).isEmpty();
        // allowed: a listed origin, the door's own, and no Origin at all (non-browser clients)
        ch.writeInbound(upgrade("/ws", "https://dash.example.com"));
        ch.writeInbound(upgrade("/ws", "http://wharf.test:8080"));
        ch.writeInbound(upgrade("/ws", null));
        ch.writeInbound(request(HttpMethod.POST, "/topics/orders", "http://WHARF.test:8080"));
        assertThat(served).containsExactly("GET /ws", "GET /ws", "GET /ws", "POST /topics/orders");
    }

    @Test
    void aPreflightOrRefusalBehindARequestStillBeingAnsweredWaitsForItsReply() {
        EmbeddedChannel ch = channel(CorsSettings.allowing(APP));
        routes.hold = true;
        ch.writeInbound(request(HttpMethod.GET, "/topics", APP));
        ch.writeInbound(preflight("/topics/orders", APP));
        ch.writeInbound(request(HttpMethod.POST, "/topics/orders", EVIL));
        assertThat((Object) ch.readOutbound()).isNull();
        Routes.reply(routes.held, "/topics");
        FullHttpResponse first = reply(ch);
        assertThat(first.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(first.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo(APP);
        first.release();
        FullHttpResponse second = reply(ch);
        assertThat(second.status()).isEqualTo(HttpResponseStatus.NO_CONTENT);
        second.release();
        FullHttpResponse third = reply(ch);
        assertThat(third.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
        third.release();
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(served).containsExactly("GET /topics");
    }
}
