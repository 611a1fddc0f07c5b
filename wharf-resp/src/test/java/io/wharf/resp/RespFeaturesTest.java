package io.wharf.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.micrometer.core.instrument.MeterRegistry;
import io.wharf.resp.RawRespClient.Err;
import io.wharf.resp.RawRespClient.Simple;
import io.wharf.resp.config.RespSettings;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What Wharf adds to Rafka: decimal and zero timeouts, batch and full-form consume, individual acks, synchronous produce, visible produce failures, MONITOR, KEYS, metrics, backpressure, shutdown. */
@ExtendWith(SharedKafka.class)
class RespFeaturesTest {
    @RegisterExtension
    static final RespTestGateway gateway = RespTestGateway.perClass(g -> g.update(RespSettings.class,
            r -> r.withMaxUnackedRecords(5).withMaxPendingProduceBytes(64 * 1024, 256 * 1024)));
    private static final TestKafka kafka = SharedKafka.get();

    private static RawRespClient consumer(String prefix) {
        RawRespClient c = gateway.raw();
        assertThat(c.call("CLIENT", "SETNAME", prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + ":c"))
                .isEqualTo(new Simple("OK"));
        return c;
    }

    @Test
    void decimalTimeoutsExpireAndZeroWaitsForARecord() {
        String topic = kafka.createTopic("timeouts", 1);
        try (RawRespClient c = consumer("timeouts"); RawRespClient prod = gateway.raw()) {
            assertThat(c.call("BLPOP", "topics:" + topic, "0.3")).isSameAs(RawRespClient.NIL);
            assertThat(c.call("BLPOP", "topics:" + topic, ".05")).isSameAs(RawRespClient.NIL);
            c.send("BLPOP", "topics:" + topic, "0");
            assertThat(prod.call("RPUSH", "topics:" + topic, "worth the wait")).isEqualTo(1L);
            assertThat(RawRespClient.list(c.read())).containsSequence("value", "worth the wait");
        }
    }

    @Test
    void pipelinedPopsGetSuccessiveRecordsInOrder() {
        String topic = kafka.createTopic("pipelined", 1);
        try (RawRespClient c = consumer("pipelined"); RawRespClient prod = gateway.raw()) {
            for (int i = 0; i < 3; i++) {
                c.send("BLPOP", "topics:" + topic, "0");
            }
            c.send("PING");
            assertThat(prod.call("RPUSH", "topics:" + topic, "a", "b", "c")).isEqualTo(3L);
            for (String expected : List.of("a", "b", "c")) {
                assertThat(RawRespClient.list(c.read())).containsSequence("value", expected);
            }
            assertThat(c.read()).isEqualTo(new Simple("PONG"));
        }
    }

