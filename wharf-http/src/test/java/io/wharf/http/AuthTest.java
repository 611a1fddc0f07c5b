package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import io.wharf.core.config.AuthSettings;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bearer tokens and basic auth on every route and upgrade when credentials are configured; health stays open. */
class AuthTest {
    private static final String TOKEN = "tok-123456";
    private static TestKafka kafka;
    private static TestGateway gateway;
    private static String topic;

    @BeforeAll
    static void start() {
        kafka = SharedKafka.get();
        gateway = TestGateway.builder().kafka(kafka)
                .auth(new AuthSettings("pw-default", Map.of("alice", "alice-pw"), List.of(TOKEN))).start();
        topic = kafka.createTopic("auth", 1);
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static HttpResponse<String> post(String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(TestClients.uri(gateway, "/topics/" + topic))
                .POST(HttpRequest.BodyPublishers.ofString("v"));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return TestClients.send(b.build());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyRouteNeedsValidCredentials() {
        HttpResponse<String> none = post(null);
        HttpApiTest.assertError(none, 401, "unauthorized");
        assertThat(none.headers().firstValue("WWW-Authenticate").orElse("")).contains("Bearer").contains("Basic");
        HttpApiTest.assertError(post("Bearer wrong-token"), 401, "unauthorized");
        HttpApiTest.assertError(post(basic("alice", "nope")), 401, "unauthorized");
        HttpApiTest.assertError(post("Digest abc"), 401, "unauthorized");
        HttpApiTest.assertError(TestClients.get(gateway, "/topics"), 401, "unauthorized");
        HttpApiTest.assertError(TestClients.get(gateway, "/metrics"), 401, "unauthorized");
        HttpApiTest.assertError(TestClients.get(gateway, "/topics/" + topic + "?wait=0"), 401, "unauthorized");
        assertThat(none.body()).doesNotContain("pw-default").doesNotContain(TOKEN);
    }

    @Test
    void bearerBasicAndTheDefaultPasswordAreAccepted() {
        assertThat(post("Bearer " + TOKEN).statusCode()).isEqualTo(200);
        assertThat(post("bearer " + TOKEN).statusCode()).isEqualTo(200);
        assertThat(post(basic("alice", "alice-pw")).statusCode()).isEqualTo(200);
        assertThat(post(basic("default", "pw-default")).statusCode()).isEqualTo(200);
        assertThat(post(basic("", "pw-default")).statusCode()).isEqualTo(200);
    }

    @Test
    void healthAndReadinessStayOpen() {
        assertThat(TestClients.get(gateway, "/healthz").statusCode()).isEqualTo(200);
        assertThat(TestClients.get(gateway, "/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void webSocketUpgradesAndEventStreamsNeedCredentialsToo() {
        assertThatThrownBy(() -> TestClients.Socket.open(gateway, "/ws"))
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode())
                        .isEqualTo(401));
        TestClients.Socket ws = TestClients.Socket.open(gateway, "/ws", "Authorization", "Bearer " + TOKEN);
        ws.send("{\"type\":\"produce\",\"id\":\"a\",\"topic\":\"" + topic + "\",\"value\":\"x\"}");
        assertThat(ws.next("produced", Duration.ofSeconds(30)).get("id").asText()).isEqualTo("a");
        ws.close();
        // browsers' EventSource and WebSocket cannot set headers: the token may come as access_token
        TestClients.Socket browser = TestClients.Socket.open(gateway, "/ws?access_token=" + TOKEN);
        browser.close();
        try (SseClient denied = SseClient.open(gateway, "/topics/" + topic + "?start=earliest")) {
            assertThat(denied.status()).isEqualTo(401);
        }
        try (SseClient sse = SseClient.open(gateway, "/topics/" + topic + "?start=earliest&access_token=" + TOKEN)) {
            assertThat(sse.status()).isEqualTo(200);
            assertThat(sse.records(1, Duration.ofSeconds(30))).hasSize(1);
        }
        try (SseClient wrong = SseClient.open(gateway, "/topics/" + topic + "?access_token=nope")) {
            assertThat(wrong.status()).isEqualTo(401);
        }
    }

    @Test
    void failuresAreCountedAndTheSecretsNeverLogged() {
        double before = gateway.context().metrics().registry().get("wharf.http.auth.failures").counter().count();
        String logged;
        try (LogCapture log = new LogCapture()) {
            post("Bearer leaked-guess-1");
            post(basic("alice", "leaked-guess-2"));
            logged = log.text();
        }
        double after = gateway.context().metrics().registry().get("wharf.http.auth.failures").counter().count();
        assertThat(after - before).isEqualTo(2);
        assertThat(logged).contains("event=auth-failed").doesNotContain("leaked-guess").doesNotContain("alice-pw")
                .doesNotContain(TOKEN).doesNotContain("pw-default");
    }
}
