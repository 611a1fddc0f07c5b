package io.wharf.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One connection's produced records reach Kafka in the order it sent them, also behind a topic lookup. */
@ExtendWith(SharedKafka.class)
class RespProduceOrderTest {
    @RegisterExtension
    static final RespTestGateway gateway = RespTestGateway.perClass();
    private static final TestKafka kafka = SharedKafka.get();

    @Test
    void aFirstSendToAJustCreatedTopicAndTheManyPipelinedAfterItArriveInOrder() throws Exception {
        // created behind the gateway's back and without the test kit's wait: the first RPUSHX looks it up
        String topic = "resp-cold-" + System.nanoTime();
        kafka.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        int count = 3_000;
        try (RawRespClient c = gateway.raw()) {
            for (int i = 0; i < count; i++) {
                // RPUSHX and RPUSH interleaved: both go through the same ordered write path
                c.send(i % 10 == 9 ? "RPUSH" : "RPUSHX", "topics:" + topic, "v" + i);
            }
            for (int i = 0; i < count; i++) {
                assertThat(c.read()).isEqualTo(1L);
            }
            assertThat(c.call("DUMP", "10000")).isEqualTo(0L);
        }
        List<ConsumerRecord<byte[], byte[]>> read = kafka.readAll(topic, count, Duration.ofSeconds(30));
        assertThat(read).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(TestKafka.text(read.get(i).value())).isEqualTo("v" + i);
        }
    }

    @Test
    void sendsToAMissingTopicDoNotHoldBackAnotherConnectionsSends() throws Exception {
        String topic = kafka.createTopic("resp-beside-missing", 1);
        try (RawRespClient missing = gateway.raw(); RawRespClient existing = gateway.raw()) {
            assertThat(existing.call("RPUSH", "topics:" + topic, "warm")).isEqualTo(1L);
            // the lookup of a missing topic asks twice, half a second apart, before it answers
            missing.send("RPUSH", "topics:missing-" + System.nanoTime(), "lost");
            long start = System.nanoTime();
            assertThat(existing.call("RPUSH", "topics:" + topic, "meanwhile")).isEqualTo(1L);
            long existingMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            Object refused = missing.read();
            long missingMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(refused.toString()).contains("does not exist");
            assertThat(existingMillis).as("the existing topic's send, ms").isLessThan(missingMillis);
        }
    }
}
