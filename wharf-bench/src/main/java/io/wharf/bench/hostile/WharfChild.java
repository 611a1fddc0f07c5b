package io.wharf.bench.hostile;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.wharf.bench.ChildJvm;
import io.wharf.bench.ProcessStats;
import io.wharf.server.Main;

/**
 * Wharf as a user runs it: {@code java -Xmx<heap> io.wharf.server.Main --bootstrap-servers ...}
 * in its own process on free ports, with its default settings. Stopped with SIGTERM, like a
 * service manager does, and killed when that does not end it in time.
 */
final class WharfChild {
    private static final Pattern ENDPOINT = Pattern.compile("(resp|http)=([^ :]+):(\\d+)");
    private static final Pattern EVENT = Pattern.compile("event=([a-z0-9-]+)");

    private final ChildJvm child;
    private final ProcessHandle process;
    private final Path dataDir;
    private final String host;
    private final int respPort;
    private final int httpPort;
    private long logOffset;

    private WharfChild(ChildJvm child, Path dataDir, String ready) {
        this.child = child;
        this.process = ProcessHandle.of(child.pid()).orElseThrow();
        this.dataDir = dataDir;
        Matcher m = ENDPOINT.matcher(ready);
        String h = null;
        int resp = -1;
        int http = -1;
        while (m.find()) {
            h = m.group(2);
            if (m.group(1).equals("resp")) {
                resp = Integer.parseInt(m.group(3));
            } else {
                http = Integer.parseInt(m.group(3));
            }
        }
        if (resp < 0 || http < 0) {
            throw new IllegalStateException("Wharf's ready line names no resp and http ports: " + ready);
        }
        this.host = h;
        this.respPort = resp;
        this.httpPort = http;
    }

    /** Starts Wharf against {@code bootstrapServers}; returns once it printed its ready line. */
    static WharfChild start(String bootstrapServers, String heap, List<String> extraArgs) throws Exception {
        Path dataDir = Files.createTempDirectory("wharf-bench-hostile-data");
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", bootstrapServers, "--data-dir", dataDir.toString(),
                "--resp-port", "0", "--http-port", "0"));
        args.addAll(extraArgs);
        ChildJvm child = ChildJvm.start("wharf", Main.class, List.of("-Xmx" + heap), args, "Wharf ready");
        try {
            return new WharfChild(child, dataDir, child.await("", Duration.ofSeconds(120)));
        } catch (RuntimeException | InterruptedException e) {
            ProcessHandle.of(child.pid()).ifPresent(ProcessHandle::destroyForcibly);
            throw e;
        }
    }

    String host() {
        return host;
    }

    int respPort() {
        return respPort;
    }

    int httpPort() {
        return httpPort;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return child.log();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** CPU time used so far, seconds. */
    double cpuSeconds() {
        return Math.max(0, ProcessStats.cpuNanos(pid())) / 1e9;
    }

    /** Resident set size now, bytes (0 when gone). */
    long rss() {
        return Math.max(0, ProcessStats.rssBytes(pid()));
    }

    /** Peak resident set size since the last {@link #resetPeakRss()} (or start), bytes. */
    long peakRss() {
        return Math.max(0, ProcessStats.peakRssBytes(pid()));
    }

    /** Resets the kernel's peak-RSS mark (writing 5 to clear_refs); false where that is not possible. */
    boolean resetPeakRss() {
        try (RandomAccessFile f = new RandomAccessFile("/proc/" + pid() + "/clear_refs", "rw")) {
            f.write('5');
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** What the log gained since the last call: counts of OutOfMemoryError, stack traces and each {@code event=}. */
    String newLogSummary() {
        Map<String, Integer> counts = new TreeMap<>();
        try (RandomAccessFile f = new RandomAccessFile(child.log().toFile(), "r")) {
            f.seek(logOffset);
            byte[] bytes = new byte[(int) Math.min(64L << 20, f.length() - logOffset)];
            f.readFully(bytes);
            logOffset += bytes.length;
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                if (line.contains("OutOfMemoryError")) {
                    counts.merge("OutOfMemoryError", 1, Integer::sum);
                }
                if (line.startsWith("\tat ") && !line.startsWith("\tat ", 1)) {
                    counts.merge("stack frames", 1, Integer::sum);
                }
                Matcher m = EVENT.matcher(line);
                if (m.find()) {
                    counts.merge("event=" + m.group(1), 1, Integer::sum);
                }
            }
        } catch (IOException | RuntimeException e) {
            return "log unreadable: " + e;
        }
        StringBuilder out = new StringBuilder();
        counts.forEach((k, v) -> out.append(out.length() == 0 ? "" : ", ").append(k).append(" x").append(v));
        return out.toString();
    }

    /**
     * Sends SIGTERM and waits up to {@code grace}; kills it when it is still running then.
     *
     * @return what happened, e.g. {@code SIGTERM: exited in 1.2 s}
     */
    String stop(Duration grace) {
        if (!process.isAlive()) {
            return "had already exited";
        }
        long start = System.nanoTime();
        process.destroy();
        String result;
        try {
            process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            result = String.format(Locale.ROOT, "SIGTERM: exited in %.1f s", (System.nanoTime() - start) / 1e9);
        } catch (java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
            result = "SIGTERM: still running after " + grace.toSeconds() + " s, killed (SIGKILL)";
        } catch (Exception e) {
            process.destroyForcibly();
            result = "SIGTERM: " + e + ", killed";
        }
        try {
            process.onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // reported above
        }
        deleteDataDir();
        return result;
    }

    /** Kills it at once (harness shutdown). */
    void kill() {
        process.destroyForcibly();
    }

    private void deleteDataDir() {
        try (var paths = Files.walk(dataDir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind does not change a result
        }
    }
}
