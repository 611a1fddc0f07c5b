package io.wharf.bench.security;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;

import io.wharf.bench.BenchArgs;
import io.wharf.bench.BenchKafka;
import io.wharf.bench.BenchReport;
import io.wharf.bench.Scenario;
import io.wharf.bench.Stats;
import io.wharf.bench.baseline.RawKafka;
import io.wharf.bench.resp.RespLoad;
import io.wharf.bench.resp.RespScenario;
import io.wharf.testkit.TestCertificates;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What TLS and access rules cost: one broker, one gateway process per variant (plain; TLS; auth
 * and rules; both; rules with a bound filter), measured back to back in rounds (a b c d e a b c d
 * e ...), each against the plain gateway of the same round. Workloads: pipelined RESP
 * {@code RPUSHX} over several connections ({@link RespLoad} in its own process) until Kafka holds
 * every record, and SSE fan-out to many clients ({@link SseSwarm}) until each has every record.
 */
public final class SecurityScenario implements Scenario {
    private static final String USER = "bench";
    private static final String PASSWORD = "bench-secret";
    private static final int OTHER_RULES = 20;
    private static final Duration WAIT = Duration.ofMinutes(5);

    /** The gateways compared; each is its own process. */
    enum Variant {
        PLAIN("a plain", false, false, false),
        TLS("b TLS", true, false, false),
        RULES("c auth + rules", false, true, false),
        TLS_RULES("d TLS + auth + rules", true, true, false),
        WHERE("e auth + rules + where (SSE)", false, true, true);

        final String label;
        final boolean tls;
        final boolean rules;
        final boolean where;

        Variant(String label, boolean tls, boolean rules, boolean where) {
            this.label = label;
            this.tls = tls;
            this.rules = rules;
            this.where = where;
        }

        /** RESP produce with a bound key would need keyed RPUSHX; the bound filter is measured on SSE only. */
        boolean produces() {
            return !where;
        }
    }

    /** One measured run: throughput and the gateway's CPU over it. */
    private record Run(double perSecond, double cpuSeconds, double cpuMicrosPerRecord) {
    }

    @Override
    public String name() {
        return "security";
    }

    @Override
    public String description() {
        return "cost of TLS and access rules on RESP produce and SSE fan-out vs the same gateway without them "
                + "(--rounds 3 --records 200k --size 100 --connections 4 --pipeline 100 --sse-clients 200 --sse-records 20k "
                + "--heap 1g [--jfr DIR] [--no-warmup])";
    }

