package io.wharf.core.hub;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wharf.core.config.HubSettings;
import io.wharf.core.config.KafkaSettings;
import io.wharf.core.kafka.KafkaAccess;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** What every hub test shares: the embedded broker, one Kafka access, hubs closed after each test, an "event loop". */
@ExtendWith(SharedKafka.class)
abstract class HubTestBase {
    static final Duration WAIT = Duration.ofSeconds(30);

    static TestKafka kafka;
    static KafkaAccess access;
    static ExecutorService loop;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    static void startClients() {
        kafka = SharedKafka.get();
        access = KafkaAccess.create(kafka.bootstrapServers(), new KafkaSettings(null, null, null, null, null),
                new SimpleMeterRegistry());
        loop = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void stopClients() {
        loop.shutdownNow();
        access.close();
    }

    @AfterEach
    void closeHubs() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        opened.clear();
    }

    KafkaTopicHub hub(HubSettings settings) {
        KafkaTopicHub hub = KafkaTopicHub.start(access, settings, new SimpleMeterRegistry());
        opened.add(hub);
        return hub;
    }

    KafkaTopicHub hub() {
        return hub(HubSettings.defaults());
    }

    static RecordingSubscriber subscribe(TopicHub hub, SubscriptionRequest request) {
        return new RecordingSubscriber(loop, 100).subscribe(hub, request);
    }

    static RecordingSubscriber subscribe(TopicHub hub, String topic, StartPosition start) {
        return subscribe(hub, SubscriptionRequest.of(topic, start));
    }

    /** Waits until the hub resolved the subscription's start (its position names every partition). */
    static void awaitAttached(RecordingSubscriber s, int partitions) {
        await().atMost(WAIT).until(() -> s.subscription().position().nextOffsets().size() == partitions);
    }

    static void awaitRecords(RecordingSubscriber s, int count) {
        await().atMost(WAIT).until(() -> s.recordCount() >= count);
    }

    /** Sends records through one producer and waits for every acknowledgement. */
    static List<RecordMetadata> produce(List<ProducerRecord<byte[], byte[]>> records) {
        List<RecordMetadata> out = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (ProducerRecord<byte[], byte[]> r : records) {
                acks.add(producer.send(r));
            }
            for (Future<RecordMetadata> ack : acks) {
                out.add(ack.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        return out;
    }

    static ProducerRecord<byte[], byte[]> record(String topic, Integer partition, String key, String value) {
        return new ProducerRecord<>(topic, partition, TestKafka.bytes(key), TestKafka.bytes(value));
    }

    /** {@code count} records spread over the partitions round-robin, values "v0".."v{count-1}". */
    static List<RecordMetadata> produceValues(String topic, int partitions, int from, int count) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            records.add(record(topic, i % partitions, "k" + i, "v" + i));
        }
        return produce(records);
    }

    static long logStartOffset(String topic, int partition) throws Exception {
        TopicPartition tp = new TopicPartition(topic, partition);
        ListOffsetsResult result = kafka.admin().listOffsets(Map.of(tp, OffsetSpec.earliest()));
        return result.partitionResult(tp).get().offset();
    }

    static String text(byte[] bytes) {
        return TestKafka.text(bytes);
    }
}
