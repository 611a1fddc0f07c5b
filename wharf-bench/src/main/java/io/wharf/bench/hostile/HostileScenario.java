package io.wharf.bench.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.wharf.bench.BenchArgs;
import io.wharf.bench.BenchKafka;
import io.wharf.bench.BenchReport;
import io.wharf.bench.Scenario;
import io.wharf.bench.baseline.RawKafka;
import io.wharf.kafka.embedded.TopicWritability;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The hostile-client run of issue 11: Wharf in its own process with a fixed heap; a well-behaved
 * client measures its latency on the idle server, then again while each kind of hostile client
 * attacks, one bounded phase each. Reports per phase the latency against idle, Wharf's peak RSS and
 * CPU, whether it stayed alive and answering, and what became of the hostile connections. A Wharf
 * that hangs or dies is stopped (SIGTERM, then SIGKILL) and started afresh for the next phase; a
 * missed target is reported, not an error.
 */
public final class HostileScenario implements Scenario {
    private static final int PROBES = 4;

    @Override
    public String name() {
        return "hostile";
    }

    @Override
    public String description() {
        return "hostile clients (RESP fuzz, KEYS globs, non-reading readers, half-sent commands, slowloris) vs a well-behaved "
                + "client's p99 (--phase 20s --heap 512m --phases fuzz,keys,non-reading,half-sent,slowloris --reuse-wharf)";
    }

