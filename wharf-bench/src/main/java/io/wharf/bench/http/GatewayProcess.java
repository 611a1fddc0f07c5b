package io.wharf.bench.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.wharf.core.config.HttpSettings;
import io.wharf.core.config.WharfConfig;
import io.wharf.core.gateway.Gateway;

/**
 * The gateway under test in its own JVM, so the client swarm does not share its heap or threads.
 * {@link #main} runs in the child; {@link #start} runs in the benchmark and talks to it over stdin
 * and stdout: {@code heap} answers the heap used after full collections, {@code quit} stops it.
 */
final class GatewayProcess implements AutoCloseable {
    private static final String PREFIX = "WHARF-BENCH ";

    private final Process process;
    private final PrintWriter commands;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final int port;

    private final Path log;

    private GatewayProcess(Process process, Path log) throws Exception {
        this.process = process;
        this.log = log;
        this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 var logFile = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith(PREFIX)) {
                        answers.add(line.substring(PREFIX.length()));
                    } else {
                        logFile.write(line);
                        logFile.newLine();
                        logFile.flush();
                    }
                }
            } catch (IOException e) {
                // the child ended
            }
        }, "gateway-process-output");
        reader.setDaemon(true);
        reader.start();
        this.port = Integer.parseInt(await("READY ", Duration.ofSeconds(60)));
    }

    /** Starts a gateway JVM against the broker; returns once its HTTP port is listening. */
    static GatewayProcess start(String bootstrapServers, String heap, Duration slowClientTimeout, List<String> extraJvmArgs)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms" + heap, "-Xmx" + heap, "-XX:+UseParallelGC"));
        command.addAll(extraJvmArgs);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), GatewayProcess.class.getName(),
                bootstrapServers, String.valueOf(slowClientTimeout.toMillis())));
        Path log = Files.createTempFile("wharf-bench-gateway", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        return new GatewayProcess(p, log);
    }

    private String await(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = answers.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new IllegalStateException("the gateway process did not answer '" + prefix.trim() + "' in time"
                        + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")"));
            }
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
        }
    }

    /** Where the gateway's own log goes. */
    Path log() {
        return log;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** Heap used in the gateway after full collections, bytes. */
    long heapAfterGc() throws InterruptedException {
        commands.println("heap");
        return Long.parseLong(await("HEAP ", Duration.ofSeconds(60)));
    }

    /** CPU time the gateway process has used so far (user + system), seconds; 0 where /proc is missing. */
    double cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in USER_HZ (100)
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Resident set size of the gateway process, bytes (0 where /proc is missing). */
    long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    @Override
    public void close() throws InterruptedException {
        commands.println("quit");
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** The child: a gateway with every door, ephemeral ports, driven from stdin. */
    public static void main(String[] args) throws Exception {
        HttpSettings http = new HttpSettings(null, null, null, null, null, null, null,
                Duration.ofMillis(Long.parseLong(args[1])), null, null, null);
        Gateway gateway = Gateway.start(WharfConfig.defaults().withBootstrapServers(args[0]).withEphemeralPorts()
                .withHttp(http));
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
