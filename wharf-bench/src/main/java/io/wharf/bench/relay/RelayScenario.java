package io.wharf.bench.relay;

import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import io.wharf.bench.BenchArgs;
import io.wharf.bench.BenchKafka;
import io.wharf.bench.BenchReport;
import io.wharf.bench.Scenario;
import io.wharf.bench.Stats;
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
 * The relay against a slow endpoint: one partition, an endpoint answering after a fixed latency
 * (its own JVM), many keys and many calls in flight. Wharf's events/s are set against Little's law
 * (in-flight ÷ latency, the most any relay can do) and against partition-ordered processing (one
 * call at a time, measured in the same run with a plain consumer); a one-key run shows ordering
 * holds the relay to one call at a time for a single key.
 */
public final class RelayScenario implements Scenario {
    @Override
    public String name() {
        return "relay";
    }

    @Override
    public String description() {
        return "Relay: events/s through 1 partition to a 100 ms endpoint, 10,000 keys, 1,000 in flight; vs Little's law and partition order";
    }

    @Override
    public void run(BenchArgs args, BenchReport report) throws Exception {
        int keys = args.integer("keys", 10_000);
        int inFlight = args.integer("in-flight", 1_000);
        long latency = args.integer("latency-ms", 100);
        int events = args.integer("events", 100_000);
        int runs = args.integer("runs", 3);
        int oneKeyEvents = args.integer("one-key-events", 50);
        int baselineEvents = args.integer("baseline-events", 50);
        int warmup = args.integer("warmup-events", 50_000);
        List<String> gatewayJvm = List.of(args.text("gateway-jvm-args", "-Xms1g -Xmx1g -XX:+UseParallelGC").trim()
                .split("\\s+"));
        double limit = inFlight * 1000.0 / latency;
        report.progress("relay: %,d events over %,d keys, 1 partition, %d in flight, endpoint latency %d ms; %d runs; "
                + "Little's-law limit %,.0f events/s", events, keys, inFlight, latency, runs, limit);
        report.progress("three JVMs: broker + driver (this one), gateway %s, endpoint", gatewayJvm);

        try (BenchKafka kafka = BenchKafka.start(args); EndpointProcess endpoint = EndpointProcess.start(latency)) {
            report.progress("endpoint pid %d at %s", endpoint.pid(), endpoint.url("/"));
            String dlt = kafka.createTopic("relay-bench-dlt", 1, Map.of());

            // baseline: what partition-ordered processing does, one call at a time (a plain consumer)
            String baseTopic = kafka.createTopic("relay-bench-base", 1, Map.of());
            produce(kafka, baseTopic, "base", keys, baselineEvents);
            endpoint.reset(baselineEvents);
            double ordered = partitionOrdered(kafka, baseTopic, endpoint, baselineEvents);
            report.progress("partition-ordered baseline: %.2f events/s", ordered);

            Run one;
            Stats rates = new Stats();
            Stats ratios = new Stats();
            Stats measuredRatios = new Stats();
            List<String> details = new ArrayList<>();
            // one gateway JVM for everything, one route per run: the runs measure a warmed-up gateway
            List<String> topics = new ArrayList<>();
            for (int i = 0; i <= runs + 1; i++) {
                topics.add(kafka.createTopic("relay-bench-" + i, 1, Map.of()));
            }
            try (RelayGatewayProcess gateway = RelayGatewayProcess.start(gatewayJvm, kafka.bootstrapServers(), topics, dlt,
                    endpoint.url("/hook"), inFlight)) {
                report.progress("gateway pid %d, log in %s", gateway.pid(), gateway.log());
                endpoint.reset(warmup);
                produce(kafka, topics.get(0), "warmup", keys, warmup);
                await(endpoint, gateway, warmup);
                report.progress("warm-up: %,d events relayed", warmup);
                for (int run = 1; run <= runs; run++) {
                    endpoint.reset(events);
                    gateway.mark();
                    long endpointCpu = endpoint.stats().get("cpu-millis");
                    long driverCpu = processCpuMillis();
                    produce(kafka, topics.get(run), "r" + run, keys, events);
                    Run r = await(endpoint, gateway, events);
                    double rate = 0.8 * events / (r.endpoint.get("ten-to-ninety-micros") / 1e6);
                    rates.add(rate);
                    ratios.add(rate / limit);
                    // the same law with the endpoint's own measured time per call (its timer runs late when busy)
                    double measuredLimit = inFlight * 1e6 / r.endpoint.get("mean-latency-micros");
                    measuredRatios.add(rate / measuredLimit);
                    double seconds = r.endpoint.get("first-to-last-micros") / 1e6;
                    String line = String.format(Locale.ROOT, "run %d: %,.0f events/s (%.3f of the limit); in flight mean "
                                    + "%d peak %d; endpoint latency %.1f ms; order violations %d, key overlaps %d, "
                                    + "duplicates %d; commits %s (mean %s ms, max %s ms)", run, rate, rate / limit,
                            r.meanInFlight, r.endpoint.get("peak-in-flight"),
                            r.endpoint.get("mean-latency-micros") / 1000.0, r.endpoint.get("order-violations"),
                            r.endpoint.get("overlaps"), r.endpoint.get("duplicates"), r.gateway.get("commits"),
                            r.gateway.get("commit-mean-ms"), r.gateway.get("commit-max-ms"));
                    report.progress("%s", line);
                    details.add(line);
                    details.add(String.format(Locale.ROOT, "  CPU over %.1f s of arrivals: gateway %.1f s (GC %.1f s; %s),"
                                    + " endpoint %.1f s, broker+driver %.1f s (incl. producing the events); gateway peak "
                                    + "RSS %d MiB", seconds, Long.parseLong(r.gateway.get("cpu-ms")) / 1000.0,
                            Long.parseLong(r.gateway.get("gc-ms")) / 1000.0, r.gateway.get("threads"),
                            (r.endpoint.get("cpu-millis") - endpointCpu) / 1000.0,
                            (processCpuMillis() - driverCpu) / 1000.0, gateway.peakRssMiB()));
                }
                endpoint.reset(oneKeyEvents);
                produce(kafka, topics.get(runs + 1), "one", 1, oneKeyEvents);
                one = await(endpoint, gateway, oneKeyEvents);
            }
            double oneRate = (oneKeyEvents - 1) / (one.endpoint.get("first-to-last-micros") / 1e6);
            report.progress("one key: %.2f events/s, peak in flight %d, order violations %d, overlaps %d", oneRate,
                    one.endpoint.get("peak-in-flight"), one.endpoint.get("order-violations"), one.endpoint.get("overlaps"));

            report.columns("case", "events", "Wharf events/s (median, min-max)", "limit events/s", "Wharf / limit",
                    "Wharf / limit at measured endpoint latency", "partition-ordered events/s", "Wharf / partition-ordered");
            report.row(String.format(Locale.ROOT, "%,d keys, %,d in flight", keys, inFlight), events,
                    rates.format("%,.0f"), String.format(Locale.ROOT, "%,.0f", limit), ratios.format("%.3f"),
                    measuredRatios.format("%.3f"), String.format(Locale.ROOT, "%.2f", ordered),
                    String.format(Locale.ROOT, "%,.0fx", rates.median() / ordered));
            double oneLimit = 1e6 / one.endpoint.get("mean-latency-micros");
            report.row("1 key", oneKeyEvents, String.format(Locale.ROOT, "%.2f", oneRate),
                    String.format(Locale.ROOT, "%.2f", 1000.0 / latency),
                    String.format(Locale.ROOT, "%.3f", oneRate / (1000.0 / latency)),
                    String.format(Locale.ROOT, "%.3f", oneRate / oneLimit),
                    String.format(Locale.ROOT, "%.2f", ordered), String.format(Locale.ROOT, "%.2fx", oneRate / ordered));
            report.print("relay: key-ordered concurrency against a " + latency + " ms endpoint");
            details.forEach(d -> System.out.println("  " + d));
            System.out.printf(Locale.ROOT, "  one key: order violations %d, overlaps %d, peak in flight %d%n",
                    one.endpoint.get("order-violations"), one.endpoint.get("overlaps"), one.endpoint.get("peak-in-flight"));
            System.out.printf(Locale.ROOT, "  load average at the end: %s%n", loadAverage());
        }
    }

