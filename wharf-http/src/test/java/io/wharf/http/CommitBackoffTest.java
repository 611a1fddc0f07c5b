package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import io.wharf.core.kafka.RetryBackoff;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A kafka-proxy socket whose commits keep failing retries them with a growing delay and logs the
 * failure a bounded number of times, instead of retrying in a tight loop (which logged 32,042
 * warnings in 5 s while the broker was down).
 */
class CommitBackoffTest {
    private static final TestKafka KAFKA = SharedKafka.get();

    @Test
    void theDelayDoublesFrom100msTo5sAndASuccessResetsIt() {
        RetryBackoff b = new RetryBackoff(KafkaProxySocket.COMMIT_RETRY_FIRST, KafkaProxySocket.COMMIT_RETRY_MAX);
        List<Long> delays = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            delays.add(b.failed().toMillis());
        }
        assertThat(delays).containsExactly(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L, 5000L, 5000L);
        for (int i = 0; i < 100; i++) {
            b.failed();
        }
        assertThat(b.failed().toMillis()).isEqualTo(5000L);
        b.succeeded();
        assertThat(b.failed().toMillis()).isEqualTo(100L);
    }

    @Test
    void commitsThatKeepFailingAreRetriedWithBackoffAndLoggedRarely() throws Exception {
        String topic = KAFKA.createTopic("backoff", 1);
        String group = "backoff-" + System.nanoTime();
        for (int i = 0; i < 5; i++) {
            KAFKA.send(topic, "k" + i, "v" + i);
        }
        try (TestGateway gateway = TestGateway.builder().kafka(KAFKA).start();
             KafkaConsumer<byte[], byte[]> member = KAFKA.consumer(group);
             LogCapture log = new LogCapture()) {
            // a live member of the group: Kafka refuses the kafka-proxy socket's commits (it is not a member)
            member.subscribe(List.of(topic));
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                member.poll(Duration.ofMillis(100));
                return !member.assignment().isEmpty();
            });
            TestClients.Socket socket = TestClients.Socket.open(gateway, "/?topic=" + topic + "&consumerGroup=" + group
                    + "&offset=0");
            try {
                assertThat(socket.next(Duration.ofSeconds(30)).isArray()).isTrue();
                var failures = gateway.context().metrics().registry().get("wharf.http.commit.failures").counter();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> failures.count() >= 1);
                Thread.sleep(3_000);
                // 100 + 200 + 400 + 800 + 1600 ms: about 5 attempts in 3 s; a tight loop makes thousands
                assertThat(failures.count()).as("commit attempts in 3 s").isBetween(2.0, 10.0);
            } finally {
                socket.close();
            }
            // (the capture sees each line twice, through the root and the io.wharf logger: distinct lines)
            long warnings = log.text().lines().filter(l -> l.contains("event=commit-failed")).distinct().count();
            // one warning per 10 s for the whole door (none if another socket warned just before)
            assertThat(warnings).as(log.text()).isLessThanOrEqualTo(1);
            member.poll(Duration.ofMillis(10)); // still a member (keeps the heartbeat honest until the end)
        }
    }
}
