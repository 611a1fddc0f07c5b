package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.wharf.core.config.AccessSettings;
import io.wharf.core.config.AccessSettings.Rule;
import io.wharf.core.config.AccessSettings.Where;
import io.wharf.core.config.AuthSettings;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import io.wharf.testkit.gateway.TestJwt;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real HS256 JWTs on the HTTP door: as {@code Authorization: Bearer} and as {@code access_token}
 * (EventSource, WebSocket); roles and claims from the token drive the rules, a tenant claim binds
 * what a principal receives and may produce, and the token's {@code exp} ends its streams.
 */
class JwtAccessTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ORDERS = "jwt" + UUID.randomUUID().toString().substring(0, 6) + ".orders";
    private static TestKafka kafka;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        kafka = SharedKafka.get();
        kafka.createTopicNamed(ORDERS, 1, Map.of());
        AccessSettings access = new AccessSettings(null, null, List.of(
                new Rule(List.of("role:customer"), List.of(ORDERS), null, List.of("consume", "produce"),
                        new Where(null, Map.of("tenant", "${claims.tenant}")))), null, null);
        gateway = TestGateway.builder().kafka(kafka).auth(new AuthSettings(null, Map.of(), List.of())
                .withJwt(TestJwt.settings())).access(access).start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static String customer(String tenant, Instant expiresAt) {
        return TestJwt.token("user-of-" + tenant, List.of("customer"), Map.of("tenant", tenant), expiresAt);
    }

    /** One record whose value is the body, with the header {@code tenant}. */
    private static HttpResponse<String> produce(String token, String tenant, String value) {
        return TestClients.send(HttpRequest.newBuilder(TestClients.uri(gateway, "/topics/" + ORDERS + "?header.tenant="
                        + tenant)).header("Authorization", "Bearer " + token).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(value)).build());
    }

    @Test
    void aTenantClaimBindsWhatAJwtPrincipalProducesAndReceives() throws Exception {
        String a = customer("a", Instant.now().plusSeconds(600));
        HttpResponse<String> own = produce(a, "a", "a-1");
        assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
        HttpResponse<String> foreign = produce(a, "b", "b-forged");
        assertThat(foreign.statusCode()).as(foreign.body()).isEqualTo(403);
        assertThat(TestClients.json(foreign).get("error").asText()).isEqualTo("forbidden");
        assertThat(foreign.body()).doesNotContain(a);
        ProducerRecord<byte[], byte[]> b = new ProducerRecord<>(ORDERS, null, null, "b-1".getBytes());
        b.headers().add(new RecordHeader("tenant", "b".getBytes()));
        kafka.send(b);
        ProducerRecord<byte[], byte[]> a2 = new ProducerRecord<>(ORDERS, null, null, "a-2".getBytes());
        a2.headers().add(new RecordHeader("tenant", "a".getBytes()));
        kafka.send(a2);

        // EventSource cannot send headers: the token rides as access_token
        try (SseClient sse = SseClient.open(gateway, "/topics/" + ORDERS + "?start=earliest&access_token=" + a)) {
            assertThat(sse.status()).isEqualTo(200);
            List<SseClient.Event> got = sse.records(2, WAIT);
            assertThat(got).extracting(e -> e.data().get("value").asText()).containsExactly("a-1", "a-2");
        }
        String forged = TestJwt.token("user-of-a", List.of("admin"), Map.of("tenant", "a"), Instant.now().plusSeconds(60))
                .replaceAll(".$", "A");
        HttpResponse<String> bad = produce(forged, "a", "x");
        assertThat(bad.statusCode()).isEqualTo(401);
    }

    @Test
    void anExpiredTokenIsRefusedAndAnExpiringOneEndsItsStreamsWithTheReason() throws Exception {
        HttpResponse<String> expired = produce(customer("a", Instant.now().minusSeconds(300)), "a", "late");
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(TestClients.json(expired).get("message").asText()).contains("expired");

        String brief = customer("a", Instant.now().plusSeconds(3));
        try (SseClient sse = SseClient.open(gateway, "/topics/" + ORDERS + "?access_token=" + brief)) {
            TestClients.Socket socket = TestClients.Socket.open(gateway, "/ws?access_token=" + brief);
            assertThat(sse.status()).isEqualTo(200);
            SseClient.Event end = sse.next(WAIT);
            assertThat(end.event()).isEqualTo("error");
            assertThat(end.data()).isEqualTo(TestClients.JSON.createObjectNode().put("error", "expired")
                    .put("message", "the credential has expired; authenticate again"));
            assertThat(socket.closed.get(30, TimeUnit.SECONDS)).isEqualTo(1008);
            assertThat(socket.closeReason).isEqualTo("credential expired");
        }
    }
}
