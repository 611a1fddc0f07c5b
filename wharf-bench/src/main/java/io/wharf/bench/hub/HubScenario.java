package io.wharf.bench.hub;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wharf.bench.BenchArgs;
import io.wharf.bench.BenchKafka;
import io.wharf.bench.BenchReport;
import io.wharf.bench.Scenario;
import io.wharf.bench.Stats;
import io.wharf.bench.baseline.RawKafka;
import io.wharf.core.config.HubSettings;
import io.wharf.core.config.KafkaSettings;
import io.wharf.core.hub.HubStats;
import io.wharf.core.hub.KafkaTopicHub;
import io.wharf.core.hub.StartPosition;
import io.wharf.core.hub.SubscriptionRequest;
import io.wharf.core.kafka.KafkaAccess;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The topic hub's fan-out: one topic, N in-process subscribers each receiving every record, against
 * a raw consumer reading the same records once. Reports aggregate deliveries per second, the Kafka
 * reads used, heap per subscriber, and the send-to-delivery delay at a fixed live rate.
 */
public final class HubScenario implements Scenario {
    @Override
    public String name() {
        return "hub";
    }

    @Override
    public String description() {
        return "topic hub fan-out: N subscribers vs one raw consumer (--subscribers 1000 --partitions 4 --records 100k "
                + "--size 100 --runs 3 --rate 1000 --latency-seconds 10 --loops 2)";
    }

    @Override
    public void run(BenchArgs args, BenchReport report) throws Exception {
        int subscribers = args.integer("subscribers", 1_000);
        int partitions = args.integer("partitions", 4);
        long records = args.number("records", 100_000);
        int size = Math.max(8, args.integer("size", 100));
        int runs = args.integer("runs", 3);
        int rate = args.integer("rate", 1_000);
        Duration latencyTime = Duration.ofSeconds(args.number("latency-seconds", 10));
        int loops = args.integer("loops", 2);
        int maxPerPoll = args.integer("poll", 512);
        report.progress("hub: %,d subscribers, %d partitions, %,d records of %d B, %d runs; live at %,d/s for %ds; "
                + "%d delivery loops polling up to %d", subscribers, partitions, records, size, runs, rate,
                latencyTime.toSeconds(), loops, maxPerPoll);

        Stats baselineRate = new Stats();
        Stats hubRate = new Stats();
        Stats ratio = new Stats();
        Stats reads = new Stats();
        Stats heapPerSubscriber = new Stats();
        Stats hubP50 = new Stats();
        Stats hubP99 = new Stats();
        Stats rawP50 = new Stats();
        Stats rawP99 = new Stats();
        Stats liveRate = new Stats();
        try (BenchKafka kafka = BenchKafka.start(args);
             KafkaAccess access = KafkaAccess.create(kafka.bootstrapServers(),
                     new KafkaSettings(null, null, null, null, null), new SimpleMeterRegistry())) {
            // the cache holds a whole run, so every late joiner is served from memory
            long cacheBytes = Math.max(64L << 20, records * (size + 200) / partitions * 2);
            HubSettings settings = HubSettings.defaults().withCache(cacheBytes, Duration.ofMinutes(10),
                    cacheBytes * partitions);
            for (int run = 1; run <= runs; run++) {
                String topic = kafka.createTopic("hub-fanout", partitions, RawKafka.topicConfigs());
                RawKafka.produce(kafka.bootstrapServers(), topic, records, size);
                RawKafka.Throughput raw = RawKafka.consume(kafka.bootstrapServers(), topic, records);
                FanOut fanOut = fanOut(access, settings, topic, subscribers, records, loops, maxPerPoll);
                double r = fanOut.deliveriesPerSecond() / raw.recordsPerSecond();
                report.progress("run %d: raw consumer %,.0f records/s; hub %,.0f deliveries/s (%.2fx) with %d Kafka "
                                + "reads, %,d records read from Kafka for %,d deliveries", run, raw.recordsPerSecond(),
                        fanOut.deliveriesPerSecond(), r, fanOut.peakReads(), fanOut.stats().sharedRecordsIn()
                                + fanOut.stats().catchUpRecordsIn(), fanOut.stats().eventsOut());
                baselineRate.add(raw.recordsPerSecond());
                hubRate.add(fanOut.deliveriesPerSecond());
                ratio.add(r);
                reads.add(fanOut.peakReads());

                String liveTopic = kafka.createTopic("hub-live", partitions, RawKafka.topicConfigs());
                Live live = live(access, settings, liveTopic, subscribers, rate, latencyTime, size, loops, maxPerPoll,
                        kafka.bootstrapServers(), report);
                report.progress("run %d live at %,d/s: hub p50 %.2f ms p99 %.2f ms max %.2f ms, %,.0f deliveries/s; "
                                + "raw consumer p50 %.2f ms p99 %.2f ms; heap %,.0f B per subscriber", run, rate,
                        ms(live.hub(), 50), ms(live.hub(), 99), live.hub().getMaxValue() / 1000.0,
                        live.deliveriesPerSecond(), ms(live.raw(), 50), ms(live.raw(), 99), live.heapPerSubscriber());
                hubP50.add(ms(live.hub(), 50));
                hubP99.add(ms(live.hub(), 99));
                rawP50.add(ms(live.raw(), 50));
                rawP99.add(ms(live.raw(), 99));
                liveRate.add(live.deliveriesPerSecond());
                heapPerSubscriber.add(live.heapPerSubscriber());
                kafka.admin().deleteTopics(List.of(topic, liveTopic)).all().get();
            }
        }
        report.columns("figure", "raw consumer (baseline)", "hub", "ratio (hub / baseline)");
        report.row("records/s read vs deliveries/s (" + subscribers + " subscribers)", baselineRate.format("%,.0f"),
                hubRate.format("%,.0f"), ratio.format("%.2f"));
        report.row("Kafka reads used", "1 consumer, " + partitions + " partitions", reads.format("%.0f"), "");
        report.row("p50 send-to-delivery at " + rate + "/s (ms)", rawP50.format("%.2f"), hubP50.format("%.2f"), "");
        report.row("p99 send-to-delivery at " + rate + "/s (ms)", rawP99.format("%.2f"), hubP99.format("%.2f"), "");
        report.row("live deliveries/s at " + rate + " records/s", "", liveRate.format("%,.0f"), "");
        report.row("heap per idle subscriber (B)", "", heapPerSubscriber.format("%,.0f"), "");
        report.print("hub fan-out: " + subscribers + " subscribers, " + partitions + " partitions, " + records
                + " records of " + size + " B, median (min-max) of " + runs + " runs");
    }

