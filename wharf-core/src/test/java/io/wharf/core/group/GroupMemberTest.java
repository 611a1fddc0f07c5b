package io.wharf.core.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A core member against the embedded broker: bounded queue with pause/resume, and commits asked just before close. */
@ExtendWith(SharedKafka.class)
class GroupMemberTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aFullQueuePausesUntilHalfIsTakenAndACommitAskedJustBeforeCloseReachesKafka(TestKafka kafka) throws Exception {
        String topic = kafka.createTopic("member", 1);
        for (int i = 0; i < 200; i++) {
            kafka.send(new ProducerRecord<>(topic, 0, null, TestKafka.bytes("v" + i)));
        }
        String group = "member-" + System.nanoTime();
        List<Collection<TopicPartition>> assigned = new ArrayList<>();
        try (GroupRuntime runtime = new GroupRuntime("test-group", 1, 16, Duration.ofSeconds(10))) {
            MemberSpec spec = new MemberSpec("test", () -> newConsumer(kafka, group),
                    new MemberReading.Subscribe(List.of(topic)), 20, 1 << 20, Duration.ofMillis(20), Duration.ofSeconds(10));
            MemberListener listener = new MemberListener() {
                @Override
                public void recordsAvailable() {
                }

                @Override
                public void assigned(Collection<TopicPartition> partitions) {
                    synchronized (assigned) {
                        assigned.add(partitions);
                    }
                }

                @Override
                public Map<TopicPartition, OffsetAndMetadata> revoked(Collection<TopicPartition> partitions) {
                    return Map.of();
                }

                @Override
                public void lost(Collection<TopicPartition> partitions) {
                }

                @Override
                public void failed(MemberFailure failure) {
                }
            };
            GroupMember member = runtime.member(spec, listener).start(CompletableFuture.completedFuture(null));
            // nothing taken: the queue fills to its bound (plus at most one poll of 10) and stays there
            Awaitility.await().atMost(WAIT).until(member::hasQueued);
            Thread.sleep(500);
            List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>(member.take(1000, Long.MAX_VALUE));
            assertThat(all.size()).isBetween(20, 30);
            // taking resumes the fetch: everything arrives, in order
            Awaitility.await().atMost(WAIT).until(() -> {
                all.addAll(member.take(7, Long.MAX_VALUE));
                return all.size() >= 200;
            });
            assertThat(all).extracting(ConsumerRecord::offset).containsExactlyElementsOf(
                    java.util.stream.LongStream.range(0, 200).boxed().toList());
            synchronized (assigned) {
                assertThat(assigned).containsExactly(List.of(new TopicPartition(topic, 0)));
            }
            // asked from this thread, then closed at once: the commit still runs before the consumer closes
            CompletableFuture<Void> commit = member.commit(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(150)));
            member.close();
            commit.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            member.closed().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(kafka.committedOffset(group, topic, 0)).isEqualTo(150);
            assertThat(runtime.consumers()).isZero();
        }
    }

    private static KafkaConsumer<byte[], byte[]> newConsumer(TestKafka kafka, String group) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArrayDeserializer",
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArrayDeserializer"));
    }
}
