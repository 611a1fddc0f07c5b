package io.wharf.bench.resp;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.wharf.bench.BenchArgs;
import io.wharf.bench.BenchKafka;
import io.wharf.bench.BenchReport;
import io.wharf.bench.ProcessStats;
import io.wharf.bench.Scenario;
import io.wharf.bench.Stats;
import io.wharf.bench.baseline.RawKafka;
import io.wharf.core.config.KafkaSettings;
import io.wharf.core.config.WharfConfig;
import io.wharf.core.gateway.Gateway;
import io.wharf.resp.config.RespSettings;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The Redis-protocol door against raw kafka-clients, in one run on one broker: produce N records
 * through Wharf with a pipelined RESP load generator in its own process ({@code redis-benchmark}
 * RPUSHX, or {@link RespLoad}) against the raw producer; consume them back with
 * {@code BLMPOP ... COUNT} and with plain {@code BLPOP} (both from {@link RespLoad} in its own
 * process) against the raw consumer. The broker, the gateway and the baselines share this JVM.
 */
public final class RespScenario implements Scenario {
    @Override
    public String name() {
        return "resp";
    }

    @Override
    public String description() {
        return "Redis protocol: RPUSHX produce (redis-benchmark) and BLMPOP/BLPOP consume vs raw kafka-clients "
                + "(--records 1M --size 100 --runs 3 --partitions 1 --clients 1 --pipeline 256 --batch 1000 --warmup 200k --blocked 500)";
    }

