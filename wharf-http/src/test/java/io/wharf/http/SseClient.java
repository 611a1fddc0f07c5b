package io.wharf.http;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.testkit.gateway.TestGateway;

/** Reads a Server-Sent Events stream with the JDK's HttpClient, event by event. */
final class SseClient implements AutoCloseable {
    /** One event: its id, type and parsed data. */
    record Event(String id, String event, JsonNode data) {
    }

    private final HttpResponse<InputStream> response;
    private final BufferedReader reader;

    private SseClient(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    }

    static SseClient open(TestGateway gateway, String pathAndQuery, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(TestClients.uri(gateway, pathAndQuery))
                .header("Accept", "text/event-stream");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return new SseClient(TestClients.HTTP.send(b.GET().build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    int status() {
        return response.statusCode();
    }

    HttpResponse<InputStream> response() {
        return response;
    }

    /** The next event (comments skipped), failing after the timeout. */
    Event next(Duration timeout) {
        CompletableFuture<Event> f = CompletableFuture.supplyAsync(this::read);
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no SSE event within " + timeout);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The next n record events, skipping other kinds. */
    List<Event> records(int n, Duration timeout) {
        List<Event> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.size() < n) {
            Event e = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (e.event().equals("record")) {
                out.add(e);
            }
        }
        return out;
    }

    private Event read() {
        try {
            String id = null;
            String event = "message";
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        return new Event(id, event, TestClients.JSON.readTree(data.toString()));
                    }
                    id = null;
                    event = "message";
                    continue;
                }
                if (line.startsWith(":")) {
                    continue;
                }
                if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
            throw new IllegalStateException("the stream ended");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            response.body().close();
        } catch (java.io.IOException e) {
            // closing the connection is all that matters
        }
    }
}
