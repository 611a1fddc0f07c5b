package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.core.config.KafkaSettings;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Names Kafka reserves for itself ({@code __consumer_offsets}, {@code __cluster_metadata}, any
 * leading {@code __}) are a 400 {@code bad_topic} on every route: create, describe, produce, long
 * poll, SSE, WebSocket and kafka-proxy; the listing hides them; {@code kafka.allow-internal-topics}
 * lets them through.
 */
class InternalTopicsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static TestKafka kafka;
    private static TestGateway gateway;
    private static String hidden;

    @BeforeAll
    static void start() {
        kafka = SharedKafka.get();
        gateway = TestGateway.builder().kafka(kafka).start();
        // a user topic with a reserved-looking name, made behind Wharf's back
        hidden = "__wharf_hidden_" + System.nanoTime();
        kafka.createTopicNamed(hidden, 1, Map.of());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static HttpResponse<String> put(TestGateway g, String path) {
        return TestClients.send(HttpRequest.newBuilder(TestClients.uri(g, path)).timeout(WAIT)
                .PUT(HttpRequest.BodyPublishers.noBody()).build());
    }

    private static void assertInternal(HttpResponse<String> response, String topic) {
        HttpApiTest.assertError(response, 400, "bad_topic");
        assertThat(TestClients.json(response).get("message").asText())
                .contains("'" + topic + "' is internal to Kafka").contains("kafka.allow-internal-topics");
    }

    @Test
    void creatingAnInternalTopicIsA400() {
        assertInternal(put(gateway, "/topics/__consumer_offsets"), "__consumer_offsets");
        assertInternal(put(gateway, "/topics/__cluster_metadata"), "__cluster_metadata");
        assertInternal(put(gateway, "/topics/__transaction_state"), "__transaction_state");
    }

    @Test
    void readingAndWritingAnInternalTopicIsA400OnEveryRoute() {
        for (String topic : List.of("__consumer_offsets", hidden)) {
            assertInternal(TestClients.get(gateway, "/topics/" + topic + "/metadata"), topic);
            assertInternal(TestClients.post(gateway, "/topics/" + topic, "text/plain", "v"), topic);
            assertInternal(TestClients.get(gateway, "/topics/" + topic + "?wait=0"), topic);
            try (SseClient sse = SseClient.open(gateway, "/topics/" + topic + "?start=earliest")) {
                assertThat(sse.status()).isEqualTo(400);
            }
        }
        assertThat(TestClients.get(gateway, "/topics").body()).doesNotContain(hidden).doesNotContain("__consumer_offsets");
    }

    @Test
    void webSocketsRefuseInternalTopics() {
        TestClients.Socket ws = TestClients.Socket.open(gateway, "/ws");
        ws.send("{\"type\":\"produce\",\"id\":\"p\",\"topic\":\"__consumer_offsets\",\"value\":\"x\"}");
        JsonNode produced = ws.next("error", WAIT);
        assertThat(produced.get("code").asText()).isEqualTo("bad_topic");
        assertThat(produced.get("message").asText()).contains("internal to Kafka");
        ws.send("{\"type\":\"subscribe\",\"id\":\"s\",\"topic\":\"__consumer_offsets\"}");
        JsonNode subscribed = ws.next("error", WAIT);
        assertThat(subscribed.get("code").asText()).isEqualTo("bad_topic");
        ws.close();
        assertThatThrownBy(() -> TestClients.Socket.open(gateway, "/?topic=__consumer_offsets"))
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode())
                        .isEqualTo(400));
    }

    @Test
    void aSettingAllowsInternalTopics() {
        try (TestGateway allowing = TestGateway.builder().kafka(kafka)
                .kafkaSettings(new KafkaSettings(null, null, null, null, null, true)).start()) {
            HttpResponse<String> described = TestClients.get(allowing, "/topics/" + hidden + "/metadata");
            assertThat(described.statusCode()).as(described.body()).isEqualTo(200);
            assertThat(TestClients.get(allowing, "/topics").body()).contains(hidden);
        }
    }
}
