package io.wharf.bench.relay;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.wharf.bench.ChildJvm;
import io.wharf.bench.ProcessStats;
import io.wharf.core.config.WharfConfig;
import io.wharf.core.gateway.Gateway;
import io.wharf.relay.config.RelaySettings;
import io.wharf.relay.config.WebhookRouteSettings;

/**
 * The gateway under test in its own JVM (sized heap, its own GC), running one webhook route.
 * {@link #main} runs in the child; the benchmark talks to it over stdin/stdout: {@code stats}
 * answers {@code name=value} pairs (calls in flight, commits, CPU and GC time, CPU by thread
 * group), {@code quit} drains and stops it.
 */
final class RelayGatewayProcess implements AutoCloseable {
    private static final String PREFIX = "RELAY-BENCH ";

    private final ChildJvm child;

    private RelayGatewayProcess(ChildJvm child) throws InterruptedException {
        this.child = child;
        child.await("READY", Duration.ofSeconds(120));
    }

    /** Starts a gateway JVM with one route per topic (route {@code i} reads topic {@code i}); returns once they run. */
    static RelayGatewayProcess start(List<String> jvmArgs, String bootstrap, List<String> topics, String dlt, URI url,
                                     int inFlight) throws Exception {
        List<String> args = new ArrayList<>(List.of(bootstrap, dlt, url.toString(), Integer.toString(inFlight)));
        args.addAll(topics);
        return new RelayGatewayProcess(ChildJvm.start("relay gateway process", RelayGatewayProcess.class, jvmArgs,
                args, PREFIX));
    }

    /** The gateway's process id. */
    long pid() {
        return child.pid();
    }

    /** Where the gateway's log goes. */
    Path log() {
        return child.log();
    }

    /** Starts the child's CPU, GC and thread accounting afresh. */
    void mark() throws InterruptedException {
        child.send("mark");
        child.await("MARKED", Duration.ofSeconds(30));
    }

    /** The child's counts (CPU figures since the last mark). */
    Map<String, String> stats() throws InterruptedException {
        child.send("stats");
        Map<String, String> out = new HashMap<>();
        for (String pair : child.await("STATS", Duration.ofSeconds(30)).split(";")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return out;
    }

    /** Peak resident set size of the gateway process, MiB (0 where /proc is missing). */
    long peakRssMiB() {
        return Math.max(0, ProcessStats.peakRssBytes(child.pid())) >> 20;
    }

    @Override
    public void close() {
        child.stop(Duration.ofSeconds(60));
    }

    /** The child: args are bootstrap servers, dead-letter topic, URL, max in flight, then one source topic per route. */
    public static void main(String[] args) throws Exception {
        int inFlight = Integer.parseInt(args[3]);
        List<WebhookRouteSettings> routes = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            routes.add(new WebhookRouteSettings("bench-" + (i - 3), List.of(args[i]), null, URI.create(args[2]), null,
                    null, Duration.ofSeconds(10), null, inFlight, null, Math.max(10_000, 2 * inFlight), null, null, null,
                    args[1], null, null, null, null, null));
        }
        Path dataDir = Files.createTempDirectory("wharf-bench-relay");
        Gateway gateway = Gateway.start(WharfConfig.builder().bootstrapServers(args[0]).ephemeralPorts()
                .dataDir(dataDir).with(RelaySettings.class, new RelaySettings("bench", routes, null)).build());
        Map<Long, Long> threadsAtMark = ThreadCpu.snapshot();
        long cpuAtMark = cpuMillis();
        long gcAtMark = gcMillis();
        System.out.println(PREFIX + "READY");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.equals("quit")) {
            if (line.equals("mark")) {
                threadsAtMark = ThreadCpu.snapshot();
                cpuAtMark = cpuMillis();
                gcAtMark = gcMillis();
                System.out.println(PREFIX + "MARKED");
            } else if (line.equals("stats")) {
                MeterRegistry registry = gateway.context().metrics().registry();
                double inFlightNow = registry.find("wharf.relay.in.flight").gauges().stream()
                        .mapToDouble(g -> g.value()).sum();
                long commits = 0;
                double commitMean = 0;
                double commitMax = 0;
                for (var t : registry.find("wharf.relay.commit.time").timers()) {
                    if (t.count() > 0) {
                        commitMean = (commitMean * commits + t.mean(TimeUnit.MILLISECONDS) * t.count()) / (commits + t.count());
                        commits += t.count();
                        commitMax = Math.max(commitMax, t.max(TimeUnit.MILLISECONDS));
                    }
                }
                System.out.println(PREFIX + "STATS in-flight=" + Math.round(inFlightNow) + ";commits=" + commits
                        + ";commit-mean-ms=" + Math.round(commitMean) + ";commit-max-ms=" + Math.round(commitMax)
                        + ";cpu-ms=" + (cpuMillis() - cpuAtMark) + ";gc-ms=" + (gcMillis() - gcAtMark)
                        + ";threads=" + ThreadCpu.since(threadsAtMark));
            }
            System.out.flush();
        }
        gateway.close();
        System.exit(0);
    }

    private static long cpuMillis() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1_000_000;
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }
}