    @Override
    public void run(BenchArgs args, BenchReport report) throws Exception {
        int rounds = args.integer("rounds", 3);
        long records = args.number("records", 200_000);
        int size = args.integer("size", 100);
        int connections = args.integer("connections", 4);
        int pipeline = args.integer("pipeline", 100);
        int sseClients = args.integer("sse-clients", 200);
        long sseRecords = args.number("sse-records", 20_000);
        String heap = args.text("heap", "1g");
        String jfr = args.text("jfr", null);
        boolean warmup = !args.flag("no-warmup");
        report.progress("security: %d round(s); RESP RPUSHX %,d x %d B over %d connection(s), pipeline %d; SSE %d clients x "
                + "%,d records; gateway heap %s%s", rounds, records, size, connections, pipeline, sseClients, sseRecords, heap,
                jfr == null ? "" : ", flight recordings in " + jfr);

        Path dir = Files.createTempDirectory("wharf-bench-security");
        TestCertificates ca = TestCertificates.authority("wharf-bench-ca");
        TestCertificates.Issued server = ca.server("wharf-bench");
        Path cert = server.writeCertPem(dir.resolve("cert.pem"));
        Path key = server.writeKeyPem(dir.resolve("key.pem"));
        Path caPem = ca.writePem(dir.resolve("ca.pem"));
        SSLContext clientTls = ClientTls.trusting(caPem);

        Map<Variant, Stats> produceRate = stats();
        Map<Variant, Stats> produceCpu = stats();
        Map<Variant, Stats> produceMicros = stats();
        Map<Variant, Stats> produceRatio = stats();
        Map<Variant, Stats> sseRate = stats();
        Map<Variant, Stats> sseCpu = stats();
        Map<Variant, Stats> sseMicros = stats();
        Map<Variant, Stats> sseRatio = stats();
        Map<Variant, SecuredGateway> gateways = new EnumMap<>(Variant.class);
        try (BenchKafka kafka = BenchKafka.start(args);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(RawKafka.producerProperties(kafka.bootstrapServers(), 5))) {
            for (Variant v : Variant.values()) {
                List<String> jvm = new ArrayList<>(List.of("-Xms" + heap, "-Xmx" + heap));
                if (jfr != null) {
                    Files.createDirectories(Path.of(jfr));
                    jvm.add("-XX:StartFlightRecording=dumponexit=true,settings=profile,filename="
                            + Path.of(jfr, v.name().toLowerCase(Locale.ROOT) + ".jfr").toAbsolutePath());
                }
                SecuredGateway g = SecuredGateway.start(v.name().toLowerCase(Locale.ROOT), kafka.bootstrapServers(),
                        yaml(v, cert, key), jvm);
                gateways.put(v, g);
                String provider = v.tls ? g.logLine("event=tls-ready") : null;
                report.progress("gateway %s: pid %d, log %s%s", v.label, g.pid(), g.log(),
                        provider == null ? "" : "; " + provider.substring(provider.indexOf("event=")));
            }
            if (warmup) {
                for (Variant v : Variant.values()) {
                    SecuredGateway g = gateways.get(v);
                    if (v.produces()) {
                        produce(kafka, g, v, caPem, Math.max(records / 2, 1), size, connections, pipeline);
                    }
                    fanOut(kafka, producer, g, v, clientTls, sseClients, Math.max(sseRecords / 4, 1), size);
                }
                report.progress("warm-up done (every variant once, unmeasured)");
            }
            for (int round = 1; round <= rounds; round++) {
                Map<Variant, Run> produced = new EnumMap<>(Variant.class);
                Map<Variant, Run> fanned = new EnumMap<>(Variant.class);
                for (Variant v : Variant.values()) {
                    SecuredGateway g = gateways.get(v);
                    if (v.produces()) {
                        Run p = produce(kafka, g, v, caPem, records, size, connections, pipeline);
                        produced.put(v, p);
                        produceRate.get(v).add(p.perSecond());
                        produceCpu.get(v).add(p.cpuSeconds());
                        produceMicros.get(v).add(p.cpuMicrosPerRecord());
                    }
                    Run s = fanOut(kafka, producer, g, v, clientTls, sseClients, sseRecords, size);
                    fanned.put(v, s);
                    sseRate.get(v).add(s.perSecond());
                    sseCpu.get(v).add(s.cpuSeconds());
                    sseMicros.get(v).add(s.cpuMicrosPerRecord());
                    report.progress("round %d %-30s RESP %s | SSE %,.0f deliveries/s, gateway %.2f s CPU, %.2f µs/delivery",
                            round, v.label, produced.containsKey(v) ? String.format(Locale.ROOT,
                                    "%,.0f rec/s, gateway %.2f s CPU, %.2f µs/rec", produced.get(v).perSecond(),
                                    produced.get(v).cpuSeconds(), produced.get(v).cpuMicrosPerRecord()) : "-",
                            s.perSecond(), s.cpuSeconds(), s.cpuMicrosPerRecord());
                }
                for (Variant v : Variant.values()) {
                    if (produced.containsKey(v)) {
                        produceRatio.get(v).add(produced.get(v).perSecond() / produced.get(Variant.PLAIN).perSecond());
                    }
                    sseRatio.get(v).add(fanned.get(v).perSecond() / fanned.get(Variant.PLAIN).perSecond());
                }
            }
        } finally {
            gateways.values().forEach(SecuredGateway::close);
        }

        report.columns("workload", "variant", "records/s", "gateway CPU s", "CPU µs/record", "ratio to (a)", "target >= 0.8");
        for (Variant v : Variant.values()) {
            if (v.produces()) {
                report.row("RESP RPUSHX " + size + " B x" + connections + " conn, pipeline " + pipeline, v.label,
                        produceRate.get(v).format("%,.0f"), produceCpu.get(v).format("%.2f"),
                        produceMicros.get(v).format("%.2f"), produceRatio.get(v).format("%.2f"),
                        verdict(v, produceRatio.get(v)));
            }
        }
        for (Variant v : Variant.values()) {
            report.row("SSE fan-out " + sseClients + " clients (deliveries)", v.label, sseRate.get(v).format("%,.0f"),
                    sseCpu.get(v).format("%.2f"), sseMicros.get(v).format("%.3f"), sseRatio.get(v).format("%.2f"),
                    verdict(v, sseRatio.get(v)));
        }
        report.print("security: " + rounds + " round(s), median (min–max); ratio = variant / plain of the same round");
    }

    private static Map<Variant, Stats> stats() {
        Map<Variant, Stats> m = new EnumMap<>(Variant.class);
        for (Variant v : Variant.values()) {
            m.put(v, new Stats());
        }
        return m;
    }

    private static String verdict(Variant v, Stats ratio) {
        if (v == Variant.PLAIN) {
            return "-";
        }
        return ratio.median() >= 0.8 ? "met" : "missed";
    }

