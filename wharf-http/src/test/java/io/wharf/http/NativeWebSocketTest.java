package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The native WebSocket protocol on /ws with the JDK's WebSocket client: produce, group mode, acks, pause, errors. */
class NativeWebSocketTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final TestKafka kafka = SharedKafka.get();
    @RegisterExtension
    static final TestGateway gateway = TestGateway.perClass(b -> b.kafka(kafka));

    static ObjectNode msg(String type, String id) {
        return TestClients.JSON.createObjectNode().put("type", type).put("id", id);
    }

    @Test
    void producesWithAPerMessageReplyCarryingPartitionAndOffsetAndBinaryValuesRoundTrip() {
        String topic = kafka.createTopic("ws-produce", 2);
        TestClients.Socket ws = TestClients.Socket.open(gateway, "/ws");
        byte[] binary = {0, (byte) 0xff, (byte) 0xc3, 0x28, 10};
        ws.send(msg("produce", "p1").put("topic", topic).put("key", "k").put("value", "text value").put("partition", 1)
                .set("headers", TestClients.JSON.createObjectNode().put("trace", "t-1")));
        ws.send(msg("produce", "p2").put("topic", topic).put("value", Base64.getEncoder().encodeToString(binary))
                .put("valueEncoding", "base64").put("partition", 0));

        // replies for different partitions may come in either order; the id says which is which
        java.util.Map<String, JsonNode> replies = new java.util.HashMap<>();
        for (int i = 0; i < 2; i++) {
            JsonNode r = ws.next("produced", WAIT);
            replies.put(r.get("id").asText(), r);
        }
        assertThat(replies).containsOnlyKeys("p1", "p2");
        assertThat(replies.get("p1").get("partition").asInt()).isEqualTo(1);
        assertThat(replies.get("p1").get("offset").asLong()).isZero();
        assertThat(replies.get("p2").get("partition").asInt()).isZero();
        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll(topic, 2, WAIT);
        ConsumerRecord<byte[], byte[]> bin = records.stream().filter(r -> r.partition() == 0).findFirst().orElseThrow();
        assertThat(bin.value()).containsExactly(binary);
        ConsumerRecord<byte[], byte[]> text = records.stream().filter(r -> r.partition() == 1).findFirst().orElseThrow();
        assertThat(new String(text.headers().lastHeader("trace").value(), StandardCharsets.UTF_8)).isEqualTo("t-1");
        ws.close();
    }

    @Test
    void everyBadMessageGetsAnErrorWithItsCodeAndTheConnectionKeepsServing() {
        String topic = kafka.createTopic("ws-errors", 1);
        TestClients.Socket ws = TestClients.Socket.open(gateway, "/ws");
        ws.send("{not json");
        assertThat(ws.next("error", WAIT).get("code").asText()).isEqualTo("bad_json");
        ws.send("{\"type\":\"produce\",\"topic\":\"" + topic + "\",\"value\":\"x\"}");
        assertThat(ws.next("error", WAIT).get("code").asText()).isEqualTo("missing_id");
        ws.send(msg("explode", "e1"));
        JsonNode unknown = ws.next("error", WAIT);
        assertThat(unknown.get("code").asText()).isEqualTo("unknown_type");
        assertThat(unknown.get("id").asText()).isEqualTo("e1");
        ws.send(msg("produce", "e2").put("topic", "no-such-topic-ws").put("value", "x"));
        JsonNode missing = ws.next("error", WAIT);
        assertThat(missing.get("code").asText()).isEqualTo("unknown_topic");
        assertThat(missing.get("id").asText()).isEqualTo("e2");
        ws.send(msg("subscribe", "e3").put("topic", "no-such-topic-ws"));
        assertThat(ws.next("error", WAIT).get("code").asText()).isIn("unknown_topic", "hub_unavailable");
        ws.send(msg("subscribe", "e4").put("topic", topic).put("mode", "group"));
        assertThat(ws.next("error", WAIT).get("code").asText()).isEqualTo("missing_group");
        ws.send(msg("subscribe", "e5").put("topic", topic).put("start", "yesterday"));
        assertThat(ws.next("error", WAIT).get("code").asText()).isEqualTo("bad_start");
        ws.send(msg("ack", "nobody").put("partition", 0).put("offset", 1));
        assertThat(ws.next("error", WAIT).get("code").asText()).isEqualTo("unknown_subscription");
        ws.send(msg("produce", "e6").put("topic", topic).put("value", "x".repeat(1_100_000)));
        assertThat(ws.next("error", WAIT).get("code").asText()).isEqualTo("record_too_large");
        ws.sendBinary(new byte[] {1, 2, 3});
        assertThat(ws.next("error", WAIT).get("code").asText()).isEqualTo("binary_frame");

        ws.send(msg("produce", "ok").put("topic", topic).put("value", "still serving"));
        assertThat(ws.next("produced", WAIT).get("id").asText()).isEqualTo("ok");
        ws.close();
    }

    @Test
    void anUpgradeWithoutAKeyIs400() throws Exception {
        try (java.net.Socket raw = new java.net.Socket("127.0.0.1", gateway.endpoint("http").port())) {
            raw.setSoTimeout(30_000);
            raw.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String reply = new String(raw.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(reply).startsWith("HTTP/1.1 400").contains("\"error\":\"bad_request\"").contains("missing key");
        }
    }

    @Test
    void aMessageLargerThanTheFrameLimitClosesWith1009() {
        TestClients.Socket ws = TestClients.Socket.open(gateway, "/ws");
        ws.socket.sendText("{\"type\":\"produce\",\"value\":\"" + "x".repeat(3 * 1024 * 1024) + "\"}", true);
        assertThat(ws.closed.join()).isEqualTo(1009);
    }

    @Test
    void groupModeDeliversEveryFieldCommitsOnlyWhatWasAckedAndRedeliversTheRest() {
        String topic = kafka.createTopic("ws-group", 1);
        for (int i = 0; i < 10; i++) {
            kafka.send(new ProducerRecord<>(topic, null, 1_700_000_000_000L + i, TestKafka.bytes("key-" + i),
                    i == 3 ? new byte[] {(byte) 0xfe, 0} : TestKafka.bytes("value-" + i),
                    List.of(new RecordHeader("n", TestKafka.bytes(String.valueOf(i))))));
        }
        TestClients.Socket first = TestClients.Socket.open(gateway, "/ws");
        first.send(msg("subscribe", "s").put("topic", topic).put("mode", "group").put("group", "ws-g1")
                .put("start", "earliest"));
        assertThat(first.next("subscribed", WAIT).get("mode").asText()).isEqualTo("group");
        List<JsonNode> got = records(first, 10);
        for (int i = 0; i < 10; i++) {
            JsonNode r = got.get(i);
            assertThat(r.get("topic").asText()).isEqualTo(topic);
            assertThat(r.get("partition").asInt()).isZero();
            assertThat(r.get("offset").asLong()).isEqualTo(i);
            assertThat(r.get("timestamp").asLong()).isEqualTo(1_700_000_000_000L + i);
            assertThat(r.get("key").asText()).isEqualTo("key-" + i);
            assertThat(r.get("headers").get(0).get("name").asText()).isEqualTo("n");
            assertThat(r.get("headers").get(0).get("value").asText()).isEqualTo(String.valueOf(i));
        }
        assertThat(got.get(3).get("valueEncoding").asText()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(got.get(3).get("value").asText())).containsExactly(0xfe, 0);
        assertThat(got.get(4).get("value").asText()).isEqualTo("value-4");

        first.send(msg("ack", "s").put("partition", 0).put("offset", 4));
        JsonNode committed = first.next("committed", WAIT);
        assertThat(committed.get("offset").asLong()).isEqualTo(5);
        assertThat(kafka.committedOffset("ws-g1", topic, 0)).isEqualTo(5);
        first.close();

        // a new member of the group gets exactly what was delivered but never acknowledged
        TestClients.Socket second = TestClients.Socket.open(gateway, "/ws");
        second.send(msg("subscribe", "s2").put("topic", topic).put("mode", "group").put("group", "ws-g1"));
        // if the first member's LeaveGroup has not reached the coordinator when the second joins, the
        // rebalance waits for the first one's session to expire (45 s by default): Kafka's timing, not Wharf's
        List<JsonNode> again = records(second, 5, Duration.ofSeconds(90));
        assertThat(again.stream().map(r -> r.get("offset").asLong())).containsExactly(5L, 6L, 7L, 8L, 9L);
        second.close();
    }

    @Test
    void theWindowBoundsUnacknowledgedRecordsAndPauseStopsDelivery() {
        String topic = kafka.createTopic("ws-window", 1);
        for (int i = 0; i < 6; i++) {
            kafka.send(topic, "k", "v" + i);
        }
        TestClients.Socket ws = TestClients.Socket.open(gateway, "/ws");
        ws.send(msg("subscribe", "w").put("topic", topic).put("mode", "group").put("group", "ws-window")
                .put("start", "earliest").put("window", 2));
        assertThat(records(ws, 2).stream().map(r -> r.get("offset").asLong())).containsExactly(0L, 1L);
        ws.send(msg("pause", "w"));
        ws.next("paused", WAIT);
        ws.send(msg("ack", "w").put("partition", 0).put("offset", 1));
        ws.next("committed", WAIT);
        // paused: the acknowledgement freed the window, yet nothing is delivered until resume
        ws.send(msg("produce", "marker").put("topic", topic).put("value", "m"));
        assertThat(ws.next(WAIT).get("type").asText()).isEqualTo("produced");
        ws.send(msg("resume", "w"));
        List<JsonNode> after = records(ws, 2);
        assertThat(after.stream().map(r -> r.get("offset").asLong())).containsExactly(2L, 3L);
        ws.send(msg("unsubscribe", "w"));
        ws.next("unsubscribed", WAIT);
        ws.close();
    }

    @Test
    void aStalledGroupClientDoesNotSlowAnotherAndItsBufferStaysBounded() throws Exception {
        String topic = kafka.createTopic("ws-stall", 1);
        TestClients.Socket stalled = new TestClients.Socket(false);
        stalled.connect(gateway, "/ws");
        stalled.send(msg("subscribe", "s").put("topic", topic).put("mode", "group").put("group", "stall-a")
                .put("window", 100_000).put("start", "earliest"));
        stalled.next("subscribed", WAIT);
        TestClients.Socket healthy = TestClients.Socket.open(gateway, "/ws");
        healthy.send(msg("subscribe", "s").put("topic", topic).put("mode", "group").put("group", "stall-b")
                .put("window", 100_000).put("start", "earliest"));
        healthy.next("subscribed", WAIT);
        healthy.next("assigned", WAIT);
        String value = "x".repeat(1000);
        int total = 20_000;
        try (var producer = kafka.producer()) {
            for (int i = 0; i < total; i++) {
                producer.send(new ProducerRecord<>(topic, TestKafka.bytes("k"), TestKafka.bytes(value + i)));
            }
        }
        // the healthy client receives all 20 MB while the stalled one reads nothing
        int received = 0;
        long last = -1;
        while (received < total) {
            for (JsonNode r : records(healthy, 1)) {
                assertThat(r.get("offset").asLong()).isEqualTo(last + 1);
                last = r.get("offset").asLong();
                received++;
            }
        }
        assertThat(received).isEqualTo(total);
        double maxPending = gateway.context().metrics().registry().get("wharf.http.outbound.pending.bytes.max").gauge().value();
        // the bound is the outbound buffer plus at most one batch written while still writable
        assertThat(maxPending).isLessThan(256 * 1024 + 300 * 1024);
        stalled.socket.abort();
        healthy.close();
    }

    /** Collects records from "records" frames until at least n arrived. */
    static List<JsonNode> records(TestClients.Socket ws, int n) {
        return records(ws, n, WAIT);
    }

    static List<JsonNode> records(TestClients.Socket ws, int n, Duration wait) {
        List<JsonNode> out = new ArrayList<>();
        while (out.size() < n) {
            JsonNode m = ws.next("records", wait);
            m.get("records").forEach(out::add);
        }
        return out;
    }
}
