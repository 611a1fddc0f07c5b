package io.wharf.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {
    @TempDir
    Path dir;

    @Test
    void keepsTopicsRecordsAndCommittedOffsetsAcrossRestart() throws Exception {
        EmbeddedKafkaSettings settings = EmbeddedKafkaSettings.forTests(dir.resolve("kafka"));
        try (EmbeddedKafka broker = EmbeddedKafka.start(settings)) {
            assertThat(broker.port()).isPositive();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("orders", 2, (short) 1))).all().get();
            }
            try (KafkaProducer<String, String> producer = producer(broker)) {
                producer.send(new ProducerRecord<>("orders", 0, "k", "v1")).get();
                producer.send(new ProducerRecord<>("orders", 0, "k", "v2")).get();
            }
            try (KafkaConsumer<String, String> consumer = consumer(broker)) {
                consumer.commitSync(Map.of(new TopicPartition("orders", 0), new OffsetAndMetadata(1)));
            }
        }
        assertThat(Files.exists(dir.resolve("kafka").resolve("meta.properties"))).isTrue();

        try (EmbeddedKafka broker = EmbeddedKafka.start(settings)) {
            try (KafkaConsumer<String, String> consumer = consumer(broker)) {
                TopicPartition tp = new TopicPartition("orders", 0);
                assertThat(consumer.committed(java.util.Set.of(tp)).get(tp).offset()).isEqualTo(1);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                List<String> values = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (values.size() < 2 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        values.add(r.value());
                    }
                }
                assertThat(values).containsExactly("v1", "v2");
            }
        }
    }

    @Test
    void refusesUnknownTopicsWhenAutoCreateIsOff() throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start(EmbeddedKafkaSettings.forTests(dir.resolve("kafka")));
             KafkaProducer<String, String> producer = producer(broker, Map.of("max.block.ms", "2000"))) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("no-such-topic", "x")).get())
                    .satisfiesAnyOf(
                            e -> assertThat(e).isInstanceOf(ExecutionException.class)
                                    .hasCauseInstanceOf(UnknownTopicOrPartitionException.class),
                            e -> assertThat(e).hasMessageContaining("not present in metadata"));
        }
    }

    @Test
    void reportsATakenPortInOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            EmbeddedKafkaSettings settings = new EmbeddedKafkaSettings(dir.resolve("kafka"), "127.0.0.1",
                    taken.getLocalPort(), null, false, 1, Map.of());
            assertThatThrownBy(() -> EmbeddedKafka.start(settings))
                    .isInstanceOf(PortInUseException.class)
                    .hasMessage("port " + taken.getLocalPort() + " (kafka on 127.0.0.1) is already in use");
        }
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafka broker) {
        return producer(broker, Map.of());
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafka broker, Map<String, String> extra) {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.putAll(extra);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(EmbeddedKafka broker) {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("group.id", "g");
        p.put("enable.auto.commit", "false");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
