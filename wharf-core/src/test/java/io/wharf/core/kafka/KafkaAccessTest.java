package io.wharf.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wharf.core.config.KafkaSettings;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedKafka.class)
class KafkaAccessTest {
    private KafkaAccess access;
    private TestKafka kafka;

    @BeforeEach
    void start(TestKafka kafka) {
        this.kafka = kafka;
        access = KafkaAccess.create(kafka.bootstrapServers(), new KafkaSettings(null, null, null, null, null),
                new SimpleMeterRegistry());
        access.awaitCluster(Duration.ofSeconds(30));
    }

    @AfterEach
    void stop() {
        access.close();
    }

    @Test
    void sendsThroughTheSharedProducerAndReportsPartitionAndOffset() throws Exception {
        String topic = kafka.createTopic("access", 3);
        RecordMetadata first = access.send(new ProducerRecord<>(topic, 2, null, TestKafka.bytes("a"))).get(10, TimeUnit.SECONDS);
        RecordMetadata second = access.send(new ProducerRecord<>(topic, 2, null, TestKafka.bytes("b"))).get(10, TimeUnit.SECONDS);
        assertThat(first.partition()).isEqualTo(2);
        assertThat(second.offset()).isEqualTo(first.offset() + 1);
        assertThat(kafka.readAll(topic, 2, Duration.ofSeconds(10))).extracting(r -> TestKafka.text(r.value()))
                .containsExactly("a", "b");
    }

    @Test
    void sendsMadeWhileTheTopicIsLookedUpKeepTheirOrder() throws Exception {
        String topic = kafka.createTopic("access-order", 1);
        List<java.util.concurrent.CompletableFuture<RecordMetadata>> sent = new java.util.ArrayList<>();
        for (int i = 0; i < 2_000; i++) { // the first ones wait for the lookup, later ones find it known
            sent.add(access.send(new ProducerRecord<>(topic, TestKafka.bytes("v" + i))));
        }
        long previous = -1;
        for (var future : sent) {
            long offset = future.get(30, TimeUnit.SECONDS).offset();
            assertThat(offset).isEqualTo(previous + 1);
            previous = offset;
        }
        access.refreshTopic(topic).get(10, TimeUnit.SECONDS);
        assertThat(access.topic(topic).get(10, TimeUnit.SECONDS).partitions()).isEqualTo(1);
    }

    @Test
    void sendsRightAfterAnotherClientCreatedTheTopicAreAllAcknowledged() throws Exception {
        // created without the test kit's wait: the first sends race the partitions' opening (KAFKA-15591)
        String topic = "access-fresh-" + System.nanoTime();
        kafka.admin().createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all()
                .get(30, TimeUnit.SECONDS);
        List<java.util.concurrent.CompletableFuture<RecordMetadata>> sent = new java.util.ArrayList<>();
        for (int i = 0; i < 4_000; i++) {
            sent.add(access.send(new ProducerRecord<>(topic, i % 4, null, TestKafka.bytes("v" + i))));
        }
        for (var future : sent) {
            assertThat(future.get(60, TimeUnit.SECONDS).topic()).isEqualTo(topic);
        }
        assertThat(kafka.readAll(topic, 4_000, Duration.ofSeconds(30))).hasSize(4_000);
    }

