package io.wharf.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.testkit.gateway.TestGateway;

/** Real clients for tests: the JDK's HttpClient for HTTP and WebSocket, against a running gateway. */
final class TestClients {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestClients() {
    }

    static URI uri(TestGateway gateway, String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + gateway.endpoint("http").port() + pathAndQuery);
    }

    static URI ws(TestGateway gateway, String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + gateway.endpoint("http").port() + pathAndQuery);
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> get(TestGateway gateway, String path) {
        return send(HttpRequest.newBuilder(uri(gateway, path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    static HttpResponse<String> post(TestGateway gateway, String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(uri(gateway, path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new IllegalStateException("not JSON: " + response.body(), e);
        }
    }

    /** A WebSocket that queues every whole text message; with {@code demand=false} it stops reading after the first. */
    static final class Socket implements WebSocket.Listener {
        final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        /** The reason of the server's close frame, once {@link #closed} completed. */
        volatile String closeReason;
        private final StringBuilder partial = new StringBuilder();
        private final boolean demand;
        WebSocket socket;

        Socket(boolean demand) {
            this.demand = demand;
        }

        static Socket open(TestGateway gateway, String path, String... headers) {
            Socket s = new Socket(true);
            s.connect(gateway, path, headers);
            return s;
        }

        void connect(TestGateway gateway, String path, String... headers) {
            WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
            for (int i = 0; i + 1 < headers.length; i += 2) {
                builder.header(headers[i], headers[i + 1]);
            }
            socket = builder.buildAsync(ws(gateway, path), this).join();
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            if (demand) {
                webSocket.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeReason = reason;
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }

        void send(String text) {
            socket.sendText(text, true).join();
        }

        void send(JsonNode message) {
            send(message.toString());
        }

        /** The next message, failing after the timeout. */
        JsonNode next(Duration timeout) {
            try {
                String m = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (m == null) {
                    throw new AssertionError("no WebSocket message within " + timeout);
                }
                return JSON.readTree(m);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The next message of a type, skipping others. */
        JsonNode next(String type, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no '" + type + "' message within " + timeout);
                }
                JsonNode m = next(Duration.ofNanos(left));
                if (type.equals(m.path("type").asText())) {
                    return m;
                }
            }
        }

        void close() {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                socket.abort();
            }
        }

        void sendBinary(byte[] bytes) {
            socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
        }
    }
}