    /** The variant's configuration file: TLS beside the plain ports; a user and 21 rules, the last one the bench grant. */
    static String yaml(Variant v, Path cert, Path key) {
        StringBuilder y = new StringBuilder();
        if (v.tls) {
            for (String door : List.of("resp", "http")) {
                y.append(door).append(":\n  tls:\n    cert: ").append(cert).append("\n    key: ").append(key)
                        .append("\n    port: 0\n");
            }
        }
        if (v.rules) {
            y.append("auth:\n  users:\n    ").append(USER).append(": ").append(PASSWORD).append('\n');
            for (int i = 0; i < OTHER_RULES; i++) {
                y.append("    user-").append(i).append(": secret-").append(i).append('\n');
            }
            y.append("access:\n  roles:\n    team: [").append(USER).append("]\n  rules:\n");
            // rules that name the bench principal (by name or role) for other topics, checked before the one that grants
            for (int i = 0; i < OTHER_RULES; i++) {
                y.append("  - principals: [user-").append(i).append(", ").append(i % 2 == 0 ? USER : "role:team")
                        .append("]\n    topics: [\"tenant-").append(i).append(".*\", \"shared-").append(i)
                        .append("-?\"]\n    groups: [\"tenant-").append(i).append("-*\"]\n    allow: [produce, consume, join, commit]\n");
            }
            y.append("  - principals: [").append(USER).append("]\n    topics: [\"security-*\"]\n    allow: [produce, consume]\n");
            if (v.where) {
                // a literal bound key: every record the bench produces carries it, so the filter runs and admits all
                y.append("    where:\n      key: ").append(USER).append('\n');
            }
        }
        return y.toString();
    }

    /** RESP RPUSHX through {@link RespLoad} in its own process, until Kafka holds every record. */
    private static Run produce(BenchKafka kafka, SecuredGateway g, Variant v, Path caPem, long records, int size,
                               int connections, int pipeline) throws Exception {
        String topic = kafka.createTopic("security-resp", 1, RawKafka.topicConfigs());
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"), RespLoad.class.getName(),
                "produce", String.valueOf(g.port(v.tls ? "rediss" : "resp")), topic, String.valueOf(records),
                String.valueOf(pipeline), String.valueOf(size), "connections=" + connections));
        if (v.tls) {
            command.add("trust=" + caPem);
        }
        if (v.rules) {
            command.add("user=" + USER);
            command.add("password=" + PASSWORD);
        }
        long cpu0 = g.cpuNanos();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        long acknowledged = RespScenario.awaitEndOffsets(kafka, topic, records, WAIT);
        long ackedAt = RespLoad.epochNanos();
        long cpu1 = g.cpuNanos();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(1, TimeUnit.MINUTES) || p.exitValue() != 0 || acknowledged < records) {
            throw new IllegalStateException("RESP produce to " + v.label + ": " + acknowledged + " of " + records
                    + " records reached Kafka; RespLoad said: " + out);
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
        Long ready = fields.get("ready_epoch_nanos");
        if (ready == null) {
            throw new IllegalStateException("RespLoad printed no result: " + out);
        }
        kafka.admin().deleteTopics(List.of(topic)).all().get();
        double cpu = (cpu1 - cpu0) / 1e9;
        return new Run(records * 1e9 / (ackedAt - ready), cpu, cpu * 1e6 / records);
    }

    /** {@code clients} SSE streams of a new topic; produces {@code records} to it and waits until every stream has all. */
    private static Run fanOut(BenchKafka kafka, KafkaProducer<byte[], byte[]> producer, SecuredGateway g, Variant v,
                              SSLContext clientTls, int clients, long records, int size) throws Exception {
        String topic = kafka.createTopic("security-sse", 1, RawKafka.topicConfigs());
        SocketFactory sockets = v.tls ? clientTls.getSocketFactory() : SocketFactory.getDefault();
        String authorization = v.rules ? "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD)
                .getBytes(StandardCharsets.UTF_8)) : null;
        byte[] recordKey = USER.getBytes(StandardCharsets.UTF_8);
        byte[] value = new byte[size];
        java.util.Arrays.fill(value, (byte) 'x');
        try (SseSwarm swarm = SseSwarm.open(sockets, g.port(v.tls ? "https" : "http"), topic, clients, authorization,
                records, WAIT)) {
            long cpu0 = g.cpuNanos();
            long start = System.nanoTime();
            for (long i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, recordKey, value));
            }
            producer.flush();
            if (!swarm.awaitComplete(WAIT)) {
                throw new IllegalStateException("SSE fan-out on " + v.label + ": " + swarm.delivered() + " of "
                        + clients * records + " deliveries after " + WAIT.toMinutes() + " min");
            }
            long nanos = System.nanoTime() - start;
            double cpu = (g.cpuNanos() - cpu0) / 1e9;
            long deliveries = clients * records;
            return new Run(deliveries * 1e9 / nanos, cpu, cpu * 1e6 / deliveries);
        }
    }
}
