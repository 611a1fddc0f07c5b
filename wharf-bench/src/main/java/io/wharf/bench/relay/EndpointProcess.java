package io.wharf.bench.relay;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.wharf.bench.ChildJvm;

/** The {@link SlowEndpoint} in its own JVM, and the benchmark's view of its counts. */
final class EndpointProcess implements AutoCloseable {
    private final ChildJvm child;
    private final int port;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private EndpointProcess(ChildJvm child) throws InterruptedException {
        this.child = child;
        this.port = Integer.parseInt(child.await("PORT ", Duration.ofSeconds(60)));
    }

    static EndpointProcess start(long latencyMillis) throws IOException, InterruptedException {
        return new EndpointProcess(ChildJvm.start("endpoint process", SlowEndpoint.class,
                List.of("-Xmx512m", "-XX:+UseParallelGC"), List.of(Long.toString(latencyMillis)), "ENDPOINT-"));
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    long pid() {
        return child.pid();
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
    public void close() {
        child.stop(Duration.ofSeconds(10)); // the endpoint ends when its stdin closes
    }
}
