package io.wharf.relay;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An HTTP source for the poller in the crash test: a feed that grows by 20 items a second once
 * started, ids
 * 1, 2, 3, ... It serves the items after {@code ?since=} (at most 500 a page) with an ETag per page,
 * and answers 304 to a matching If-None-Match.
 */
final class FeedSource implements AutoCloseable {
    private static final int PAGE = 500;

    private final HttpServer server;
    private final ScheduledExecutorService growth = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger published = new AtomicInteger();
    private final AtomicBoolean growing = new AtomicBoolean();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger notModified = new AtomicInteger();

    private final int items;

    FeedSource(int items) throws IOException {
        this.items = items;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/feed", this::serve);
        server.start();
    }

    /** Starts publishing (idempotent). */
    void grow() {
        if (growing.compareAndSet(false, true)) {
            growth.scheduleAtFixedRate(() -> published.updateAndGet(n -> Math.min(items, n + 1)), 0, 50,
                    TimeUnit.MILLISECONDS);
        }
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/feed");
    }

    int published() {
        return published.get();
    }

    private void serve(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        String query = ex.getRequestURI().getRawQuery();
        int since = query != null && query.startsWith("since=") ? Integer.parseInt(query.substring(6)) : 0;
        int last = Math.min(published.get(), since + PAGE);
        String etag = "\"" + since + "-" + last + "\"";
        try (ex) {
            if (etag.equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
                notModified.incrementAndGet();
                ex.sendResponseHeaders(304, -1);
                return;
            }
            StringBuilder body = new StringBuilder("{\"items\":[");
            for (int id = since + 1; id <= last; id++) {
                body.append(id == since + 1 ? "" : ",").append("{\"id\":").append(id).append(",\"v\":\"item-").append(id)
                        .append("\"}");
            }
            byte[] bytes = body.append("]}").toString().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("ETag", etag);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        growth.shutdownNow();
        server.stop(0);
    }
}