    /** What one run measured. */
    private record Run(Map<String, Long> endpoint, Map<String, String> gateway, long meanInFlight) {
    }

    /** Waits until the endpoint has answered {@code events} events, sampling the gateway's calls in flight. */
    private static Run await(EndpointProcess endpoint, RelayGatewayProcess gateway, int events) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        double inFlightSum = 0;
        int samples = 0;
        while (System.nanoTime() < deadline) {
            Map<String, Long> s = endpoint.stats();
            if (s.get("answered") >= events) {
                return new Run(s, gateway.stats(), samples == 0 ? 0 : Math.round(inFlightSum / samples));
            }
            if (s.get("requests") > 0) {
                inFlightSum += Long.parseLong(gateway.stats().get("in-flight"));
                samples++;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the relay did not deliver " + events + " events within 10 minutes");
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }

    /** A plain consumer calling the endpoint once per record, waiting for each answer: ordered per partition. */
    private static double partitionOrdered(BenchKafka kafka, String topic, EndpointProcess endpoint, int events)
            throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        int done = 0;
        long first = 0;
        long last = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            while (done < events) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    long t = System.nanoTime();
                    if (done == 0) {
                        first = t;
                    }
                    HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(endpoint.url("/hook"))
                            .header("Wharf-Key", new String(r.key(), StandardCharsets.UTF_8))
                            .header("Idempotency-Key", "base:" + r.offset())
                            .POST(HttpRequest.BodyPublishers.ofByteArray(r.value())).build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (answer.statusCode() != 200) {
                        throw new IllegalStateException("baseline call answered " + answer.statusCode());
                    }
                    last = t;
                    if (++done == events) {
                        break;
                    }
                }
            }
        }
        return (events - 1) / ((last - first) / 1e9);
    }

    /** Events {@code key|seq}, keys taken in turn, so every key's sequence is spread over the partition. */
    private static void produce(BenchKafka kafka, String topic, String prefix, int keys, int events) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        int[] seq = new int[keys];
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < events; i++) {
                int k = i % keys;
                String key = prefix + "-key-" + k;
                producer.send(new ProducerRecord<>(topic, 0, key.getBytes(StandardCharsets.UTF_8),
                        (key + "|" + seq[k]++).getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }

    private static long processCpuMillis() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1_000_000;
    }
}