    @Override
    public void run(BenchArgs args, BenchReport report) throws Exception {
        Duration phase = duration(args, "phase", Duration.ofSeconds(20));
        Duration slowlorisPhase = duration(args, "slowloris-phase", Duration.ofSeconds(30));
        Duration warmup = duration(args, "warmup", Duration.ofSeconds(6));
        Duration requestTimeout = duration(args, "request-timeout", Duration.ofSeconds(2));
        Duration stopGrace = duration(args, "stop-grace", Duration.ofSeconds(30));
        Duration maxRun = duration(args, "max-run", Duration.ofMinutes(15));
        String heap = args.text("heap", "512m");
        long rssBoundMib = args.number("rss-bound-mib", 1024);
        int respRate = args.integer("resp-rate", 100);
        int httpRate = args.integer("http-rate", 20);
        List<String> wharfArgs = new ArrayList<>();
        if (args.all().containsKey("io-threads")) {
            wharfArgs.addAll(List.of("--io-threads", args.text("io-threads", "")));
        }
        Map<String, Attack> attacks = new LinkedHashMap<>();
        attacks.put("fuzz", new RespFuzz(args.integer("fuzz-connections", 64), args.integer("fuzz-rate", 100)));
        attacks.put("keys", new KeysPattern(args.integer("keys-connections", 4), args.integer("keys-stars", 6)));
        attacks.put("non-reading", new NonReadingReaders(args.integer("nonreading-resp", 4),
                args.integer("nonreading-pipeline", 1024), args.integer("nonreading-http", 20),
                java.util.Set.of(args.text("nonreading-kinds", "sse,long-poll,websocket").split(","))));
        attacks.put("half-sent", new HalfSentCommands(args.integer("halfsent-array", 8), args.integer("halfsent-bulk", 16),
                args.integer("halfsent-bulk-bytes", 32_000_000), args.integer("halfsent-http", 32)));
        attacks.put("slowloris", new Slowloris(args.integer("slowloris-connections", 300),
                duration(args, "slowloris-interval", Duration.ofSeconds(5)).toNanos()));
        List<Attack> chosen = new ArrayList<>();
        for (String p : args.text("phases", String.join(",", attacks.keySet())).split(",")) {
            Attack a = attacks.get(p.trim());
            if (a == null) {
                throw new IllegalArgumentException("unknown phase '" + p + "'; phases: " + attacks.keySet());
            }
            chosen.add(a);
        }

        AtomicReference<WharfChild> current = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            WharfChild w = current.get();
            if (w != null) {
                w.kill();
            }
        }, "hostile-kill-wharf"));
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(maxRun.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            report.progress("HARNESS FAILURE: the run took longer than --max-run %s; killing Wharf and exiting", text(maxRun));
            WharfChild w = current.get();
            if (w != null) {
                w.kill();
            }
            Runtime.getRuntime().halt(3);
        }, "hostile-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        report.progress("hostile: Wharf in its own JVM with -Xmx%s and default settings; each phase %s (slowloris %s); "
                        + "well-behaved client: RESP RPUSHX/PING alternating at %d/s, HTTP produce at %d/s, deadline %s",
                heap, text(phase), text(slowlorisPhase), respRate, httpRate, text(requestTimeout));
        List<Row> rows = new ArrayList<>();
        String finalStop;
        Row idle;
        try (BenchKafka kafka = BenchKafka.start(args)) {
            String produceTopic = kafka.createTopic("hostile-produce", 1, Map.of());
            String dataTopic = kafka.createTopic("hostile-data", 1, Map.of());
            long dataRecords = args.number("data-records", 200_000);
            int dataSize = args.integer("data-size", 500);
            RawKafka.produce(kafka.bootstrapServers(), dataTopic, dataRecords, dataSize);
            String longTopic = "a".repeat(args.integer("keys-name-length", 200));
            createExact(kafka, longTopic);
            report.progress("broker %s; topics %s, %s (%,d records of %d B), and one named 'a' x %d",
                    kafka.bootstrapServers(), produceTopic, dataTopic, dataRecords, dataSize, longTopic.length());

            boolean reuse = args.flag("reuse-wharf");
            List<Attack> phases = new ArrayList<>();
            phases.add(null); // idle
            phases.addAll(chosen);
            phases.add(null); // idle again: how far apart two quiet measurements are on this machine
            WharfChild wharf = null;
            idle = null;
            for (Attack attack : phases) {
                if (wharf == null) {
                    wharf = startWharf(kafka, heap, wharfArgs, current, report);
                    warm(wharf, produceTopic, respRate, httpRate, requestTimeout, warmup);
                }
                if (attack != null) {
                    report.progress("phase %s: %s", attack.name(), attack.description());
                }
                String name = attack != null ? attack.name() : idle == null ? "idle" : "idle again";
                Row r = phase(report, name, wharf, attack, produceTopic, dataTopic, longTopic,
                        attack instanceof Slowloris ? slowlorisPhase : phase, respRate, httpRate, requestTimeout);
                if (idle == null) {
                    idle = r;
                }
                rows.add(r);
                if (!reuse || !r.healthy) {
                    // a fresh Wharf for every phase, so no phase pays for what the one before left behind
                    r.after += "; " + wharf.stop(stopGrace);
                    report.progress("after phase %s: Wharf %s", r.name, r.after);
                    current.set(null);
                    wharf = null;
                }
            }
            finalStop = wharf == null ? "stopped after every phase" : wharf.stop(stopGrace);
            current.set(null);
            report.progress("end of run: %s", finalStop);
        }
        watchdog.interrupt();

        report.columns("phase", "RESP p50 / p99 ms", "p99 x idle", "HTTP p50 / p99 ms", "p99 x idle", "failed of sent (RESP, HTTP)",
                "target", "Wharf peak RSS", "Wharf CPU", "Wharf after", "hostile conns closed by Wharf / open", "hostile clients saw",
                "Wharf log", "load avg");
        for (Row r : rows) {
            boolean isIdle = r == idle;
            double respRatio = ratio(r.resp, idle.resp);
            double httpRatio = ratio(r.http, idle.http);
            boolean latencyMet = respRatio <= 2 && httpRatio <= 2;
            boolean rssMet = r.peakRss >> 20 <= rssBoundMib;
            String target = isIdle ? (rssMet ? "RSS met" : "RSS MISSED")
                    : (latencyMet ? "p99 met" : "p99 MISSED") + (rssMet ? ", RSS met" : ", RSS MISSED");
            report.row(r.name, ms(r.resp), isIdle ? "1.00" : String.format(Locale.ROOT, "%.2f", respRatio), ms(r.http),
                    isIdle ? "1.00" : String.format(Locale.ROOT, "%.2f", httpRatio),
                    r.respFailures + "/" + r.respSent + ", " + r.httpFailures + "/" + r.httpSent, target, String.format(Locale.ROOT, "%,d MiB", r.peakRss >> 20),
                    String.format(Locale.ROOT, "%.2f cores", r.cores), r.after,
                    r.outcome == null ? "-" : "closed " + r.outcome.closedByServer() + ", open " + r.outcome.open()
                            + " (" + r.outcome.byKind() + ")",
                    r.outcome == null ? "-" : r.outcome.replies(), r.log.isEmpty() ? "-" : r.log, r.load);
        }
        report.print(String.format(Locale.ROOT, "hostile: Wharf -Xmx%s, phases of %s (slowloris %s); target: p99 <= 2 x idle,"
                        + " peak RSS <= %,d MiB; failed = well-behaved requests that failed or missed"
                        + " the %s deadline (counted at it); closed x/y = closed of opened; end of run: %s",
                heap, text(phase), text(slowlorisPhase), rssBoundMib, text(requestTimeout), finalStop));
    }

    /** One phase's figures. */
    private static final class Row {
        String name;
        Histogram resp;
        Histogram http;
        long respFailures;
        long httpFailures;
        long respSent;
        long httpSent;
        long peakRss;
        double cores;
        boolean healthy;
        String after;
        Attack.Outcome outcome;
        String log;
        String load;
    }

    private static Row phase(BenchReport report, String name, WharfChild wharf, Attack attack, String produceTopic, String dataTopic,
                             String longTopic, Duration duration, int respRate, int httpRate, Duration requestTimeout)
            throws Exception {
        boolean hwm = wharf.resetPeakRss();
        wharf.newLogSummary(); // only what this phase adds
        AtomicLong sampled = new AtomicLong(wharf.rss());
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                sampled.accumulateAndGet(wharf.rss(), Math::max);
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "hostile-rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
        double cpu0 = wharf.cpuSeconds();
        long t0 = System.nanoTime();
        WellBehavedClient client = new WellBehavedClient(wharf.host(), wharf.respPort(), wharf.httpPort(), produceTopic,
                respRate, httpRate, requestTimeout);
        if (attack != null) {
            attack.start(new Attack.Target(wharf.host(), wharf.respPort(), wharf.httpPort(), dataTopic, produceTopic, longTopic,
                    t0 + duration.toNanos()));
        }
        client.start(duration);
        client.await();
        Attack.Outcome outcome = attack == null ? null : attack.finish();
        double cores = (wharf.cpuSeconds() - cpu0) / ((System.nanoTime() - t0) / 1e9);
        Row r = new Row();
        r.name = name;
        r.peakRss = Math.max(sampled.get(), hwm && wharf.alive() ? wharf.peakRss() : 0);
        sampler.interrupt();
        r.resp = client.resp;
        r.http = client.http;
        r.respFailures = client.respFailures.sum();
        r.httpFailures = client.httpFailures.sum();
        r.respSent = client.respSent.sum();
        r.httpSent = client.httpSent.sum();
        r.cores = cores;
        r.outcome = outcome;
        r.load = loadAverage();
        Health h = health(wharf);
        r.healthy = h.healthy;
        r.after = h.text;
        r.log = wharf.newLogSummary();
        report.progress("phase %s: RESP %s ms, HTTP %s ms, failed %d + %d, peak RSS %,d MiB, CPU %.2f cores, Wharf %s%s; log: %s",
                r.name, ms(r.resp), ms(r.http), r.respFailures, r.httpFailures, r.peakRss >> 20, cores, r.after,
                outcome == null ? "" : "; hostile connections closed by Wharf " + outcome.closedByServer() + ", open "
                        + outcome.open() + " (" + outcome.byKind() + "); saw " + outcome.replies(), r.log);
        if (attack != null && !attack.exampleErrors(1).isEmpty()) {
            report.progress("phase %s: some errors hostile clients got: %s", r.name, String.join(" | ", attack.exampleErrors(10)));
        }
        return r;
    }

    private record Health(boolean healthy, String text) {
    }

    /**
     * Whether Wharf answers fresh connections on both doors (several, so every network thread gets
     * one); asked up to three times, as a server may need a moment to let go of what the phase left.
     */
    private static Health health(WharfChild wharf) throws InterruptedException {
        int unanswered = 0;
        String detail = "";
        for (int attempt = 1; attempt <= 3; attempt++) {
            if (!wharf.alive()) {
                return new Health(false, "DIED");
            }
            int[] missing = probe(wharf);
            unanswered = missing[0] + missing[1];
            detail = "RESP PING " + missing[0] + "/" + PROBES + ", HTTP /healthz " + missing[1] + "/" + PROBES;
            if (unanswered == 0) {
                return new Health(true, attempt == 1 ? "answering" : "answering after " + (attempt - 1) * 5 + " s");
            }
            Thread.sleep(5000);
        }
        return new Health(false, wharf.alive() ? "HUNG (" + detail + " unanswered for 15 s)" : "DIED");
    }

    /** PING on the RESP door and GET /healthz on the HTTP door, each from fresh connections; {RESP, HTTP} unanswered in 3 s. */
    private static int[] probe(WharfChild wharf) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(2 * PROBES, r -> {
            Thread t = new Thread(r, "hostile-probe");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Boolean>> answers = new ArrayList<>();
            for (int i = 0; i < PROBES; i++) {
                answers.add(pool.submit(() -> ask(wharf.host(), wharf.respPort(), Attack.command("PING"), "+PONG")));
                answers.add(pool.submit(() -> ask(wharf.host(), wharf.httpPort(),
                        Attack.ascii("GET /healthz HTTP/1.1\r\nHost: wharf\r\n\r\n"), "HTTP/1.1 200")));
            }
            int[] unanswered = new int[2];
            for (int i = 0; i < answers.size(); i++) {
                boolean answered;
                try {
                    answered = answers.get(i).get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    answered = false;
                }
                unanswered[i % 2] += answered ? 0 : 1;
            }
            return unanswered;
        } finally {
            pool.shutdownNow();
        }
    }

    private static boolean ask(String host, int port, byte[] request, String expected) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 3000);
            s.setSoTimeout(3000);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[expected.length()];
            int n = in.readNBytes(buf, 0, buf.length);
            return new String(buf, 0, n, StandardCharsets.ISO_8859_1).equals(expected);
        } catch (IOException e) {
            return false;
        }
    }

    private static WharfChild startWharf(BenchKafka kafka, String heap, List<String> args, AtomicReference<WharfChild> current,
                                         BenchReport report) throws Exception {
        WharfChild wharf = WharfChild.start(kafka.bootstrapServers(), heap, args);
        current.set(wharf);
        report.progress("Wharf pid %d: resp=%s:%d http=%s:%d (log %s)", wharf.pid(), wharf.host(), wharf.respPort(),
                wharf.host(), wharf.httpPort(), wharf.log());
        return wharf;
    }

    /** Well-behaved traffic, unmeasured, so the JIT has compiled the paths before they are measured. */
    private static void warm(WharfChild wharf, String topic, int respRate, int httpRate, Duration timeout, Duration time)
            throws InterruptedException {
        WellBehavedClient c = new WellBehavedClient(wharf.host(), wharf.respPort(), wharf.httpPort(), topic, respRate * 5,
                httpRate * 5, timeout);
        c.start(time);
        c.await();
    }

    /** Creates a topic with exactly this name (an existing one is fine). */
    private static void createExact(BenchKafka kafka, String name) throws Exception {
        try {
            kafka.admin().createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        TopicWritability.await(kafka.admin(), name, Duration.ofSeconds(60));
    }

    private static double ratio(Histogram h, Histogram idle) {
        return h.getValueAtPercentile(99) / (double) Math.max(1, idle.getValueAtPercentile(99));
    }

    private static String ms(Histogram h) {
        if (h.getTotalCount() == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2f / %.2f", h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "-";
        }
    }

    private static String text(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** A duration option: {@code 20s}, {@code 500ms}, {@code 2m}, or plain seconds. */
    static Duration duration(BenchArgs args, String name, Duration fallback) {
        String v = args.text(name, null);
        if (v == null) {
            return fallback;
        }
        String t = v.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        if (t.endsWith("s")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
        }
        if (t.endsWith("m")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 60_000));
        }
        return Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000));
    }
}