    @Override
    public void run(BenchArgs args, BenchReport report) throws Exception {
        long records = args.number("records", 1_000_000);
        int size = args.integer("size", 100);
        int runs = args.integer("runs", 3);
        int partitions = args.integer("partitions", 1);
        int clients = args.integer("clients", 1);
        int pipeline = args.integer("pipeline", 256);
        int batch = args.integer("batch", 1000);
        int batchDepth = args.integer("batch-depth", 4);
        int blpopDepth = args.integer("blpop-depth", 100);
        long blpopRecords = args.number("blpop-records", records);
        long warmup = args.number("warmup", 200_000);
        int blocked = args.integer("blocked", 500);
        double[] blockedCost = new double[4];
        int prefetchRecords = args.integer("prefetch-records", 20_000);
        int prefetchBytes = args.integer("prefetch-bytes", 16 * 1024 * 1024);
        String redisBenchmark = args.flag("java-generator") ? null : onPath("redis-benchmark");
        report.progress("resp: %,d records of %d B, %d run(s), %d partition(s); produce with %s (%d connections, "
                        + "pipeline %d); BLMPOP COUNT %d x%d in flight; BLPOP x%d in flight; prefetch %,d records / %,d B",
                records, size, runs, partitions, redisBenchmark == null ? "RespLoad (Java)" : redisBenchmark, clients,
                pipeline, batch, batchDepth, blpopDepth, prefetchRecords, prefetchBytes);

        Stats rawProduce = new Stats();
        Stats respProduce = new Stats();
        Stats generatorRps = new Stats();
        Stats rawConsume = new Stats();
        Stats batchConsume = new Stats();
        Stats blpopConsume = new Stats();
        Stats batchStartup = new Stats();
        try (BenchKafka kafka = BenchKafka.start(args)) {
            WharfConfig config = WharfConfig.defaults().withBootstrapServers(kafka.bootstrapServers()).withEphemeralPorts()
                    .with(RespSettings.class, RespSettings.defaults().withPrefetch(prefetchRecords, prefetchBytes))
                    .withKafka(new KafkaSettings(null, null,
                            Map.of("max.partition.fetch.bytes", String.valueOf(prefetchBytes)), null, null));
            try (Gateway gateway = Gateway.start(config)) {
                int port = gateway.endpoint("resp").port();
                if (warmup > 0) {
                    // both paths once, unmeasured, so the JIT has compiled them before run 1
                    String rawWarm = createTopic(kafka, "resp-warm-raw", partitions);
                    RawKafka.produce(kafka.bootstrapServers(), rawWarm, warmup, size);
                    String warm = createTopic(kafka, "resp-warm", partitions);
                    if (redisBenchmark != null) {
                        produceWithRedisBenchmark(redisBenchmark, kafka, port, warm, warmup, size, clients, pipeline);
                    } else {
                        produceWithRespLoad(kafka, port, warm, warmup, size, pipeline * clients);
                    }
                    consumeRaw(kafka.bootstrapServers(), warm, warmup);
                    load("batch", port, warm, warmup, batchDepth, batch);
                    load("blpop", port, warm, Math.min(warmup, blpopRecords), blpopDepth, 1);
                    kafka.admin().deleteTopics(List.of(rawWarm, warm)).all().get();
                    report.progress("warm-up done (%,d records through every path)", warmup);
                }
                resetPeakHeap();
                for (int run = 1; run <= runs; run++) {
                    String rawTopic = createTopic(kafka, "resp-raw", partitions);
                    Map<String, Long> p0 = threadCpu();
                    RawKafka.Throughput p = RawKafka.produce(kafka.bootstrapServers(), rawTopic, records, size);
                    Map<String, Long> p1 = threadCpu();
                    rawProduce.add(p.recordsPerSecond());

                    String topic = createTopic(kafka, "resp-wharf", partitions);
                    Map<String, Long> p2 = threadCpu();
                    double[] produced = redisBenchmark != null
                            ? produceWithRedisBenchmark(redisBenchmark, kafka, port, topic, records, size, clients, pipeline)
                            : produceWithRespLoad(kafka, port, topic, records, size, pipeline * clients);
                    Map<String, Long> p3 = threadCpu();
                    report.progress("run %d CPU per record: raw producer %s; RESP produce %s, generator %.0f ns", run,
                            perRecord(p0, p1, records), perRecord(p2, p3, records), produced[2] / records);
                    respProduce.add(produced[0]);
                    generatorRps.add(produced[1]);
                    report.progress("run %d produce: raw %,.0f rec/s, Wharf %,.0f rec/s acknowledged by Kafka (generator saw "
                            + "%,.0f replies/s), ratio %.2f", run, p.recordsPerSecond(), produced[0], produced[1],
                            produced[0] / p.recordsPerSecond());

                    Map<String, Long> cpu0 = threadCpu();
                    double raw = consumeRaw(kafka.bootstrapServers(), topic, records);
                    Map<String, Long> cpu1 = threadCpu();
                    rawConsume.add(raw);
                    Load b = load("batch", port, topic, records, batchDepth, batch);
                    Map<String, Long> cpu2 = threadCpu();
                    report.progress("run %d CPU per record: raw consumer %s; BLMPOP %s", run,
                            perRecord(cpu0, cpu1, records), perRecord(cpu1, cpu2, records));
                    batchConsume.add(b.steadyRate());
                    batchStartup.add(b.firstNanos() / 1e6);
                    Load l = load("blpop", port, topic, blpopRecords, blpopDepth, 1);
                    blpopConsume.add(l.steadyRate());
                    report.progress("run %d consume: raw %,.0f rec/s, BLMPOP %,.0f rec/s (ratio %.2f; %,.0f with its %.0f ms"
                                    + " start and group join; generator used %.2f cores), BLPOP %,.0f rec/s (ratio %.2f; "
                                    + "generator %.2f cores)", run, raw, b.steadyRate(), b.steadyRate() / raw, b.totalRate(),
                            b.firstNanos() / 1e6, b.cores(), l.steadyRate(), l.steadyRate() / raw, l.cores());
                    kafka.admin().deleteTopics(List.of(rawTopic, topic)).all().get();
                }
                if (blocked > 0) {
                    blockedCost = blockedCost(kafka, port, blocked, report);
                }
            }
        }
        long peakRss = ProcessStats.peakRssBytes(ProcessHandle.current().pid());
        long peakHeap = peakHeapBytes();
        report.columns("measure", "raw kafka-clients", "Wharf (RESP)", "ratio", "target");
        report.row("produce " + size + " B, records/s (until acknowledged)", rawProduce.format("%,.0f"),
                respProduce.format("%,.0f"), String.format("%.2f", respProduce.median() / rawProduce.median()), ">= 0.8");
        report.row("  generator replies/s (RPUSHX answered on hand-off)", "-", generatorRps.format("%,.0f"), "-", "");
        report.row("consume BLMPOP COUNT " + batch + ", records/s", rawConsume.format("%,.0f"),
                batchConsume.format("%,.0f"), String.format("%.2f", batchConsume.median() / rawConsume.median()), ">= 0.5");
        report.row("  BLMPOP first record after (consumer start and group join)", "-", batchStartup.format("%,.0f") + " ms",
                "-", "");
        report.row("consume BLPOP (x" + blpopDepth + " pipelined), records/s", rawConsume.format("%,.0f"),
                blpopConsume.format("%,.0f"), String.format("%.2f", blpopConsume.median() / rawConsume.median()), "-");
        report.row("peak RSS / peak heap of broker + gateway JVM", "-",
                String.format("%,d MiB / %,d MiB", peakRss >> 20, peakHeap >> 20), "-", "");
        if (blocked > 0) {
            report.row("connections blocked in BLPOP 0 at once", "-", String.format("%,d", blocked), "-", ">= 500");
            report.row("  heap per blocked consumer connection", "-", String.format("%,.0f KiB", blockedCost[0] / 1024), "-", "");
            report.row("  poller threads' CPU while they wait", "-", String.format("%.1f%% of one core", blockedCost[1] * 100), "-", "");
            report.row("  JVM threads while they wait", "-", String.format("%,.0f", blockedCost[2]), "-", "");
            report.row("  PING round trip while they wait (median of 200)", "-", String.format("%.2f ms", blockedCost[3]), "-", "");
        }
        report.print("resp: " + records + " x " + size + " B, " + partitions + " partition(s), " + runs + " run(s)");
    }

