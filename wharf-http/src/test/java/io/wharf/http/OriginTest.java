package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import io.wharf.core.config.AuthSettings;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.junit.jupiter.api.Test;

/**
 * The Origin check and CORS on the real door over real sockets: a foreign page's WebSocket (native
 * and kafka-proxy) and POST are refused with auth off, logged escaped and counted; non-browser
 * clients and the door's own origin pass; preflights need no credentials and error replies carry CORS.
 */
class OriginTest {
    private static final TestKafka KAFKA = SharedKafka.get();
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static TestGateway open(CorsSettings cors, AuthSettings auth) {
        TestGateway.Builder b = TestGateway.builder().kafka(KAFKA)
                .with(HttpSettings.class, HttpSettings.defaults().withCors(cors));
        return (auth == null ? b : b.auth(auth)).start();
    }

    @Test
    void withAuthOffAForeignOriginCannotOpenAWebSocketNorProduceButOtherClientsCan() throws Exception {
        String topic = KAFKA.createTopic("origin-ws", 1);
        try (TestGateway gateway = open(CorsSettings.allowing("https://dash.example.com"));
             LogCapture log = new LogCapture()) {
            // a quote, a backslash and a tab: escaped in the JSON reply and in the log line
            String[] refused = RawHttp.upgrade(gateway, "/ws", "Origin: https://evil\"\\\t.org");
            assertThat(refused[0]).isEqualTo("403");
            assertThat(refused[1]).isEqualTo("{\"error\":\"origin_not_allowed\",\"message\":\"origin "
                    + "'https://evil\\\"\\\\\\t.org' is not allowed (http.cors.allowed-origins)\"}");
            String[] proxy = RawHttp.upgrade(gateway, "/?topic=" + topic + "&access_token=tok-in-query",
                    "Origin: https://dash.example.com.evil.org");
            assertThat(proxy[0]).isEqualTo("403");
            assertThat(log.text()).contains("event=ws-origin-refused origin=\"https://evil\\\"\\\\\\t.org\" method=GET "
                    + "path=\"/ws\"").doesNotContain("tok-in-query");

            RawHttp.Reply post = RawHttp.request(gateway, "POST /topics/" + topic + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Origin: https://evil.example\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nevil");
            assertThat(post.status()).isEqualTo(403);
            assertThat(post.body()).contains("\"error\":\"origin_not_allowed\"");

            // allowed: a listed origin, the door's own origin, and clients that send no Origin
            assertThat(RawHttp.upgrade(gateway, "/ws", "Origin: https://dash.example.com")[0]).isEqualTo("101");
            assertThat(RawHttp.upgrade(gateway, "/ws", "Origin: http://127.0.0.1")[0]).isEqualTo("101");
            TestClients.Socket ws = TestClients.Socket.open(gateway, "/ws");
            ws.send(NativeWebSocketTest.msg("produce", "p1").put("topic", topic).put("value", "from-a-server"));
            assertThat(ws.next("produced", WAIT).get("offset").asLong()).isZero();
            ws.close();
            assertThat(KAFKA.readAll(topic, 1, WAIT)).extracting(r -> new String(r.value())).containsExactly("from-a-server");

            String metrics = TestClients.get(gateway, "/metrics").body();
            assertThat(metrics).contains("wharf_http_origin_refused_total{what=\"websocket\"} 2.0",
                    "wharf_http_origin_refused_total{what=\"request\"} 1.0");
        }
    }

    @Test
    void withoutACorsSectionOnlyTheDoorsOwnOriginMayUpgrade() throws Exception {
        try (TestGateway gateway = open(CorsSettings.defaults())) {
            assertThat(RawHttp.upgrade(gateway, "/ws", "Origin: https://any.example")[0]).isEqualTo("403");
            assertThat(RawHttp.upgrade(gateway, "/ws", "Origin: null")[0]).isEqualTo("403");
            assertThat(RawHttp.upgrade(gateway, "/ws", "Origin: http://127.0.0.1")[0]).isEqualTo("101");
            assertThat(RawHttp.upgrade(gateway, "/ws")[0]).isEqualTo("101");
            RawHttp.Reply get = RawHttp.request(gateway, "GET /topics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Origin: https://any.example\r\nConnection: close\r\n\r\n");
            assertThat(get.status()).isEqualTo(200);
            assertThat(get.head().toLowerCase()).doesNotContain("access-control-");
        }
    }

    @Test
    void aPreflightNeedsNoCredentialsAndA401CarriesCorsSoThePageCanReadIt() throws Exception {
        String origin = "https://app.example.com";
        try (TestGateway gateway = open(CorsSettings.allowing(origin),
                new AuthSettings(null, java.util.Map.of(), List.of("tok-cors-1")))) {
            RawHttp.Reply preflight = RawHttp.request(gateway, "OPTIONS /topics/orders HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Origin: " + origin + "\r\nAccess-Control-Request-Method: POST\r\n"
                    + "Access-Control-Request-Headers: authorization, content-type\r\nConnection: close\r\n\r\n");
            assertThat(preflight.status()).isEqualTo(204);
            assertThat(preflight.head()).contains("access-control-allow-origin: " + origin + "\r\n",
                    "access-control-allow-headers: Authorization, Content-Type, Idempotency-Key, Last-Event-ID\r\n",
                    "access-control-max-age: 600\r\n");
            RawHttp.Reply unauthorized = RawHttp.request(gateway, "GET /topics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Origin: " + origin + "\r\nConnection: close\r\n\r\n");
            assertThat(unauthorized.status()).isEqualTo(401);
            assertThat(unauthorized.head()).contains("access-control-allow-origin: " + origin + "\r\n",
                    "access-control-expose-headers: Retry-After, Idempotent-Replayed, WWW-Authenticate, Allow\r\n");
            assertThat(unauthorized.body()).contains("\"error\":\"unauthorized\"");
        }
    }

    private static TestGateway open(CorsSettings cors) {
        return open(cors, null);
    }
}
