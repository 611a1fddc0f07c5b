package io.wharf.bench.http;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.wharf.bench.BenchArgs;
import io.wharf.bench.BenchKafka;
import io.wharf.bench.BenchReport;
import io.wharf.bench.Scenario;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * WebSocket fan-out: a swarm of native-protocol clients (in this JVM) subscribed through a gateway
 * running in its own JVM, against a raw Kafka consumer reading the same records in the same run.
 * Three phases: aggregate deliveries/s to {@code --clients} clients; produce-to-receipt delay at
 * {@code --rate} records/s (WebSocket vs raw consumer, same records); heap per idle WebSocket at
 * {@code --idle} connections, measured in the gateway's JVM after full collections.
 */
public final class WebSocketScenario implements Scenario {
    static final int VALUE_BYTES = 100;

    @Override
    public String name() {
        return "websocket";
    }

    @Override
    public String description() {
        return "WebSocket fan-out: deliveries/s to 1,000 clients, added p99 delay at 5,000 rec/s, heap per idle socket";
    }

    @Override
    public void run(BenchArgs args, BenchReport report) throws Exception {
        int clients = args.integer("clients", 1000);
        int records = args.integer("records", 20_000);
        int rate = args.integer("rate", 5000);
        String latencyClients = args.text("latency-clients", "1," + clients);
        int latencySeconds = args.integer("latency-seconds", 10);
        int idle = args.integer("idle", 10_000);
        int clientThreads = args.integer("client-threads", 2);
        String heap = args.text("gateway-heap", "2g");
        report.progress("websocket: %d clients x %d records; latency with %s clients at %d rec/s for %d s; %d idle",
                clients, records, latencyClients, rate, latencySeconds, idle);

        try (BenchKafka kafka = BenchKafka.start(args);
             GatewayProcess gateway = GatewayProcess.start(kafka.bootstrapServers(), heap,
                     Duration.ofSeconds(args.integer("slow-client-timeout-seconds", 600)),
                     args.text("gateway-jvm-args", "").isBlank() ? List.of()
                             : List.of(args.text("gateway-jvm-args", "").trim().split("\\s+")));
             WebSocketSwarm swarm = new WebSocketSwarm(clientThreads)) {
            URI uri = URI.create("ws://127.0.0.1:" + gateway.port() + "/ws");
            report.progress("gateway pid %d on port %d (own JVM, -Xmx%s, log %s); broker and %d client threads in this JVM",
                    gateway.pid(), gateway.port(), heap, gateway.log(), clientThreads);
            long peakRss = 0;

            // 1. throughput: every client receives every record
            String topic = kafka.createTopic("ws-fanout", 1, Map.of());
            swarm.connect(uri, clients, subscribe(topic, "earliest"));
            report.progress("%d clients subscribed", swarm.size());
            int warmUp = awaitEveryClientReceiving(kafka.bootstrapServers(), topic, swarm);
            report.progress("every client receives (warm-up of %d records)", warmUp);
            swarm.resetCounts();
            RawReader raw = RawReader.start(kafka.bootstrapServers(), topic);
            raw.skip(warmUp);
            double gatewayCpu0 = gateway.cpuSeconds();
            double benchCpu0 = benchCpuSeconds();
            long t0;
            long producedAt;
            try (KafkaProducer<byte[], byte[]> producer = producer(kafka.bootstrapServers(), 5)) {
                producer.partitionsFor(topic); // metadata before the clock starts
                t0 = System.nanoTime();
                for (int i = 0; i < records; i++) {
                    producer.send(new ProducerRecord<>(topic, value(System.nanoTime())));
                }
                producer.flush();
                producedAt = System.nanoTime();
            }
            long expected = (long) clients * records;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            long lastTotal = -1;
            long lastProgressAt = System.nanoTime();
            while (swarm.minRecords() < records && System.nanoTime() < deadline) {
                Thread.sleep(20);
                long total = swarm.totalRecords();
                if (total != lastTotal) {
                    lastTotal = total;
                    lastProgressAt = System.nanoTime();
                } else if (System.nanoTime() - lastProgressAt > TimeUnit.SECONDS.toNanos(60)) {
                    throw new IllegalStateException("deliveries stalled at " + total + " of " + expected
                            + " for 60 s; closed clients: " + swarm.closedClients() + "; see the gateway log " + gateway.log());
                }
                peakRss = Math.max(peakRss, gateway.rss());
                if (System.nanoTime() > nextReport) {
                    nextReport += TimeUnit.SECONDS.toNanos(5);
                    report.progress("  %,d of %,d deliveries (slowest client %,d); gateway: %s", swarm.totalRecords(),
                            expected, swarm.minRecords(), gatewayGauges(gateway.port()));
                    if (swarm.minRecords() == 0 && swarm.totalRecords() > 0) {
                        report.progress("  clients without records: %s", swarm.starvedReplies().stream().limit(3).toList());
                    }
                }
            }
            long t1 = System.nanoTime();
            double gatewayCpu = gateway.cpuSeconds() - gatewayCpu0;
            double benchCpu = benchCpuSeconds() - benchCpu0;
            long delivered = swarm.totalRecords();
            if (delivered < expected) {
                throw new IllegalStateException("only " + delivered + " of " + expected + " deliveries arrived");
            }
            double deliveriesPerSecond = delivered / ((t1 - t0) / 1e9);
            raw.awaitCount(records, Duration.ofMinutes(2));
            double rawPerSecond = records / ((raw.lastAt() - t0) / 1e9);
            raw.close();
            report.progress("throughput: %,d deliveries in %.2f s = %,.0f/s; producer wrote %,.0f records/s; "
                    + "raw consumer had all after %.2f s (%,.0f records/s)", delivered, (t1 - t0) / 1e9, deliveriesPerSecond,
                    records / ((producedAt - t0) / 1e9), (raw.lastAt() - t0) / 1e9, rawPerSecond);
            swarm.disconnectAll();

            // 2. latency at a fixed rate: the same records to the WebSocket clients and to a raw consumer
            List<String[]> latencyRows = new java.util.ArrayList<>();
            for (String n : latencyClients.split(",")) {
                int count = Integer.parseInt(n.trim());
                String latencyTopic = kafka.createTopic("ws-latency", 1, Map.of());
                swarm.connect(uri, count, subscribe(latencyTopic, "earliest"));
                awaitEveryClientReceiving(kafka.bootstrapServers(), latencyTopic, swarm);
                RawReader rawLatency = RawReader.start(kafka.bootstrapServers(), latencyTopic);
                Histogram wharfDelay;
                Histogram rawDelay;
                try (KafkaProducer<byte[], byte[]> producer = producer(kafka.bootstrapServers(), 0)) {
                    swarm.measureLatency(true);
                    rawLatency.measure(true);
                    paced(producer, latencyTopic, rate, 2); // warm-up, discarded
                    swarm.latency().getIntervalHistogram();
                    rawLatency.latency().getIntervalHistogram();
                    paced(producer, latencyTopic, rate, latencySeconds);
                    Thread.sleep(500);
                    peakRss = Math.max(peakRss, gateway.rss());
                    wharfDelay = swarm.latency().getIntervalHistogram();
                    rawDelay = rawLatency.latency().getIntervalHistogram();
                    swarm.measureLatency(false);
                }
                rawLatency.close();
                report.progress("latency, %d clients: WebSocket p50 %.2f ms p99 %.2f ms (%,d samples); raw p50 %.2f ms "
                        + "p99 %.2f ms", count, ms(wharfDelay, 50), ms(wharfDelay, 99), wharfDelay.getTotalCount(),
                        ms(rawDelay, 50), ms(rawDelay, 99));
                latencyRows.add(new String[] {"p50 delay at " + rate + " rec/s, " + count + " clients",
                        fmt(ms(rawDelay, 50)), fmt(ms(wharfDelay, 50)), "+" + fmt(ms(wharfDelay, 50) - ms(rawDelay, 50)), ""});
                latencyRows.add(new String[] {"p99 delay at " + rate + " rec/s, " + count + " clients",
                        fmt(ms(rawDelay, 99)), fmt(ms(wharfDelay, 99)), "+" + fmt(ms(wharfDelay, 99) - ms(rawDelay, 99)),
                        "added <= 2 ms"});
                swarm.disconnectAll();
            }

            // 3. memory per idle WebSocket, connected then subscribed; first let the hub drop the shared
            // readers of the earlier phases (hub.idle-grace, 30 s by default) so they do not leave mid-measurement
            report.progress("idle: waiting 35 s for the hub's idle readers of earlier phases to close");
            Thread.sleep(35_000);
            long base = gateway.heapAfterGc();
            swarm.connect(uri, idle, null);
            long connected = gateway.heapAfterGc();
            String idleTopic = kafka.createTopic("ws-idle", 1, Map.of());
            swarm.sendAll(subscribe(idleTopic, "live"), true);
            report.progress("idle clients' replies: %s", swarm.lastReplyTypes());
            long subscribed = gateway.heapAfterGc();
            peakRss = Math.max(peakRss, gateway.rss());
            double perConnection = (connected - base) / (double) idle;
            double perSubscribed = (subscribed - base) / (double) idle;
            swarm.disconnectAll();
            Thread.sleep(2_000);
            long after = gateway.heapAfterGc();
            double perClosed = (subscribed - after) / (double) idle;
            report.progress("idle: heap %,d -> %,d connected -> %,d subscribed -> %,d after closing them (%d sockets)",
                    base, connected, subscribed, after, idle);

            report.columns("measure", "raw Kafka (same run)", "Wharf WebSocket", "ratio / difference", "target");
            report.row("deliveries/s, " + clients + " clients x " + records + " x 100 B",
                    String.format("%,.0f rec/s (1 consumer)", rawPerSecond),
                    String.format("%,.0f", deliveriesPerSecond),
                    String.format("%.1fx", deliveriesPerSecond / rawPerSecond), ">= 1,000,000/s");
            report.row("CPU used in the throughput phase", String.format("load generator + broker: %.1f s", benchCpu),
                    String.format("gateway: %.1f s", gatewayCpu),
                    String.format("%,.0f deliveries per gateway CPU-second", delivered / gatewayCpu), "");
            for (String[] row : latencyRows) {
                report.row((Object[]) row);
            }
            report.row("heap per idle WebSocket (" + idle + ")", "-", String.format("%,.0f B", perConnection), "", "<= 20 KB");
            report.row("heap per idle subscribed WebSocket", "-", String.format("%,.0f B", perSubscribed), "", "<= 20 KB");
            report.row("heap freed per subscribed WebSocket closed", "-", String.format("%,.0f B", perClosed), "", "<= 20 KB");
            report.row("gateway peak RSS", "-", String.format("%,d MiB", peakRss >> 20), "", "");
            report.print("websocket fan-out");
        }
    }

