package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.core.config.AuthSettings;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kafka-proxy compatibility with kafka-proxy's own kind of client: a Node program using the npm
 * {@code ws} package, behaving like its samples/consumer.js, against a gateway with a shared secret.
 */
class KafkaProxyCompatTest {
    private static final String SECRET = "s3cret-proxy";
    private static TestKafka kafka;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        kafka = SharedKafka.get();
        gateway = TestGateway.builder().kafka(kafka).auth(new AuthSettings(SECRET, null, null)).start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void sampleConsumerReceivesEveryRecordExactlyOnceAcrossAReconnectIncludingOffsetZeroNullsAndAnOversizedRecord()
            throws Exception {
        String topic = kafka.createTopic("proxy-compat", 1, Map.of("max.message.bytes", String.valueOf(4 * 1024 * 1024)));
        int total = 40;
        String big = "B".repeat(1_500_000); // larger than the consumer's 1 MiB fetch size and the outbound bound
        List<String> values = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = bigProducer()) {
            for (int i = 0; i < total; i++) {
                String v = i == 7 ? null : i == 23 ? big : "message-" + i;
                values.add(v);
                producer.send(new ProducerRecord<>(topic, TestKafka.bytes("k" + i), TestKafka.bytes(v))).get();
            }
        }

        NodeWs.Result result = NodeWs.script("kafka-proxy-consumer.js", 120, "ws://127.0.0.1:" + port(), topic,
                "sample-group", String.valueOf(total), "15", SECRET);

        assertThat(result.exit()).as(result.output()).isZero();
        JsonNode out = TestClients.JSON.readTree(result.lastLine());
        assertThat(out.get("connections").asInt()).isEqualTo(2);
        JsonNode processed = out.get("processed");
        assertThat(processed).hasSize(total);
        for (int i = 0; i < total; i++) {
            assertThat(processed.get(i).get("offset").asLong()).isEqualTo(i);
            if (values.get(i) == null) {
                assertThat(processed.get(i).get("message").isNull()).isTrue();
            } else {
                assertThat(processed.get(i).get("message").asText()).isEqualTo(values.get(i));
            }
        }
        // compatibility mode commits what was sent: the group ends at the end of the partition
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> kafka.committedOffset("sample-group", topic, 0) == total);
    }

    @Test
    void offsetZeroIsARealOffsetEvenWhenTheGroupHasCommittedFurther() throws Exception {
        String topic = kafka.createTopic("proxy-zero", 1);
        for (int i = 0; i < 5; i++) {
            kafka.send(topic, "k", "m" + i);
        }
        kafka.admin().alterConsumerGroupOffsets("zero-group", Map.of(new org.apache.kafka.common.TopicPartition(topic, 0),
                new org.apache.kafka.clients.consumer.OffsetAndMetadata(5))).all().get();
        TestClients.Socket ws = TestClients.Socket.open(gateway, "/?topic=" + topic + "&consumerGroup=zero-group&offset=0",
                "Authorization", "basic " + SECRET);
        List<JsonNode> got = new ArrayList<>();
        while (got.size() < 5) {
            ws.next(Duration.ofSeconds(30)).forEach(got::add);
        }
        assertThat(got.stream().map(m -> m.get("offset").asLong())).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(got.get(0).get("message").asText()).isEqualTo("m0");
        ws.close();
    }

    @Test
    void withoutTheSecretTheUpgradeIs401AndNothingIsStreamed() throws Exception {
        String topic = kafka.createTopic("proxy-auth", 1);
        String[] none = RawHttp.upgrade(gateway, "/?topic=" + topic);
        assertThat(none[0]).isEqualTo("401");
        assertThat(none[1]).contains("\"error\":\"unauthorized\"");
        String[] wrong = RawHttp.upgrade(gateway, "/?topic=" + topic, "Authorization: basic wrong");
        assertThat(wrong[0]).isEqualTo("401");
        assertThat(wrong[1]).doesNotContain("wrong");
        NodeWs.Result node = NodeWs.script("kafka-proxy-consumer.js", 60, "ws://127.0.0.1:" + port(), topic, "g", "1", "1");
        assertThat(node.exit()).isEqualTo(3);
        assertThat(node.lastLine()).isEqualTo("{\"status\":401}");
    }

    @Test
    void badOffsetPartitionAndTopicAreRefusedBeforeTheUpgrade() throws Exception {
        String topic = kafka.createTopic("proxy-bad", 2);
        kafka.send(topic, "k", "v");
        String auth = "Authorization: Basic " + SECRET;
        assertUpgradeError(RawHttp.upgrade(gateway, "/?topic=" + topic + "&offset=abc", auth), "400", "bad_offset");
        assertUpgradeError(RawHttp.upgrade(gateway, "/?topic=" + topic + "&offset=-1", auth), "400", "bad_offset");
        assertUpgradeError(RawHttp.upgrade(gateway, "/?topic=" + topic + "&offset=99&partition=0", auth), "400",
                "offset_out_of_range");
        assertUpgradeError(RawHttp.upgrade(gateway, "/?topic=" + topic + "&partition=2", auth), "400", "bad_partition");
        assertUpgradeError(RawHttp.upgrade(gateway, "/?topic=missing-topic-xyz", auth), "404", "unknown_topic");
        assertUpgradeError(RawHttp.upgrade(gateway, "/", auth), "400", "missing_topic");
        // the raw secret is kafka-proxy's form, accepted on its path only; elsewhere basic means base64(user:password)
        assertUpgradeError(RawHttp.upgrade(gateway, "/elsewhere", auth), "401", "unauthorized");
        String basic = "Authorization: Basic " + java.util.Base64.getEncoder().encodeToString(
                ("default:" + SECRET).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertUpgradeError(RawHttp.upgrade(gateway, "/elsewhere", basic), "404", "not_found");
    }

    private static void assertUpgradeError(String[] response, String status, String code) throws Exception {
        assertThat(response[0]).as(response[1]).isEqualTo(status);
        assertThat(TestClients.JSON.readTree(response[1]).get("error").asText()).isEqualTo(code);
    }

    private static int port() {
        return gateway.endpoint("http").port();
    }

    private static KafkaProducer<byte[], byte[]> bigProducer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(4 * 1024 * 1024));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        Map<String, Object> m = new HashMap<>();
        p.forEach((k, v) -> m.put((String) k, v));
        return new KafkaProducer<>(m);
    }
}
