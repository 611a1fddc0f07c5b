package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.wharf.core.config.KafkaSettings;
import io.wharf.kafka.embedded.EmbeddedKafka;
import io.wharf.kafka.embedded.EmbeddedKafkaSettings;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When Kafka stops answering, produce fails with 503 kafka_unavailable and readiness says why; the door keeps serving. */
class KafkaUnavailableTest {
    @Test
    void produceIs503AndReadinessFailsWhileKafkaIsDown(@TempDir Path dir) {
        EmbeddedKafka broker = EmbeddedKafka.start(EmbeddedKafkaSettings.forTests(dir.resolve("kafka")));
        boolean[] stopped = {false};
        KafkaSettings quick = new KafkaSettings(null,
                Map.of("delivery.timeout.ms", "3000", "request.timeout.ms", "1000", "linger.ms", "0",
                        "max.block.ms", "2000"),
                null, Duration.ofSeconds(30), Duration.ofSeconds(2));
        try (TestKafka kafka = new TestKafka(broker.bootstrapServers());
             TestGateway gateway = TestGateway.builder().kafka(kafka).kafkaSettings(quick).start()) {
            String topic = kafka.createTopic("down", 1);
            assertThat(TestClients.post(gateway, "/topics/" + topic, "text/plain", "before").statusCode()).isEqualTo(200);

            broker.close();
            stopped[0] = true;

            HttpApiTest.assertError(TestClients.post(gateway, "/topics/" + topic, "text/plain", "during"), 503,
                    "kafka_unavailable");
            HttpApiTest.assertError(TestClients.get(gateway, "/topics"), 503, "kafka_unavailable");
            var ready = TestClients.get(gateway, "/readyz");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(TestClients.json(ready).get("ready").asBoolean()).isFalse();
            assertThat(TestClients.get(gateway, "/healthz").statusCode()).isEqualTo(200);
        } finally {
            if (!stopped[0]) {
                broker.close();
            }
        }
    }
}