    /**
     * The hub attaches subscriptions asynchronously: writes a few records and waits until every
     * client has them, so measurements start with every subscriber live. Returns how many.
     */
    private static int awaitEveryClientReceiving(String bootstrap, String topic, WebSocketSwarm swarm) throws Exception {
        int warmUp = 10;
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap, 0)) {
            for (int i = 0; i < warmUp; i++) {
                producer.send(new ProducerRecord<>(topic, value(System.nanoTime())));
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (swarm.minRecords() < warmUp && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (swarm.minRecords() < warmUp) {
            throw new IllegalStateException("some clients received nothing within 3 minutes: "
                    + swarm.starvedReplies().stream().limit(3).toList());
        }
        swarm.resetCounts();
        return warmUp;
    }

    /** A few of the gateway's own meters, read from its /metrics. */
    private static String gatewayGauges(int port) {
        try {
            var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofLines());
            StringBuilder out = new StringBuilder();
            response.body().filter(l -> l.startsWith("wharf_hub_catchup_readers") || l.startsWith("wharf_hub_lagging")
                            || l.startsWith("wharf_hub_gaps") || l.startsWith("wharf_http_outbound_pending_bytes ")
                            || l.startsWith("wharf_hub_conflated") || l.startsWith("wharf_http_slow_client_disconnects_total")
                            || l.startsWith("wharf_http_idle_disconnects_total")
                            || l.startsWith("wharf_http_connections{kind=\"websocket\""))
                    .forEach(l -> out.append(l.replaceAll("\\{[^}]*}", "")).append("; "));
            return out.toString();
        } catch (Exception e) {
            return "(metrics unavailable: " + e.getMessage() + ")";
        }
    }

    private static double benchCpuSeconds() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1e9 : 0;
    }

    private static String subscribe(String topic, String start) {
        return "{\"type\":\"subscribe\",\"id\":\"s\",\"topic\":\"" + topic + "\",\"start\":\"" + start + "\"}";
    }

    private static String fmt(double ms) {
        return String.format("%.2f ms", ms);
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    /** A 100-byte text value starting with the send time: {@code t=<nanoTime>;xxxx}. */
    static byte[] value(long nanoTime) {
        byte[] v = new byte[VALUE_BYTES];
        byte[] stamp = ("t=" + nanoTime + ";").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(stamp, 0, v, 0, stamp.length);
        for (int i = stamp.length; i < v.length; i++) {
            v[i] = 'x';
        }
        return v;
    }

    /** Sends at a fixed rate, a millisecond's worth at a time, sleeping in between (no spinning: the cores are shared). */
    private static void paced(KafkaProducer<byte[], byte[]> producer, String topic, int rate, int seconds) {
        long start = System.nanoTime();
        long total = (long) rate * seconds;
        long sent = 0;
        while (sent < total) {
            long elapsed = System.nanoTime() - start;
            long due = Math.min(total, elapsed * rate / 1_000_000_000L + 1);
            while (sent < due) {
                producer.send(new ProducerRecord<>(topic, value(System.nanoTime())));
                sent++;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L - (System.nanoTime() - start) % 1_000_000L);
        }
        producer.flush();
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap, int lingerMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(lingerMs));
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(64 * 1024));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** The baseline: a plain consumer of the same partition, counting records and their delay. */
    private static final class RawReader implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Recorder latency = new Recorder(3);
        private final AtomicLong count = new AtomicLong();
        private final Thread thread;
        private volatile long lastAt;
        private volatile boolean measure;
        private volatile boolean running = true;

        private RawReader(String bootstrap, String topic) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            consumer = new KafkaConsumer<>(p);
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            consumer.position(tp);
            thread = new Thread(this::run, "raw-reader");
            thread.setDaemon(true);
        }

        static RawReader start(String bootstrap, String topic) {
            RawReader r = new RawReader(bootstrap, topic);
            r.thread.start();
            return r;
        }

        private void run() {
            while (running) {
                var batch = consumer.poll(Duration.ofMillis(50));
                long now = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    if (measure) {
                        long delay = now - stamp(r.value());
                        if (delay > 0) {
                            latency.recordValue(delay / 1_000);
                        }
                    }
                }
                if (!batch.isEmpty()) {
                    count.addAndGet(batch.count());
                    lastAt = now;
                }
            }
            consumer.close();
        }

        private static long stamp(byte[] v) {
            long t = 0;
            for (int i = 2; i < v.length && v[i] >= '0' && v[i] <= '9'; i++) {
                t = t * 10 + (v[i] - '0');
            }
            return t;
        }

        /** Counts the first n records as not part of the measurement. */
        void skip(long n) {
            count.addAndGet(-n);
        }

        void measure(boolean on) {
            measure = on;
        }

        Recorder latency() {
            return latency;
        }

        long lastAt() {
            return lastAt;
        }

        void awaitCount(long n, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (count.get() < n && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }
}