    private static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1000.0;
    }

    /**
     * A fan-out measurement.
     *
     * @param deliveriesPerSecond records delivered to all subscribers together per second
     * @param peakReads           most Kafka readers (shared plus catch-up) open at once
     * @param stats               the hub's figures at the end
     */
    record FanOut(double deliveriesPerSecond, int peakReads, HubStats stats) {
    }

    /** Subscribes everyone from the earliest offset and times until each has every record. */
    private static FanOut fanOut(KafkaAccess access, HubSettings settings, String topic, int subscribers, long records,
                                 int loopCount, int maxPerPoll) throws Exception {
        List<DeliveryLoop> loops = loops(loopCount, maxPerPoll);
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicInteger peak = new AtomicInteger();
        try (KafkaTopicHub hub = KafkaTopicHub.start(access, settings, new SimpleMeterRegistry())) {
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    HubStats s = hub.stats();
                    peak.accumulateAndGet(s.sharedReaders() + s.catchUpReaders(), Math::max);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
            }, "reads-sampler");
            sampler.setDaemon(true);
            sampler.start();
            List<CountingSubscriber> all = new ArrayList<>(subscribers);
            long start = System.nanoTime();
            for (int i = 0; i < subscribers; i++) {
                all.add(new CountingSubscriber(loops.get(i % loops.size())).subscribe(hub,
                        SubscriptionRequest.of(topic, new StartPosition.Earliest())));
            }
            awaitAll(all, records, Duration.ofMinutes(5));
            long nanos = System.nanoTime() - start;
            sampling.set(false);
            sampler.join();
            HubStats stats = hub.stats();
            return new FanOut(subscribers * (double) records * 1e9 / nanos, peak.get(), stats);
        } finally {
            for (DeliveryLoop loop : loops) {
                loop.close();
            }
        }
    }

    /**
     * A live measurement.
     *
     * @param hub                 send-to-delivery delay over every hub delivery, microseconds
     * @param raw                 the same for one raw consumer of the same records
     * @param deliveriesPerSecond hub deliveries per second while sending
     * @param heapPerSubscriber   heap held per idle subscriber
     */
    record Live(Histogram hub, Histogram raw, double deliveriesPerSecond, double heapPerSubscriber) {
    }

    private static Live live(KafkaAccess access, HubSettings settings, String topic, int subscribers, int rate,
                             Duration duration, int size, int loopCount, int maxPerPoll, String bootstrap,
                             BenchReport report) throws Exception {
        List<DeliveryLoop> loops = loops(loopCount, maxPerPoll);
        try (KafkaTopicHub hub = KafkaTopicHub.start(access, settings, new SimpleMeterRegistry());
             KafkaConsumer<byte[], byte[]> raw = new KafkaConsumer<>(RawKafka.consumerProperties(bootstrap));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(RawKafka.producerProperties(bootstrap, 0))) {
            // warm the shared readers up with one subscriber, so the heap delta is the subscribers' alone
            CountingSubscriber first = new CountingSubscriber(loops.get(0)).subscribe(hub,
                    SubscriptionRequest.of(topic, new StartPosition.Live()));
            awaitAttached(List.of(first));
            long before = usedHeapAfterGc();
            List<CountingSubscriber> all = new ArrayList<>(subscribers);
            for (int i = 1; i < subscribers; i++) {
                all.add(new CountingSubscriber(loops.get(i % loops.size())).subscribe(hub,
                        SubscriptionRequest.of(topic, new StartPosition.Live())));
            }
            awaitAttached(all);
            double heapPerSubscriber = (usedHeapAfterGc() - before) / (double) Math.max(1, subscribers - 1);
            all.add(first);

            List<TopicPartition> tps = new ArrayList<>();
            raw.partitionsFor(topic).forEach(p -> tps.add(new TopicPartition(topic, p.partition())));
            raw.assign(tps);
            raw.seekToEnd(tps);
            tps.forEach(raw::position);
            Histogram rawDelays = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
            loops.forEach(l -> l.timeDeliveries(true));
            long total = rate * duration.toSeconds();
            Thread sender = new Thread(() -> send(producer, topic, rate, total, size), "hub-live-sender");
            long start = System.nanoTime();
            sender.start();
            long rawReceived = 0;
            long deadline = System.nanoTime() + duration.toNanos() + TimeUnit.SECONDS.toNanos(60);
            while (rawReceived < total && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : raw.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    long sent = 0;
                    for (int b = 0; b < 8; b++) {
                        sent = (sent << 8) | (r.value()[b] & 0xFF);
                    }
                    rawDelays.recordValue(Math.max(0, (now - sent) / 1_000));
                    rawReceived++;
                }
            }
            sender.join();
            awaitAll(all, total, Duration.ofMinutes(2));
            long nanos = System.nanoTime() - start;
            loops.forEach(l -> l.timeDeliveries(false));
            for (DeliveryLoop loop : loops) {
                loop.close();
            }
            Histogram hubDelays = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
            loops.forEach(l -> hubDelays.add(l.delays));
            if (hub.stats().sharedReaders() + hub.stats().catchUpReaders() > 0) {
                report.progress("live: %s", hub.stats());
            }
            return new Live(hubDelays, rawDelays, subscribers * (double) total * 1e9 / nanos, heapPerSubscriber);
        } finally {
            for (DeliveryLoop loop : loops) {
                loop.close();
            }
        }
    }

    /** Sends at a fixed rate, each value starting with its send time (nanoTime; one JVM, one clock). */
    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, int rate, long total, int size) {
        long interval = 1_000_000_000L / rate;
        long next = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            byte[] value = new byte[size];
            long now = System.nanoTime();
            for (int b = 0; b < 8; b++) {
                value[b] = (byte) (now >>> (56 - 8 * b));
            }
            producer.send(new ProducerRecord<>(topic, value));
            next += interval;
        }
        producer.flush();
    }

    private static List<DeliveryLoop> loops(int count, int maxPerPoll) {
        List<DeliveryLoop> loops = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            loops.add(new DeliveryLoop("delivery-loop-" + i, maxPerPoll));
        }
        return loops;
    }

    private static void awaitAll(List<CountingSubscriber> all, long records, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (CountingSubscriber s : all) {
            while (s.received() < records) {
                if (s.closedBy() != null) {
                    throw new IllegalStateException("a subscription ended: " + s.closedBy());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("a subscriber got " + s.received() + " of " + records + " records");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
    }

    private static void awaitAttached(List<CountingSubscriber> all) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        for (CountingSubscriber s : all) {
            while (s.subscription().position().nextOffsets().isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("subscriptions did not start within a minute");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