    @Test
    void theFullFormCarriesKeyTimestampAndHeadersInResp2AndResp3() {
        String topic = kafka.createTopic("full", 1);
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, 0, 1_700_000_000_000L,
                "the-key".getBytes(StandardCharsets.UTF_8), "the-value".getBytes(StandardCharsets.UTF_8),
                List.of(new RecordHeader("trace", "t1".getBytes(StandardCharsets.UTF_8)),
                        new RecordHeader("trace", "t2".getBytes(StandardCharsets.UTF_8))));
        kafka.send(record);
        kafka.send(new ProducerRecord<>(topic, 0, null, null));
        String key = "topics:" + topic + ":{\"wharf.message.format\":\"full\"}";
        try (RawRespClient c = consumer("full")) {
            List<Object> resp2 = RawRespClient.list(c.call("BLPOP", key, "10"));
            assertThat(resp2).containsExactly("topic", topic, "partition", 0L, "offset", 0L, "value", "the-value",
                    "key", "the-key", "timestamp", 1_700_000_000_000L, "headers", List.of("trace", "t1", "trace", "t2"));
            c.call("HELLO", "3");
            Map<Object, Object> resp3 = RawRespClient.map(c.call("BLPOP", key, "10"));
            assertThat(resp3).containsEntry("offset", 1L).containsEntry("value", RawRespClient.NIL)
                    .containsEntry("key", RawRespClient.NIL).containsEntry("headers", List.of());
        }
    }

    @Test
    void batchConsumeRepliesWithTheKeyAndUpToCountRecords() {
        String topic = kafka.createTopic("blmpop", 1);
        try (RawRespClient c = consumer("blmpop"); RawRespClient prod = gateway.raw()) {
            assertThat(prod.call("RPUSH", "topics:" + topic, "1", "2", "3", "4", "5")).isEqualTo(5L);
            List<Object> values = new ArrayList<>();
            while (values.size() < 5) {
                List<Object> reply = RawRespClient.list(c.call("BLMPOP", "5", "1", "topics:" + topic, "LEFT", "COUNT", "3"));
                assertThat(reply.get(0)).isEqualTo("topics:" + topic);
                List<Object> batch = RawRespClient.list(reply.get(1));
                assertThat(batch).hasSizeBetween(1, 3);
                batch.forEach(m -> values.add(RawRespClient.list(m).get(7)));
            }
            assertThat(values).containsExactly("1", "2", "3", "4", "5");
            assertThat(c.call("BLMPOP", "0.2", "1", "topics:" + topic, "LEFT")).isSameAs(RawRespClient.NIL);
            // RESP3: each record is a map; a null value is RESP3's null
            kafka.send(new ProducerRecord<>(topic, 0, null, null));
            c.call("HELLO", "3");
            List<Object> reply = RawRespClient.list(c.call("BLMPOP", "5", "1", "topics:" + topic, "LEFT", "COUNT", "3"));
            Map<Object, Object> last = RawRespClient.map(RawRespClient.list(reply.get(1)).get(0));
            assertThat(last).containsEntry("topic", topic).containsEntry("partition", 0L).containsEntry("offset", 5L)
                    .containsEntry("value", RawRespClient.NIL);
        }
    }

    @Test
    void individualAcksCommitOnlyTheContiguousAcknowledgedPrefix() {
        String topic = kafka.createTopic("individual", 1);
        String name = "individual-" + UUID.randomUUID().toString().substring(0, 8);
        String key = "topics:" + topic + ":{\"wharf.ack.mode\":\"individual\",\"enable.auto.commit\":false}";
        try (RawRespClient c = gateway.raw(); RawRespClient prod = gateway.raw()) {
            c.call("CLIENT", "SETNAME", name + ":c");
            assertThat(prod.call("RPUSH", "topics:" + topic, "r0", "r1", "r2", "r3", "r4", "r5")).isEqualTo(6L);
            int got = 0;
            while (got < 5) {
                List<Object> reply = RawRespClient.list(c.call("BLMPOP", "5", "1", key, "LEFT", "COUNT", "5"));
                got += RawRespClient.list(reply.get(1)).size();
            }
            // five delivered and unacknowledged: resp.max-unacked-records is 5 here
            assertThat(c.call("BLPOP", key, "1")).isEqualTo(new Err("CONS Too many unacknowledged records (5, "
                    + "resp.max-unacked-records); ack some before consuming more"));
            assertThat(c.call("RPUSH", "acks", topic + ":0:1", topic + ":0:2", topic + ":0:4")).isEqualTo(3L);
            assertThat(kafka.committedOffset(name, topic, 0)).isEqualTo(0);
            assertThat(c.call("RPUSH", "acks", topic + ":0:0")).isEqualTo(1L);
            assertThat(kafka.committedOffset(name, topic, 0)).isEqualTo(3);
            assertThat(c.call("RPUSH", "acks", topic + ":0:3")).isEqualTo(1L);
            assertThat(kafka.committedOffset(name, topic, 0)).isEqualTo(5);
            assertThat(RawRespClient.list(c.call("BLPOP", key, "5"))).containsSequence("value", "r5");
        }
    }

    @Test
    void synchronousProduceRepliesAfterKafkaAcknowledgedOrWithKafkasError() {
        String topic = kafka.createTopic("sync", 2);
        String compacted = kafka.createTopic("compacted", 1, Map.of("cleanup.policy", "compact"));
        try (RawRespClient c = gateway.raw()) {
            assertThat(c.call("RPUSH", "topics:" + topic + ":k", "one", "two", "three")).isEqualTo(3L);
            List<ConsumerRecord<byte[], byte[]>> written = kafka.readAll(topic, 3, Duration.ofSeconds(10));
            assertThat(written).extracting(r -> TestKafka.text(r.value())).containsExactly("one", "two", "three");
            Object refused = c.call("RPUSH", "topics:" + compacted, "no key");
            assertThat(refused).isInstanceOf(Err.class);
            assertThat(((Err) refused).text()).startsWith("PROD ").contains("without key");
            assertThat(c.call("DUMP", "100")).isEqualTo(0L);
        }
    }

    @Test
    void anAsynchronousProduceFailureIsReportedByTheNextDump() {
        String compacted = kafka.createTopic("compacted-async", 1, Map.of("cleanup.policy", "compact"));
        try (RawRespClient c = gateway.raw(); RawRespClient other = gateway.raw()) {
            assertThat(c.call("RPUSHX", "topics:" + compacted, "no key")).isEqualTo(1L);
            Object dump = c.call("DUMP", "10000");
            assertThat(dump).isInstanceOf(Err.class);
            assertThat(((Err) dump).text()).startsWith("PROD 1 record(s) sent on this connection failed since the last"
                    + " DUMP; first error: ").contains("without key");
            assertThat(c.call("RPUSHX", "topics:" + compacted + ":key", "with key")).isEqualTo(1L);
            assertThat(c.call("DUMP", "10000")).isEqualTo(0L);
            // another connection's DUMP does not see this connection's failures
            assertThat(other.call("DUMP", "100")).isEqualTo(0L);
        }
    }

    @Test
    void aConnectionProducingFasterThanKafkaAcknowledgesIsThrottledAndLosesNothing() throws Exception {
        String topic = kafka.createTopic("flood", 1);
        int records = 3000;
        String value = "v".repeat(1024);
        try (RawRespClient c = gateway.raw()) {
            // 3 MB against a 64 KB per-connection bound: the server must stop and restart reading
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < records; i++) {
                    c.writeRaw(RawRespClient.encode("RPUSHX", "topics:" + topic, i + ":" + value));
                }
            });
            for (int i = 0; i < records; i++) {
                assertThat(c.read()).isEqualTo(1L);
            }
            writer.get();
            assertThat(c.call("DUMP", "10000")).isEqualTo(0L);
        }
        List<ConsumerRecord<byte[], byte[]>> written = kafka.readAll(topic, records, Duration.ofSeconds(30));
        assertThat(written).hasSize(records);
        for (int i = 0; i < records; i++) {
            assertThat(TestKafka.text(written.get(i).value())).startsWith(i + ":");
        }
    }

    @Test
    void monitorStreamsOtherConnectionsCommandsWithoutPasswords() {
        try (RawRespClient monitor = gateway.raw(); RawRespClient c = gateway.raw()) {
            assertThat(monitor.call("MONITOR")).isEqualTo(new Simple("OK"));
            c.call("ECHO", "watched \"quoted\"");
            c.call("AUTH", "someone", "secret-password");
            Simple echo = (Simple) monitor.read();
            assertThat(echo.text()).matches("\\d+\\.\\d{6} \\[0 127\\.0\\.0\\.1:\\d+\\] \"ECHO\" \"watched \\\\\"quoted\\\\\"\"");
            Simple auth = (Simple) monitor.read();
            assertThat(auth.text()).endsWith("\"AUTH\" \"(redacted)\" \"(redacted)\"").doesNotContain("secret-password");
        }
    }

    @Test
    void keysListsTopicsAsRafkaDoesOrByGlob() {
        String topic = kafka.createTopic("listed", 1);
        try (RawRespClient c = gateway.raw()) {
            assertThat(RawRespClient.list(c.call("KEYS", "topics:"))).contains("topics:" + topic);
            assertThat(RawRespClient.list(c.call("KEYS", "topics:listed-*"))).contains("topics:" + topic)
                    .allMatch(k -> ((String) k).startsWith("topics:listed-"));
            assertThat(RawRespClient.list(c.call("KEYS", "nothing*"))).isEmpty();
        }
    }

    @Test
    void metricsCountConnectionsCommandsErrorsRecordsAndBlockedClients() {
        String topic = kafka.createTopic("metered", 1);
        MeterRegistry registry = gateway.gateway().context().metrics().registry();
        try (RawRespClient c = consumer("metered"); RawRespClient prod = gateway.raw()) {
            c.send("BLPOP", "topics:" + topic, "0");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(registry.get("wharf.resp.blocked.clients").gauge().value()).isGreaterThanOrEqualTo(1));
            assertThat(prod.call("RPUSH", "topics:" + topic, "counted")).isEqualTo(1L);
            assertThat(RawRespClient.list(c.read())).containsSequence("value", "counted");
            prod.call("NOSUCHCOMMAND");
            assertThat(registry.get("wharf.resp.connections").gauge().value()).isGreaterThanOrEqualTo(2);
            assertThat(registry.get("wharf.resp.commands").tag("command", "blpop").counter().count()).isGreaterThanOrEqualTo(1);
            assertThat(registry.get("wharf.resp.commands").tag("command", "unknown").counter().count()).isGreaterThanOrEqualTo(1);
            assertThat(registry.get("wharf.resp.errors").tag("kind", "ERR").counter().count()).isGreaterThanOrEqualTo(1);
            assertThat(registry.get("wharf.resp.records.produced").counter().count()).isGreaterThanOrEqualTo(1);
            assertThat(registry.get("wharf.resp.records.consumed").counter().count()).isGreaterThanOrEqualTo(1);
            assertThat(registry.get("wharf.resp.consumers").gauge().value()).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void blockedClientsHearServerShutdownWhenTheGatewayStops() {
        String topic = kafka.createTopic("shutdown", 1);
        RespTestGateway own = RespTestGateway.start(kafka);
        try (RawRespClient c = own.raw()) {
            c.call("CLIENT", "SETNAME", "shutdown-" + UUID.randomUUID() + ":c");
            assertThat(c.call("BLPOP", "topics:" + topic, "0.5")).isSameAs(RawRespClient.NIL);
            c.send("BLPOP", "topics:" + topic, "0");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    own.gateway().context().metrics().registry().get("wharf.resp.blocked.clients").gauge().value()).isEqualTo(1));
            own.close();
            assertThat(c.read()).isEqualTo(new Err("CONS Server shutdown"));
        }
    }
}
