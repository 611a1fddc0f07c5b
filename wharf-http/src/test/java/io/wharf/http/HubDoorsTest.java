package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.testkit.ExternalTool;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The hub-backed doors: Server-Sent Events (JDK client and curl), long poll, and native WebSockets in hub mode. */
class HubDoorsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final TestKafka kafka = SharedKafka.get();
    @RegisterExtension
    static final TestGateway gateway = TestGateway.perClass(b -> b.kafka(kafka));

    private static String produce(String topic, int n) {
        try (var producer = kafka.producer()) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, TestKafka.bytes("key-" + (i % 7)), TestKafka.bytes("value-" + i)));
            }
        }
        return topic;
    }

    private static String where(JsonNode record) {
        return record.get("partition").asInt() + "@" + record.get("offset").asLong();
    }

    @Test
    void sseResumesWithLastEventIdWithoutLossOrRepeatAlsoOnASecondInstance() {
        String topic = produce(kafka.createTopic("sse-resume", 3), 60);
        Set<String> seen = new HashSet<>();
        String lastId;
        try (SseClient first = SseClient.open(gateway, "/topics/" + topic + "?start=earliest")) {
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.response().headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            List<SseClient.Event> events = first.records(25, WAIT);
            events.forEach(e -> assertThat(seen.add(where(e.data()))).isTrue());
            lastId = events.get(events.size() - 1).id();
            assertThat(lastId).isNotBlank();
        }
        try (TestGateway second = TestGateway.builder().kafka(kafka).start();
             SseClient resumed = SseClient.open(second, "/topics/" + topic, "Last-Event-ID", lastId)) {
            for (SseClient.Event e : resumed.records(35, WAIT)) {
                assertThat(seen.add(where(e.data()))).as("repeated %s", where(e.data())).isTrue();
            }
        }
        assertThat(seen).hasSize(60);
    }

    @Test
    void sseOnACompactedTopicSendsTheLatestValuePerKeyThenSnapshotEndThenLive() {
        String topic = kafka.createTopic("sse-compact", 1, Map.of("cleanup.policy", "compact"));
        kafka.send(topic, "k1", "v1");
        kafka.send(topic, "k2", "v1");
        kafka.send(topic, "k1", "v2");
        kafka.send(topic, "k3", "v1");
        kafka.send(topic, "k3", "v2");
        try (SseClient sse = SseClient.open(gateway, "/topics/" + topic + "?start=earliest")) {
            Map<String, String> snapshot = new HashMap<>();
            while (true) {
                SseClient.Event e = sse.next(WAIT);
                if (e.event().equals("snapshot-end")) {
                    break;
                }
                assertThat(e.event()).isEqualTo("record");
                String key = e.data().get("key").asText();
                assertThat(snapshot.put(key, e.data().get("value").asText())).as("key %s twice", key).isNull();
            }
            assertThat(snapshot).containsExactlyInAnyOrderEntriesOf(Map.of("k1", "v2", "k2", "v1", "k3", "v2"));
            kafka.send(topic, "k2", "v9");
            SseClient.Event live = sse.records(1, WAIT).get(0);
            assertThat(live.data().get("key").asText()).isEqualTo("k2");
            assertThat(live.data().get("value").asText()).isEqualTo("v9");
        }
    }

    @Test
    void sseFiltersOnKeysAndHeaders() {
        String topic = kafka.createTopic("sse-filter", 2);
        try (var producer = kafka.producer()) {
            for (int i = 0; i < 30; i++) {
                String type = i % 3 == 0 ? "order" : "other";
                producer.send(new ProducerRecord<>(topic, null, TestKafka.bytes("k" + (i % 5)), TestKafka.bytes("v" + i),
                        List.of(new RecordHeader("type", TestKafka.bytes(type)))));
            }
        }
        try (SseClient keys = SseClient.open(gateway, "/topics/" + topic + "?start=earliest&key=k1&key=k2")) {
            List<SseClient.Event> events = keys.records(12, WAIT);
            assertThat(events).allSatisfy(e -> assertThat(e.data().get("key").asText()).isIn("k1", "k2"));
        }
        try (SseClient header = SseClient.open(gateway, "/topics/" + topic + "?start=earliest&header.type=order&key!=k0")) {
            List<SseClient.Event> events = header.records(8, WAIT);
            assertThat(events).allSatisfy(e -> {
                assertThat(e.data().get("headers").get(0).get("value").asText()).isEqualTo("order");
                assertThat(e.data().get("key").asText()).isNotEqualTo("k0");
            });
        }
    }

    @Test
    void curlReadsTheEventStream() throws Exception {
        String curlProgram = ExternalTool.CURL.path().toString();
        String topic = produce(kafka.createTopic("sse-curl", 1), 5);
        Process curl = new ProcessBuilder(curlProgram, "-sN", "--max-time", "30", "-H", "Accept: text/event-stream",
                TestClients.uri(gateway, "/topics/" + topic + "?start=earliest").toString()).redirectErrorStream(true).start();
        List<String> ids = new ArrayList<>();
        List<String> data = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(curl.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (data.size() < 5 && (line = out.readLine()) != null) {
                if (line.startsWith("id: ")) {
                    ids.add(line.substring(4));
                } else if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                }
            }
        } finally {
            curl.destroy();
        }
        assertThat(data).hasSize(5);
        assertThat(ids).hasSize(5).doesNotHaveDuplicates();
        for (int i = 0; i < 5; i++) {
            JsonNode r = TestClients.JSON.readTree(data.get(i));
            assertThat(r.get("offset").asLong()).isEqualTo(i);
            assertThat(r.get("value").asText()).isEqualTo("value-" + i);
        }
    }

    @Test
    void longPollPagesThroughWithTheResumeTokenAndWaitsForNewRecords() throws Exception {
        String topic = produce(kafka.createTopic("poll", 2), 12);
        JsonNode page = TestClients.json(TestClients.get(gateway, "/topics/" + topic + "?start=earliest&max=5"));
        Set<String> seen = new HashSet<>();
        page.get("records").forEach(r -> seen.add(where(r)));
        assertThat(page.get("records").size()).isBetween(1, 5);
        String next = page.get("next").asText();
        while (seen.size() < 12) {
            JsonNode more = TestClients.json(TestClients.get(gateway, "/topics/" + topic + "?token=" + next + "&max=5&wait=5s"));
            assertThat(more.get("records").size()).isPositive();
            more.get("records").forEach(r -> assertThat(seen.add(where(r))).isTrue());
            next = more.get("next").asText();
        }
        String token = next;
        CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(
                () -> TestClients.get(gateway, "/topics/" + topic + "?token=" + token + "&wait=20s"));
        kafka.send(topic, "late", "arrival");
        JsonNode late = TestClients.json(waiting.join());
        assertThat(late.get("records").get(0).get("value").asText()).isEqualTo("arrival");

        JsonNode empty = TestClients.json(TestClients.get(gateway, "/topics/" + topic + "?token=" + late.get("next").asText()
                + "&wait=200ms"));
        assertThat(empty.get("records")).isEmpty();
        assertThat(empty.get("next").asText()).isEqualTo(late.get("next").asText());
        HttpApiTest.assertError(TestClients.get(gateway, "/topics/no-such-poll-topic?wait=1s"), 404, "unknown_topic");
        HttpApiTest.assertError(TestClients.get(gateway, "/topics/" + topic + "?partition=9"), 400, "bad_partition");
    }

    @Test
    void hubModeWebSocketDeliversFilteredRecordsWithTokensAndResumesExactly() {
        String topic = produce(kafka.createTopic("ws-hub", 2), 40);
        TestClients.Socket ws = TestClients.Socket.open(gateway, "/ws");
        ws.send("{\"type\":\"subscribe\",\"id\":\"h\",\"topic\":\"" + topic + "\",\"start\":\"earliest\","
                + "\"filters\":[[{\"key\":\"key-1\"}],[{\"key\":\"key-2\"}]]}");
        assertThat(ws.next("subscribed", WAIT).get("mode").asText()).isEqualTo("hub");
        List<JsonNode> records = new ArrayList<>();
        String token = null;
        while (records.size() < 6) {
            JsonNode batch = ws.next("records", WAIT);
            token = batch.get("token").asText();
            batch.get("records").forEach(records::add);
        }
        assertThat(records).allSatisfy(r -> assertThat(r.get("key").asText()).isIn("key-1", "key-2"));
        ws.send("{\"type\":\"unsubscribe\",\"id\":\"h\"}");
        ws.next("unsubscribed", WAIT);
        Set<String> seen = new HashSet<>();
        records.forEach(r -> seen.add(where(r)));
        ws.send("{\"type\":\"subscribe\",\"id\":\"h2\",\"topic\":\"" + topic + "\",\"start\":{\"token\":\"" + token
                + "\"},\"filters\":[[{\"key\":\"key-1\"}],[{\"key\":\"key-2\"}]]}");
        ws.next("subscribed", WAIT);
        // keys 1 and 2 appear 12 times in 40 records (i % 7)
        while (seen.size() < 12) {
            ws.next("records", WAIT).get("records").forEach(r -> assertThat(seen.add(where(r))).isTrue());
        }
        ws.close();
    }

    @Test
    void aStalledHubClientDoesNotSlowOthersAndTheServerBufferStaysBounded() {
        String topic = kafka.createTopic("ws-hub-stall", 1);
        TestClients.Socket stalled = new TestClients.Socket(false);
        stalled.connect(gateway, "/ws");
        stalled.send("{\"type\":\"subscribe\",\"id\":\"s\",\"topic\":\"" + topic + "\"}");
        stalled.next("subscribed", WAIT);
        List<TestClients.Socket> healthy = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TestClients.Socket h = TestClients.Socket.open(gateway, "/ws");
            h.send("{\"type\":\"subscribe\",\"id\":\"s\",\"topic\":\"" + topic + "\"}");
            h.next("subscribed", WAIT);
            healthy.add(h);
        }
        String value = "y".repeat(1000);
        int total = 15_000;
        try (var producer = kafka.producer()) {
            for (int i = 0; i < total; i++) {
                producer.send(new ProducerRecord<>(topic, TestKafka.bytes("k"), TestKafka.bytes(value + i)));
            }
        }
        for (TestClients.Socket h : healthy) {
            long expected = 0;
            while (expected < total) {
                for (JsonNode r : h.next("records", WAIT).get("records")) {
                    assertThat(r.get("offset").asLong()).isEqualTo(expected++);
                }
            }
            h.close();
        }
        double maxPending = gateway.context().metrics().registry().get("wharf.http.outbound.pending.bytes.max").gauge().value();
        assertThat(maxPending).isLessThan(256 * 1024 + 300 * 1024);
        stalled.socket.abort();
    }
}
