package io.wharf.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Wharf run as a child process, with its output captured line by line: the real {@code ./wharf} script
 * (the jar), or a main class on the test class path with Wharf's own logging configuration.
 */
final class WharfProcess implements AutoCloseable {
    private static final Pattern ENDPOINT = Pattern.compile("([a-z]+)=([^ ]+):(\\d+)");

    private final Process process;
    private final List<String> stdout = Collections.synchronizedList(new ArrayList<>());
    private final List<String> stderr = Collections.synchronizedList(new ArrayList<>());
    private final CompletableFuture<String> readyLine = new CompletableFuture<>();
    private final List<Thread> pumps = new ArrayList<>();

    private WharfProcess(Process process) {
        this.process = process;
        pump(process.getInputStream(), stdout, true);
        pump(process.getErrorStream(), stderr, false);
    }

    /** Starts {@code ./wharf} from the repository root with these arguments. */
    static WharfProcess start(String... args) throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<String> command = new ArrayList<>();
        command.add(root.resolve("wharf").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile());
        builder.environment().put("WHARF_JAVA_OPTS", "-Xmx512m");
        return new WharfProcess(builder.start());
    }

    /**
     * Starts {@code mainClass} (e.g. {@link Main}) in a child JVM on this test's class path, logging as the
     * jar does (its {@code log4j2.xml}, not the test kit's).
     */
    static WharfProcess startJava(Class<?> mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dlog4j2.configurationFile=" + Path.of("target", "classes", "log4j2.xml").toAbsolutePath(),
                "-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        return new WharfProcess(new ProcessBuilder(command).start());
    }

    /** The child's process id. */
    long pid() {
        return process.pid();
    }

    /** Sends SIGTERM without waiting. */
    void signalTerm() throws InterruptedException, IOException {
        // the handle's destroy() sends SIGTERM only, and needs no kill program on PATH
        if (!process.toHandle().destroy()) {
            throw new AssertionError("SIGTERM to " + process.pid() + " was not sent");
        }
    }

    /** Waits until a line of standard error contains {@code text}; fails with the stderr so far otherwise. */
    String awaitStderr(String text, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            for (String line : stderr()) {
                if (line.contains(text)) {
                    return line;
                }
            }
            if (!process.isAlive()) {
                drainOutput();
                return stderr().stream().filter(l -> l.contains(text)).findFirst().orElseThrow(() -> new AssertionError(
                        "wharf exited with " + process.exitValue() + " before a stderr line with '" + text
                                + "'; stderr: " + stderr()));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no stderr line with '" + text + "' within " + seconds + "s; stderr: " + stderr());
    }

    private void pump(java.io.InputStream in, List<String> sink, boolean watchReady) {
        Thread t = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    sink.add(line);
                    if (watchReady && line.startsWith("Wharf ready")) {
                        readyLine.complete(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "wharf-process-output");
        t.setDaemon(true);
        t.start();
        pumps.add(t);
    }

    /** Waits until both output streams reached their end, so every line the process wrote is captured. */
    private void drainOutput() throws InterruptedException {
        for (Thread t : pumps) {
            t.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    /** Waits for the ready line; fails with the process's stderr when it exits first. */
    String awaitReady(long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (readyLine.isDone()) {
                return readyLine.get();
            }
            if (!process.isAlive()) {
                throw new AssertionError("wharf exited with " + process.exitValue() + " before ready: " + stderr);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no ready line within " + seconds + "s; stderr: " + stderr);
    }

    /** The endpoints the ready line names, by name, as host:port. */
    Map<String, String> endpoints() throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = ENDPOINT.matcher(readyLine.get());
        while (m.find()) {
            out.put(m.group(1), m.group(2) + ":" + m.group(3));
        }
        return out;
    }

    /** Sends SIGTERM and waits for the exit code. */
    int terminate() throws InterruptedException, IOException {
        // Process.destroy() would close our ends of its pipes, losing what it logs while stopping.
        signalTerm();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("wharf did not stop within 60s of SIGTERM");
        }
        drainOutput();
        return process.exitValue();
    }

    /** Waits for the process to end by itself and returns its exit code. */
    int awaitExit(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("wharf still running after " + seconds + "s; stderr: " + stderr);
        }
        drainOutput();
        return process.exitValue();
    }

    /** What the process wrote to standard error so far. */
    List<String> stderr() {
        synchronized (stderr) {
            return List.copyOf(stderr);
        }
    }

    /** What the process wrote to standard output so far. */
    List<String> stdout() {
        synchronized (stdout) {
            return List.copyOf(stdout);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
