package io.wharf.bench.baseline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The raw {@code kafka-clients} measurements every Wharf figure is compared with: producer and
 * consumer throughput and end-to-end latency, without Wharf in the path.
 */
public final class RawKafka {
    /**
     * A throughput measurement.
     *
     * @param records records moved
     * @param bytes   value bytes moved
     * @param nanos   elapsed time
     */
    public record Throughput(long records, long bytes, long nanos) {
        /** Records per second. */
        public double recordsPerSecond() {
            return records * 1e9 / nanos;
        }

        /** Megabytes (10^6) of values per second. */
        public double megabytesPerSecond() {
            return bytes * 1e3 / nanos;
        }
    }

    private RawKafka() {
    }

    /** Producer settings of the baseline: acks=all, idempotent, linger 5 ms, 64 KB batches (as Wharf's shared producer). */
    public static Properties producerProperties(String bootstrapServers, int lingerMs) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("linger.ms", String.valueOf(lingerMs));
        p.put("batch.size", String.valueOf(64 * 1024));
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        return p;
    }

    /** Consumer settings of the baseline: large fetches, no group. */
    public static Properties consumerProperties(String bootstrapServers) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("max.poll.records", "10000");
        p.put("fetch.max.bytes", String.valueOf(64 * 1024 * 1024));
        p.put("max.partition.fetch.bytes", String.valueOf(16 * 1024 * 1024));
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        return p;
    }

    /** Sends {@code count} records of {@code size} bytes (keyless, spread over partitions) and waits for every ack. */
    public static Throughput produce(String bootstrapServers, String topic, long count, int size) throws Exception {
        byte[] value = new byte[size];
        AtomicReference<Exception> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(bootstrapServers, 5))) {
            for (long i = 0; i < count; i++) {
                boolean last = i == count - 1;
                producer.send(new ProducerRecord<>(topic, value), (m, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                    if (last) {
                        done.countDown();
                    }
                });
            }
            producer.flush();
            done.await(5, TimeUnit.MINUTES);
        }
        long nanos = System.nanoTime() - start;
        if (failure.get() != null) {
            throw failure.get();
        }
        return new Throughput(count, count * size, nanos);
    }

    /** Reads every partition of a topic from the start until {@code count} records arrived. */
    public static Throughput consume(String bootstrapServers, String topic, long count) {
        long records = 0;
        long bytes = 0;
        long start = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(bootstrapServers))) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (records < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    records++;
                    bytes += r.serializedValueSize();
                }
            }
        }
        return new Throughput(records, bytes, System.nanoTime() - start);
    }

    /**
     * Produces at a fixed rate (linger 0) while a consumer polls, and records each record's delay
     * from send to receipt in microseconds. Producer and consumer share this JVM's clock.
     */
    public static Histogram latency(String bootstrapServers, String topic, int ratePerSecond, Duration duration,
                                    int size) throws Exception {
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        long total = ratePerSecond * duration.toSeconds();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(bootstrapServers));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(bootstrapServers, 0))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            consumer.position(tp);
            Thread sender = new Thread(() -> {
                long interval = 1_000_000_000L / ratePerSecond;
                long next = System.nanoTime();
                for (long i = 0; i < total; i++) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait); // a spinning sender would steal a core from the broker
                    }
                    byte[] value = new byte[Math.max(size, 8)];
                    long now = System.nanoTime();
                    for (int b = 0; b < 8; b++) {
                        value[b] = (byte) (now >>> (56 - 8 * b));
                    }
                    producer.send(new ProducerRecord<>(topic, 0, null, value));
                    next += interval;
                }
            }, "latency-sender");
            sender.start();
            long received = 0;
            long deadline = System.nanoTime() + duration.toNanos() + TimeUnit.SECONDS.toNanos(30);
            while (received < total && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    long sent = 0;
                    for (int b = 0; b < 8; b++) {
                        sent = (sent << 8) | (r.value()[b] & 0xFF);
                    }
                    histogram.recordValue(Math.max(0, (now - sent) / 1_000));
                    received++;
                }
            }
            sender.join();
        }
        return histogram;
    }

    /** Topic configs the baseline topics use (none beyond the broker's defaults). */
    public static Map<String, String> topicConfigs() {
        return Map.of();
    }
}
