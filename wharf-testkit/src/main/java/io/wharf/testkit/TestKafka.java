package io.wharf.testkit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import io.wharf.kafka.embedded.TopicWritability;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A Kafka cluster as tests see it: its bootstrap servers, unique topics, and plain clients that
 * bypass Wharf so tests can check what really reached Kafka.
 */
public final class TestKafka implements AutoCloseable {
    private static final AtomicInteger TOPIC_SEQUENCE = new AtomicInteger();

    private final String bootstrapServers;
    private final Map<String, String> clientProperties;
    private final Admin admin;

    /** Wraps a running cluster; the caller keeps owning the cluster itself. */
    public TestKafka(String bootstrapServers) {
        this(bootstrapServers, Map.of());
    }

    /**
     * Wraps a running cluster whose clients need these properties (e.g. SASL and TLS settings); every
     * client this creates uses them.
     */
    public TestKafka(String bootstrapServers, Map<String, String> clientProperties) {
        this.bootstrapServers = bootstrapServers;
        this.clientProperties = Map.copyOf(clientProperties);
        Map<String, Object> props = new java.util.HashMap<>(this.clientProperties);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        this.admin = Admin.create(props);
    }

    /** {@code host:port} list for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** An admin client shared by the tests of this JVM; do not close it. */
    public Admin admin() {
        return admin;
    }

    /** Creates a topic with a name no other test uses and returns the name. */
    public String createTopic(String prefix, int partitions) {
        return createTopic(prefix, partitions, Map.of());
    }

    /** Creates a uniquely named topic with the given topic configs (e.g. cleanup.policy) and returns the name. */
    public String createTopic(String prefix, int partitions, Map<String, String> configs) {
        String name = prefix + "-" + TOPIC_SEQUENCE.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
        createTopicNamed(name, partitions, configs);
        return name;
    }

    /** Creates a topic with exactly this name. */
    public void createTopicNamed(String name, int partitions, Map<String, String> configs) {
        try {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all().get();
            TopicWritability.await(admin, name, Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create topic " + name, e.getCause());
        }
    }

    /** A new producer of raw bytes (acks=all); the caller closes it. */
    public KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** A new consumer of raw bytes in the given group (null for none), reading from the earliest offset; the caller closes it. */
    public KafkaConsumer<byte[], byte[]> consumer(String group) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        if (group != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    /** Writes one record and waits for Kafka's acknowledgement. */
    public RecordMetadata send(String topic, String key, String value) {
        return send(new ProducerRecord<>(topic, bytes(key), bytes(value)));
    }

    /** Writes one record and waits for Kafka's acknowledgement. */
    public RecordMetadata send(ProducerRecord<byte[], byte[]> record) {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            return producer.send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("send to " + record.topic() + " failed", e.getCause());
        }
    }

    /**
     * Reads every partition of a topic from the start (read_committed, no group) until at least
     * {@code count} records arrived or the timeout passed, and returns what arrived.
     */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int count, Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(null)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
            }
        }
        return out;
    }

    /** The committed offset of a group on one partition, or -1 when it has none. */
    public long committedOffset(String group, String topic, int partition) {
        TopicPartition tp = new TopicPartition(topic, partition);
        try {
            var offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            var meta = offsets.get(tp);
            return meta == null ? -1 : meta.offset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Deletes topics, waiting for the deletion to be accepted. */
    public void deleteTopics(Set<String> topics) {
        try {
            admin.deleteTopics(topics).all().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** UTF-8 bytes of a string, null stays null. */
    public static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    /** A string from UTF-8 bytes, null stays null. */
    public static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
