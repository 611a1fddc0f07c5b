package io.wharf.bench.relay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The {@link SlowEndpoint} in its own JVM, and the benchmark's view of its counts. */
final class EndpointProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private EndpointProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static EndpointProcess start(long latencyMillis) throws IOException, InterruptedException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"), SlowEndpoint.class.getName(),
                Long.toString(latencyMillis));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("ENDPOINT-PORT ")) {
                return new EndpointProcess(p, Integer.parseInt(line.substring("ENDPOINT-PORT ".length()).trim()));
            }
        }
        throw new IOException("the endpoint process ended without printing its port (exit " + p.waitFor() + ")");
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    long pid() {
        return process.pid();
    }

    /** Starts counting afresh for a run of {@code expected} events. */
    void reset(long expected) throws IOException, InterruptedException {
        get("/reset?expect=" + expected);
    }

    /** The endpoint's counts. */
    Map<String, Long> stats() throws IOException, InterruptedException {
        Map<String, Long> out = new HashMap<>();
        for (String line : get("/stats").split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1).trim()));
            }
        }
        return out;
    }

    private String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    @Override
    public void close() throws IOException {
        process.getOutputStream().close();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