    @Test
    void awaitWritableCompletesForANewTopicAndNamesTheErrorForAMissingOne() throws Exception {
        String topic = "access-writable-" + System.nanoTime();
        kafka.admin().createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all()
                .get(30, TimeUnit.SECONDS);
        access.awaitWritable(topic, Duration.ofSeconds(30)).get(35, TimeUnit.SECONDS);
        assertThat(access.send(new ProducerRecord<>(topic, 1, null, TestKafka.bytes("x"))).get(10, TimeUnit.SECONDS)
                .offset()).isZero();

        assertThatThrownBy(() -> access.awaitWritable("no-such-topic", Duration.ofMillis(300)).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(org.apache.kafka.common.errors.UnknownTopicOrPartitionException.class);
    }

    @Test
    void aRunWaitingForAMissingTopicsLookupDoesNotHoldBackAnotherTopic() throws Exception {
        String topic = kafka.createTopic("access-beside-missing", 1);
        access.send(new ProducerRecord<>(topic, TestKafka.bytes("warm"))).get(10, TimeUnit.SECONDS);
        // the lookup of a missing topic asks twice, half a second apart, before it refuses the run
        Sending missing = access.send(List.of(new ProducerRecord<>("no-such-topic-" + System.nanoTime(),
                TestKafka.bytes("lost"))));
        Sending existing = access.send(List.of(new ProducerRecord<>(topic, TestKafka.bytes("a")),
                new ProducerRecord<>(topic, TestKafka.bytes("b"))));
        long[] answeredAt = new long[2];
        missing.answered().thenRun(() -> answeredAt[0] = System.nanoTime());
        existing.answered().thenRun(() -> answeredAt[1] = System.nanoTime());
        existing.answered().get(10, TimeUnit.SECONDS);
        missing.answered().get(10, TimeUnit.SECONDS);
        assertThat(existing.accepted()).isCompleted();
        assertThat(existing.failures()).isZero();
        assertThat(existing.metadata(1).offset()).isEqualTo(existing.metadata(0).offset() + 1);
        assertThat(missing.accepted()).isCompletedExceptionally();
        assertThat(missing.refusal()).isInstanceOf(UnknownTopicException.class);
        assertThat(answeredAt[1]).as("the existing topic's run was answered first").isLessThan(answeredAt[0]);
    }

    @Test
    void aRunWithOneOversizedRecordIsRefusedWholeWithTheSizeAndTheLimit() throws Exception {
        String topic = kafka.createTopic("access-run-large", 1, Map.of("max.message.bytes", "2000"));
        Sending run = access.send(List.of(new ProducerRecord<>(topic, TestKafka.bytes("fits")),
                new ProducerRecord<>(topic, new byte[1_990])));
        run.answered().get(10, TimeUnit.SECONDS);
        assertThat(run.refusal()).isInstanceOf(OversizedRecordException.class)
                .hasMessage("Record of " + (1_990 + 82) + " bytes is larger than 2000 bytes, the most topic '" + topic
                        + "' max.message.bytes allows; nothing was sent");
        assertThat(((OversizedRecordException) run.refusal()).index()).isEqualTo(1);
        assertThat(run.failures()).isEqualTo(2);
    }

    @Test
    void aMissingTopicFailsFastWithItsName() {
        assertThatThrownBy(() -> access.send(new ProducerRecord<>("no-such-topic", TestKafka.bytes("x"))).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(UnknownTopicException.class)
                .hasMessage("topic 'no-such-topic' does not exist");
    }

    @Test
    void aPartitionOutsideTheTopicIsRefused() {
        String topic = kafka.createTopic("access-partitions", 2);
        assertThatThrownBy(() -> access.send(new ProducerRecord<>(topic, 5, null, TestKafka.bytes("x"))).get(10, TimeUnit.SECONDS))
                .cause().hasMessageContaining("has partitions 0-1, not 5");
    }

    @Test
    void aRecordLargerThanTheProducerAllowsIsRefusedWithKafkasError() {
        String topic = kafka.createTopic("access-large", 1);
        byte[] big = new byte[access.maxRecordBytes() + 1];
        assertThatThrownBy(() -> access.send(new ProducerRecord<>(topic, big)).get(10, TimeUnit.SECONDS))
                .cause().isInstanceOf(RecordTooLargeException.class);
    }

    @Test
    void topicMetadataSaysPartitionsAndCompaction() throws Exception {
        String plain = kafka.createTopic("access-plain", 4);
        String compacted = kafka.createTopic("access-compacted", 1, Map.of("cleanup.policy", "compact"));
        TopicInfo p = access.topic(plain).get(10, TimeUnit.SECONDS);
        TopicInfo c = access.topic(compacted).get(10, TimeUnit.SECONDS);
        assertThat(p.partitions()).isEqualTo(4);
        assertThat(p.compacted()).isFalse();
        assertThat(c.compacted()).isTrue();
        assertThat(access.topicNames().get(10, TimeUnit.SECONDS)).contains(plain, compacted);
    }

    @Test
    void groupConsumersCommitAndReadersAssign() throws Exception {
        String topic = kafka.createTopic("access-consume", 1);
        kafka.send(topic, "k", "v");
        try (KafkaConsumer<byte[], byte[]> member = access.newGroupConsumer("access-group",
                Map.of("auto.offset.reset", "earliest"))) {
            member.subscribe(List.of(topic));
            ConsumerRecords<byte[], byte[]> records = ConsumerRecords.empty();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (records.isEmpty() && System.nanoTime() < deadline) {
                records = member.poll(Duration.ofMillis(200));
            }
            assertThat(records.count()).isEqualTo(1);
            member.commitSync();
        }
        assertThat(kafka.committedOffset("access-group", topic, 0)).isEqualTo(1);

        try (KafkaConsumer<byte[], byte[]> reader = access.newReader("test", Map.of())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            reader.assign(List.of(tp));
            reader.seek(tp, 0);
            assertThat(reader.poll(Duration.ofSeconds(5)).count()).isEqualTo(1);
        }
    }

    @Test
    void transactionalProducersWriteAtomically() throws Exception {
        String topic = kafka.createTopic("access-tx", 1);
        try (KafkaProducer<byte[], byte[]> tx = access.newTransactionalProducer("access-test-tx", Map.of())) {
            tx.initTransactions();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>(topic, TestKafka.bytes("committed")));
            tx.commitTransaction();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>(topic, TestKafka.bytes("aborted")));
            tx.flush();
            tx.abortTransaction();
        }
        assertThat(kafka.readAll(topic, 2, Duration.ofSeconds(3))).extracting(r -> TestKafka.text(r.value()))
                .containsExactly("committed");
    }

    @Test
    void anUnreachableClusterIsReportedWithItsAddress() {
        try (KafkaAccess nowhere = KafkaAccess.create("127.0.0.1:1", new KafkaSettings(null, null, null, null,
                Duration.ofMillis(500)), new SimpleMeterRegistry())) {
            assertThatThrownBy(() -> nowhere.awaitCluster(Duration.ofSeconds(2)))
                    .isInstanceOf(KafkaUnavailableException.class)
                    .hasMessageStartingWith("Kafka at 127.0.0.1:1 did not answer within 2s");
        }
    }
}
