package io.wharf.http;

import static io.wharf.http.TestClients.get;
import static io.wharf.http.TestClients.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Long polls return what Kafka holds up to {@code max}, even on a cold topic; {@code wait} takes a unit. */
class LongPollTest {
    private static final TestKafka KAFKA = SharedKafka.get();
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        gateway = TestGateway.builder().kafka(KAFKA).start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static String coldTopicWithOneRecordPerPartition(String prefix) {
        String topic = KAFKA.createTopic(prefix, 3);
        for (int p = 0; p < 3; p++) {
            KAFKA.send(new ProducerRecord<>(topic, p, TestKafka.bytes("k" + p), TestKafka.bytes("v" + p)));
        }
        return topic;
    }

    @Test
    void theFirstPollOfAColdTopicReturnsEveryRecordOfEveryPartition() {
        String topic = coldTopicWithOneRecordPerPartition("poll-cold");
        JsonNode reply = json(get(gateway, "/topics/" + topic + "?start=earliest&max=10&wait=20s"));
        List<String> values = new ArrayList<>();
        reply.get("records").forEach(r -> values.add(r.get("value").asText()));
        assertThat(values).containsExactlyInAnyOrder("v0", "v1", "v2");
        // the next poll continues after all three: nothing is left
        JsonNode next = json(get(gateway, "/topics/" + topic + "?token=" + reply.get("next").asText() + "&wait=200ms"));
        assertThat(next.get("records")).isEmpty();
    }

    @Test
    void aPollStopsAtMax() {
        String topic = coldTopicWithOneRecordPerPartition("poll-max");
        JsonNode reply = json(get(gateway, "/topics/" + topic + "?start=earliest&max=2&wait=20s"));
        assertThat(reply.get("records")).hasSize(2);
        JsonNode rest = json(get(gateway, "/topics/" + topic + "?token=" + reply.get("next").asText() + "&max=10&wait=20s"));
        assertThat(rest.get("records")).hasSize(1);
    }

    @Test
    void waitTakesAUnitAndABareNumberIsMilliseconds() {
        String topic = KAFKA.createTopic("poll-wait", 1);
        long start = System.nanoTime();
        var bare = get(gateway, "/topics/" + topic + "?wait=5");
        assertThat(bare.statusCode()).isEqualTo(200);
        assertThat(json(bare).get("records")).isEmpty();
        assertThat(get(gateway, "/topics/" + topic + "?wait=300ms").statusCode()).isEqualTo(200);
        assertThat(get(gateway, "/topics/" + topic + "?wait=1s").statusCode()).isEqualTo(200);
        // 5 ms + 300 ms + 1 s; a bare 5 read as seconds would alone take 5 s
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(4_500);
        var bad = get(gateway, "/topics/" + topic + "?wait=5x");
        HttpApiTest.assertError(bad, 400, "bad_wait");
        assertThat(json(bad).get("message").asText()).contains("bare number is milliseconds");
    }
}
