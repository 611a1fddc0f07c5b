package io.wharf.kafka.embedded;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * Waits, blocking, until a new topic takes writes: every partition answers a list-offsets request
 * on its leader. Kafka names a new partition's leader before that leader has opened it, and an
 * idempotent producer whose first request falls in that window can stall until its records expire
 * (KAFKA-15591); tests and benchmarks that produce right after creating a topic wait here first.
 */
public final class TopicWritability {
    private TopicWritability() {
    }

    /**
     * Returns once every partition of {@code topic} is open on its leader.
     *
     * @throws IllegalStateException with the last error when that does not happen within {@code timeout}
     */
    public static void await(Admin admin, String topic, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            try {
                TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
                Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
                description.partitions().forEach(p -> partitions.put(new TopicPartition(topic, p.partition()),
                        OffsetSpec.latest()));
                admin.listOffsets(partitions).all().get();
                return;
            } catch (ExecutionException e) {
                last = e.getCause();
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("topic " + topic + " does not take writes after " + timeout.toSeconds() + "s"
                + (last == null ? "" : ": " + last.getMessage()), last);
    }
}
