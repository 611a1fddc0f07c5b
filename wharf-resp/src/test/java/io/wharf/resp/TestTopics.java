package io.wharf.resp;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.wharf.testkit.TestKafka;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * Topics for these tests, ready to be written: created, then waited on until the leader of every
 * partition answers. Producing into a partition whose leader is not yet in place sends the
 * idempotent producer into long retries, which would make tests slow and flaky, not wrong.
 */
final class TestTopics {
    private TestTopics() {
    }

    static String create(TestKafka kafka, String prefix, int partitions) {
        return create(kafka, prefix, partitions, Map.of());
    }

    static String create(TestKafka kafka, String prefix, int partitions, Map<String, String> configs) {
        String topic = kafka.createTopic(prefix, partitions, configs);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                kafka.admin().listOffsets(latest).all().get(5, TimeUnit.SECONDS);
                return topic;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + topic + " has no answering leader after 30 s", e);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ie);
                }
            }
        }
    }
}
