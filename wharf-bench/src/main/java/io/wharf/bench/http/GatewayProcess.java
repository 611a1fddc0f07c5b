package io.wharf.bench.http;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.wharf.bench.ChildJvm;
import io.wharf.bench.ProcessStats;
import io.wharf.core.config.WharfConfig;
import io.wharf.core.gateway.Gateway;
import io.wharf.http.HttpSettings;

/**
 * The gateway under test in its own JVM, so the client swarm does not share its heap or threads.
 * {@link #main} runs in the child; {@link #start} runs in the benchmark and talks to it over stdin
 * and stdout: {@code heap} answers the heap used after full collections, {@code quit} stops it.
 */
final class GatewayProcess implements AutoCloseable {
    private static final String PREFIX = "WHARF-BENCH ";

    private final ChildJvm child;
    private final int port;

    private GatewayProcess(ChildJvm child) throws InterruptedException {
        this.child = child;
        this.port = Integer.parseInt(child.await("READY ", Duration.ofSeconds(60)));
    }

    /** Starts a gateway JVM against the broker; returns once its HTTP port is listening. */
    static GatewayProcess start(String bootstrapServers, String heap, Duration slowClientTimeout, List<String> extraJvmArgs)
            throws Exception {
        List<String> jvm = new ArrayList<>(List.of("-Xms" + heap, "-Xmx" + heap, "-XX:+UseParallelGC"));
        jvm.addAll(extraJvmArgs);
        return new GatewayProcess(ChildJvm.start("gateway process", GatewayProcess.class, jvm,
                List.of(bootstrapServers, String.valueOf(slowClientTimeout.toMillis())), PREFIX));
    }

    /** Where the gateway's own log goes. */
    Path log() {
        return child.log();
    }

    int port() {
        return port;
    }

    long pid() {
        return child.pid();
    }

    /** Heap used in the gateway after full collections, bytes. */
    long heapAfterGc() throws InterruptedException {
        child.send("heap");
        return Long.parseLong(child.await("HEAP ", Duration.ofSeconds(60)));
    }

    /** CPU time the gateway process has used so far (user + system), seconds; 0 where /proc is missing. */
    double cpuSeconds() {
        return Math.max(0, ProcessStats.cpuNanos(child.pid())) / 1e9;
    }

    /** Resident set size of the gateway process, bytes (0 where /proc is missing). */
    long rss() {
        return Math.max(0, ProcessStats.rssBytes(child.pid()));
    }

    @Override
    public void close() {
        child.stop(Duration.ofSeconds(30));
    }

    /** The child: a gateway with every door, ephemeral ports, driven from stdin. */
    public static void main(String[] args) throws Exception {
        HttpSettings http = new HttpSettings(null, null, null, null, null, null, null,
                Duration.ofMillis(Long.parseLong(args[1])), null, null, null);
        Gateway gateway = Gateway.start(WharfConfig.defaults().withBootstrapServers(args[0]).withEphemeralPorts()
                .with(HttpSettings.class, http));
        System.out.println(PREFIX + "READY " + gateway.endpoint("http").port());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.equals("quit")) {
            if (line.equals("heap")) {
                for (int i = 0; i < 3; i++) {
                    System.gc();
                    Thread.sleep(200);
                }
                System.out.println(PREFIX + "HEAP " + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                System.out.flush();
            }
        }
        gateway.close();
        System.exit(0);
    }
}
