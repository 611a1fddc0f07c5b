package io.wharf.bench.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.wharf.bench.ChildJvm;
import io.wharf.bench.ProcessStats;
import io.wharf.server.Main;

/**
 * One variant's gateway as a user runs it: {@code io.wharf.server.Main --config <yaml>} in its own
 * JVM on free ports, against the benchmark's broker. Stopped with SIGTERM (so a flight recording
 * given in {@code jvmArgs} is written out).
 */
final class SecuredGateway implements AutoCloseable {
    private static final Pattern ENDPOINT = Pattern.compile("([a-z]+)=[^ :]+:(\\d+)");

    private final String name;
    private final ChildJvm child;
    private final Path dataDir;
    private final Map<String, Integer> ports = new HashMap<>();

    private SecuredGateway(String name, ChildJvm child, Path dataDir, String ready) {
        this.name = name;
        this.child = child;
        this.dataDir = dataDir;
        Matcher m = ENDPOINT.matcher(ready);
        while (m.find()) {
            ports.put(m.group(1), Integer.parseInt(m.group(2)));
        }
    }

    /** Starts the gateway with this YAML configuration; returns once its ready line is printed. */
    static SecuredGateway start(String name, String bootstrapServers, String yaml, List<String> jvmArgs) throws Exception {
        Path dataDir = Files.createTempDirectory("wharf-bench-security-" + name);
        Path config = Files.writeString(dataDir.resolve("wharf.yaml"), yaml, StandardCharsets.UTF_8);
        List<String> jvm = new ArrayList<>(jvmArgs);
        ChildJvm child = ChildJvm.start("gateway " + name, Main.class, jvm, List.of("--config", config.toString(),
                "--bootstrap-servers", bootstrapServers, "--data-dir", dataDir.resolve("data").toString(),
                "--resp-port", "0", "--http-port", "0"), "Wharf ready");
        try {
            return new SecuredGateway(name, child, dataDir, child.await("", Duration.ofSeconds(120)));
        } catch (RuntimeException | InterruptedException e) {
            ProcessHandle.of(child.pid()).ifPresent(ProcessHandle::destroyForcibly);
            throw new IllegalStateException("gateway " + name + " did not start; its log: " + child.log(), e);
        }
    }

    /** The port of an endpoint of the ready line ({@code resp}, {@code rediss}, {@code http}, {@code https}). */
    int port(String endpoint) {
        Integer port = ports.get(endpoint);
        if (port == null) {
            throw new IllegalStateException("gateway " + name + " has no " + endpoint + " endpoint: " + ports);
        }
        return port;
    }

    /** CPU time the gateway process used so far, nanoseconds. */
    long cpuNanos() {
        return ProcessStats.cpuNanos(child.pid());
    }

    /** The first line of its log holding {@code text}, or null (e.g. which TLS provider it chose). */
    String logLine(String text) {
        try {
            return Files.readAllLines(child.log()).stream().filter(l -> l.contains(text)).findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    long pid() {
        return child.pid();
    }

    Path log() {
        return child.log();
    }

    @Override
    public void close() {
        ProcessHandle process = ProcessHandle.of(child.pid()).orElse(null);
        if (process != null) {
            process.destroy();
            try {
                process.onExit().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                process.destroyForcibly();
            }
        }
        try (var paths = Files.walk(dataDir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind does not change a result
        }
    }
}
