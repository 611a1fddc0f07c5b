package io.wharf.relay;

import static io.wharf.relay.Routes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.wharf.relay.config.RelaySettings;
import io.wharf.relay.config.WebhookRouteSettings;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two instances share a route through the consumer group; partitions move between them without loss or repeats. */
@ExtendWith(SharedKafka.class)
class RebalanceTest {
    @Test
    void twoInstancesShareARouteAndHandPartitionsOverCleanly(TestKafka kafka) throws Exception {
        String source = kafka.createTopic("rebalance", 4);
        String dlt = kafka.createTopic("rebalance-dlt", 1);
        try (LedgerEndpoint endpoint = LedgerEndpoint.start()) {
            LedgerEndpoint.Ledger ledger = endpoint.ledger("/rebalance");
            ledger.script = r -> LedgerEndpoint.Plan.okAfter(ThreadLocalRandom.current().nextInt(5, 40));
            int keys = 60;
            int[] seq = new int[keys];
            // events keep coming (about 1,000/s) for the whole test: every hand-over happens mid-stream
            AtomicBoolean producing = new AtomicBoolean(true);
            AtomicInteger produced = new AtomicInteger();
            Thread producer = new Thread(() -> produce(kafka, source, seq, producing, produced), "rebalance-producer");
            producer.start();
            TestGateway a = start(kafka, "reb-a", source, dlt, endpoint);
            TestGateway b = null;
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> ledger.effects().size() >= 300);
                b = start(kafka, "reb-b", source, dlt, endpoint);
                await().atMost(Duration.ofSeconds(60)).until(() -> served(ledger, "b") >= 300);
                assertThat(served(ledger, "a")).isPositive();
                int servedByBBeforeALeft = served(ledger, "b");
                a.close();
                int servedByAAtClose = served(ledger, "a");
                await().atMost(Duration.ofSeconds(60)).until(() -> served(ledger, "b") >= servedByBBeforeALeft + 500);
                producing.set(false);
                producer.join();
                int total = produced.get();
                await().atMost(Duration.ofSeconds(90)).until(() -> ledger.effects().size() >= total);
                b.close();
                assertThat(served(ledger, "a")).as("nothing reaches the endpoint from the closed instance")
                        .isEqualTo(servedByAAtClose);
                assertThat(ledger.effects()).as("each event applied once").hasSize(total);
                assertThat(ledger.requests()).as("a clean hand-over sends nothing twice").hasSize(total);
            } finally {
                producing.set(false);
                a.close();
                if (b != null) {
                    b.close();
                }
            }

            assertThat(ledger.requests().stream().filter(r -> "b".equals(r.header("X-Instance")))
                    .map(r -> r.header("Wharf-Partition")).distinct()).as("B ends up with every partition")
                    .containsExactlyInAnyOrder("0", "1", "2", "3");
            Map<String, List<Integer>> byKey = new HashMap<>();
            for (LedgerEndpoint.Request r : ledger.effects()) {
                byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(Integer.parseInt(r.text()));
            }
            assertThat(byKey).hasSize(keys);
            for (List<Integer> seqs : byKey.values()) {
                for (int i = 0; i < seqs.size(); i++) {
                    assertThat(seqs.get(i)).as("per-key order").isEqualTo(i);
                }
            }
            assertThat(ledger.keyOverlaps.get()).isZero();
        }
    }

    private static int served(LedgerEndpoint.Ledger ledger, String instance) {
        return (int) ledger.requests().stream().filter(r -> instance.equals(r.header("X-Instance"))).count();
    }

    private static TestGateway start(TestKafka kafka, String instance, String source, String dlt, LedgerEndpoint endpoint) {
        WebhookRouteSettings r = route("shared", source, endpoint.url("/rebalance"), dlt).with("maxInFlight", 100)
                .with("headers", Map.of("X-Instance", instance.substring(instance.length() - 1)))
                .with("commitInterval", Duration.ofMillis(200)).build();
        return TestGateway.builder().kafka(kafka).with(RelaySettings.class, new RelaySettings(instance, List.of(r), null))
                .start();
    }

    private static void produce(TestKafka kafka, String topic, int[] seq, AtomicBoolean go, AtomicInteger produced) {
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            for (int i = 0; go.get(); i++) {
                int k = i % seq.length;
                producer.send(new ProducerRecord<>(topic, ("key-" + k).getBytes(StandardCharsets.UTF_8),
                        Integer.toString(seq[k]++).getBytes(StandardCharsets.UTF_8)));
                produced.incrementAndGet();
                if (i % 50 == 49) {
                    Thread.sleep(50);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