    /**
     * Produces through redis-benchmark (RPUSHX) and measures until Kafka holds every record.
     *
     * @return {records/s until acknowledged, the generator's own requests/s}
     */
    private static double[] produceWithRedisBenchmark(String program, BenchKafka kafka, int port, String topic, long records,
                                                      int size, int clients, int pipeline) throws Exception {
        List<String> command = List.of(program, "-h", "127.0.0.1", "-p", String.valueOf(port), "-n", String.valueOf(records),
                "-c", String.valueOf(clients), "-P", String.valueOf(pipeline), "--csv", "RPUSHX", "topics:" + topic,
                "x".repeat(size));
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        // the generator's CPU, sampled until it exits (a finished process has no /proc entry)
        java.util.concurrent.atomic.AtomicLong generatorCpu = new java.util.concurrent.atomic.AtomicLong(-1);
        Thread sampler = new Thread(() -> {
            while (p.isAlive()) {
                long cpu = ProcessStats.cpuNanos(p.pid());
                if (cpu >= 0) {
                    generatorCpu.set(cpu);
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "redis-benchmark-cpu");
        sampler.setDaemon(true);
        sampler.start();
        long acknowledged = awaitEndOffsets(kafka, topic, records, Duration.ofMinutes(5));
        long nanos = System.nanoTime() - start;
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroy();
            throw new IllegalStateException("redis-benchmark did not finish");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (acknowledged < records) {
            throw new IllegalStateException("only " + acknowledged + " of " + records + " records reached Kafka; "
                    + "redis-benchmark said: " + out);
        }
        sampler.join(1000);
        return new double[] {records * 1e9 / nanos, csvRequestsPerSecond(out), generatorCpu.get()};
    }

    /** The same with the Java generator (for machines without redis-benchmark). */
    private static double[] produceWithRespLoad(BenchKafka kafka, int port, String topic, long records, int size,
                                                int depth) throws Exception {
        long start = System.nanoTime();
        Load l = load("produce", port, topic, records, depth, size);
        awaitEndOffsets(kafka, topic, records, Duration.ofMinutes(5));
        long nanos = System.nanoTime() - start;
        return new double[] {records * 1e9 / nanos, l.totalRate(), l.cpuNanos()};
    }

    /**
     * Holds {@code count} connections blocked in {@code BLPOP topics:<empty> 0} (from a child process)
     * and measures what they cost this JVM.
     *
     * @return {heap bytes per connection, poller CPU in cores, JVM threads, median PING ms}
     */
    private static double[] blockedCost(BenchKafka kafka, int port, int count, BenchReport report) throws Exception {
        String topic = createTopic(kafka, "resp-blocked", 1);
        long heapBefore = heapAfterGc();
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), RespLoad.class.getName(), "blocked", String.valueOf(port), topic,
                String.valueOf(count), "0", "0");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8)); java.net.Socket probe = new java.net.Socket("127.0.0.1", port)) {
            String line = out.readLine();
            if (line == null || !line.startsWith("BLOCKED")) {
                throw new IllegalStateException("the blocked-clients process said: " + line);
            }
            probe.setTcpNoDelay(true);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!info(probe, "clients").contains("blocked_clients:" + count)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("not all " + count + " connections blocked: " + info(probe, "clients"));
                }
                Thread.sleep(200);
            }
            // measure the steady state: every one of them a stable member of its group
            String groupPrefix = line.split(" ")[2];
            List<String> groups = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                groups.add(groupPrefix + i);
            }
            while (!allStable(kafka, groups)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the " + count + " consumer groups did not settle in time");
                }
                Thread.sleep(500);
            }
            long heapBlocked = heapAfterGc();
            int threads = ManagementFactory.getThreadMXBean().getThreadCount();
            long cpu0 = pollerCpuNanos();
            long wall0 = System.nanoTime();
            Thread.sleep(10_000);
            double pollerCores = (pollerCpuNanos() - cpu0) / (double) (System.nanoTime() - wall0);
            Stats ping = new Stats();
            for (int i = 0; i < 200; i++) {
                long t = System.nanoTime();
                info(probe, null);
                ping.add((System.nanoTime() - t) / 1e6);
            }
            report.progress("%,d blocked: heap %,d -> %,d B, threads %d -> %d, pollers %.1f%% of a core, PING %.2f ms",
                    count, heapBefore, heapBlocked, threadsBefore, threads, pollerCores * 100, ping.median());
            return new double[] {(heapBlocked - heapBefore) / (double) count, pollerCores, threads, ping.median()};
        } finally {
            p.getOutputStream().close();
            p.waitFor(60, TimeUnit.SECONDS);
            p.destroy();
        }
    }

    private static boolean allStable(BenchKafka kafka, List<String> groups) throws Exception {
        try {
            for (var d : kafka.admin().describeConsumerGroups(groups).all().get().values()) {
                if (d.groupState() != org.apache.kafka.common.GroupState.STABLE || d.members().size() != 1) {
                    return false;
                }
            }
            return true;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
                return false; // not joined yet
            }
            throw e;
        }
    }

    /** INFO section over a plain socket (PING when the section is null); the reply text. */
    private static String info(java.net.Socket s, String section) throws IOException {
        String cmd = section == null ? "*1\r\n$4\r\nPING\r\n"
                : "*2\r\n$4\r\nINFO\r\n$" + section.length() + "\r\n" + section + "\r\n";
        s.getOutputStream().write(cmd.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        java.io.InputStream in = s.getInputStream();
        int type = in.read();
        StringBuilder header = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            header.append((char) c);
        }
        in.read();
        if (type != '$') {
            return header.toString();
        }
        byte[] body = in.readNBytes(Integer.parseInt(header.toString()) + 2);
        return new String(body, StandardCharsets.UTF_8);
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long pollerCpuNanos() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("wharf-resp-poller-")) {
                sum += Math.max(0, mx.getThreadCpuTime(t.getId()));
            }
        }
        return sum;
    }

    /** CPU time of this JVM's threads by role (event loops, pollers, broker, clients, other). */
    private static Map<String, Long> threadCpu() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> byRole = new java.util.TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            long cpu = mx.getThreadCpuTime(t.getId());
            if (cpu > 0) {
                byRole.merge(role(t.getName()), cpu, Long::sum);
            }
        }
        return byRole;
    }

    private static String role(String thread) {
        if (thread.startsWith("wharf-io")) {
            return "event-loops";
        }
        if (thread.startsWith("wharf-resp-poller")) {
            return "pollers";
        }
        if (thread.startsWith("main")) {
            return "bench-main";
        }
        if (thread.startsWith("data-plane") || thread.startsWith("kafka-") && !thread.contains("producer")
                || thread.startsWith("ReplicaFetcher") || thread.startsWith("group-coordinator")) {
            return "broker";
        }
        return "other";
    }

    /** Nanoseconds of CPU per record spent by each role between two snapshots (roles under 5 ns left out). */
    private static String perRecord(Map<String, Long> before, Map<String, Long> after, long records) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Long> e : after.entrySet()) {
            double ns = (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / (double) records;
            if (ns >= 5) {
                out.append(out.length() == 0 ? "" : ", ").append(String.format("%s %.0f ns", e.getKey(), ns));
            }
        }
        return out.toString();
    }

    /** Creates a topic and waits until every partition has a leader, so no run measures a leader election. */
    private static String createTopic(BenchKafka kafka, String prefix, int partitions) throws Exception {
        String topic = kafka.createTopic(prefix, partitions, RawKafka.topicConfigs());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            boolean led = kafka.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                    .stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
            if (led) {
                return topic;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("topic " + topic + " has no leader after 30 s");
    }

    /** redis-benchmark's CSV: a header line, then {@code "RPUSHX ...","<rps>",...}. */
    private static double csvRequestsPerSecond(String csv) {
        for (String line : csv.split("\n")) {
            String[] cells = line.split("\",\"");
            if (cells.length > 1 && !cells[0].startsWith("\"test")) {
                try {
                    return Double.parseDouble(cells[1].replace("\"", ""));
                } catch (NumberFormatException ignored) {
                    // not the result line
                }
            }
        }
        return Double.NaN;
    }

    /** Waits until the topic's end offsets add up to {@code records}; returns what they reached. */
    public static long awaitEndOffsets(BenchKafka kafka, String topic, long records, Duration timeout) throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        kafka.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        long deadline = System.nanoTime() + timeout.toNanos();
        long total = 0;
        while (System.nanoTime() < deadline) {
            total = kafka.admin().listOffsets(latest).all().get().values().stream().mapToLong(i -> i.offset()).sum();
            if (total >= records) {
                return total;
            }
            Thread.sleep(10);
        }
        return total;
    }

    /** The raw consumer from the first record received to the last, as the RESP consumers are measured. */
    private static double consumeRaw(String bootstrapServers, String topic, long records) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(RawKafka.consumerProperties(bootstrapServers))) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long received = 0;
            long first = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (received < records && System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<byte[], byte[]> ignored : batch) {
                    if (received++ == 0) {
                        first = System.nanoTime();
                    }
                }
            }
            return received * 1e9 / (System.nanoTime() - first);
        }
    }

    /**
     * One {@link RespLoad} run's outcome.
     *
     * @param records    records moved
     * @param totalNanos from process start to the end
     * @param firstNanos from process start to the first record (or reply)
     * @param lastNanos  from process start to the last record (or reply)
     */
    record Load(long records, long totalNanos, long firstNanos, long lastNanos, long cpuNanos) {
        /** The generator's CPU use over its whole run, in cores (1.0 = one core busy all the time). */
        double cores() {
            return cpuNanos / (double) Math.max(1, totalNanos);
        }

        double steadyRate() {
            return records * 1e9 / Math.max(1, lastNanos - firstNanos);
        }

        double totalRate() {
            return records * 1e9 / Math.max(1, lastNanos);
        }
    }

    /** Runs {@link RespLoad} in its own JVM (the load generator is a separate process, as the rules ask). */
    private static Load load(String mode, int port, String topic, long records, int depth, int param) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"), RespLoad.class.getName(), mode,
                String.valueOf(port), topic, String.valueOf(records), String.valueOf(depth), String.valueOf(param));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("RespLoad " + mode + " failed: " + out);
        }
        Map<String, Long> fields = new HashMap<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("RESULT ")) {
                for (String kv : line.substring(7).trim().split(" ")) {
                    String[] pair = kv.split("=");
                    fields.put(pair[0], Long.parseLong(pair[1]));
                }
            }
        }
        if (fields.isEmpty()) {
            throw new IllegalStateException("RespLoad " + mode + " printed no result: " + out);
        }
        return new Load(fields.get("records"), fields.get("total_nanos"), fields.get("first_nanos"), fields.get("last_nanos"),
                fields.getOrDefault("cpu_nanos", -1L));
    }

    private static String onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    private static void resetPeakHeap() {
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long peakHeapBytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
