package io.wharf.bench.security;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.SocketFactory;
import javax.net.ssl.SSLSocket;

/**
 * Many SSE clients on one topic, as light as a client can be: a blocking socket (plain or TLS) and
 * one thread each, decoding the chunked body and counting {@code event: record} lines without
 * parsing the JSON, so the gateway, not the clients, is what the cores are spent on.
 */
final class SseSwarm implements AutoCloseable {
    private static final byte[] RECORD = "event: record".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SUBSCRIBED = ": subscribed".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERROR = "event: error".getBytes(StandardCharsets.US_ASCII);

    private final List<Client> clients = new ArrayList<>();
    private final CountDownLatch subscribed;
    private final CountDownLatch complete;
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final long expected;

    private SseSwarm(int count, long expected) {
        this.subscribed = new CountDownLatch(count);
        this.complete = new CountDownLatch(count);
        this.expected = expected;
    }

    /**
     * Opens {@code count} streams of {@code topic} from its start (TLS handshakes and request heads
     * are done here, out of any measurement) and returns once every one is subscribed.
     *
     * @param authorization the {@code Authorization} header value, or null
     * @param expected      records each client must count to be complete
     */
    static SseSwarm open(SocketFactory sockets, int port, String topic, int count, String authorization, long expected,
                         Duration timeout) throws Exception {
        SseSwarm swarm = new SseSwarm(count, expected);
        String head = "GET /topics/" + URLEncoder.encode(topic, StandardCharsets.UTF_8) + "?start=earliest HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\nAccept: text/event-stream\r\n"
                + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "\r\n";
        ExecutorService connecting = Executors.newFixedThreadPool(8);
        try {
            List<Future<Socket>> opened = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                opened.add(connecting.submit(() -> {
                    Socket s = sockets.createSocket("127.0.0.1", port);
                    s.setTcpNoDelay(true);
                    if (s instanceof SSLSocket tls) {
                        tls.startHandshake();
                    }
                    OutputStream out = s.getOutputStream();
                    out.write(head.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    return s;
                }));
            }
            for (Future<Socket> f : opened) {
                Client c = swarm.new Client(f.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
                swarm.clients.add(c);
                c.thread.start();
            }
        } finally {
            connecting.shutdownNow();
        }
        if (!swarm.subscribed.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            swarm.close();
            throw new IllegalStateException(swarm.subscribed.getCount() + " of " + count + " SSE clients not subscribed"
                    + (swarm.failure.get() == null ? "" : ": " + swarm.failure.get()));
        }
        swarm.throwIfFailed();
        return swarm;
    }

    /** Waits until every client counted its records; false on timeout. */
    boolean awaitComplete(Duration timeout) throws InterruptedException {
        boolean done = complete.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        throwIfFailed();
        return done;
    }

    /** Records counted by all clients together. */
    long delivered() {
        long sum = 0;
        for (Client c : clients) {
            sum += c.records;
        }
        return sum;
    }

    private void throwIfFailed() {
        if (failure.get() != null) {
            throw new IllegalStateException("an SSE client failed: " + failure.get());
        }
    }

    @Override
    public void close() {
        for (Client c : clients) {
            try {
                c.socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        for (Client c : clients) {
            try {
                c.thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One stream: reads the response head, then the chunked body, line by line. */
    private final class Client {
        final Socket socket;
        final Thread thread;
        volatile long records;
        private final byte[] line = new byte[16];
        private int lineLength;
        private boolean open;

        Client(Socket socket) {
            this.socket = socket;
            this.thread = new Thread(this::read, "sse-client");
            this.thread.setDaemon(true);
        }

        private void read() {
            byte[] buf = new byte[64 * 1024];
            long counted = 0;
            // chunked decoding: the size line, its data, the CRLF after it
            long chunkLeft = -1;
            int headEnd = 0;
            long size = 0;
            boolean sizeDone = false;
            boolean done = false;
            try (InputStream in = socket.getInputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    int i = 0;
                    while (!open && i < n) {
                        // the head ends with CRLF CRLF; its first line must say 200
                        byte b = buf[i++];
                        collect(b);
                        headEnd = b == '\n' ? headEnd + 1 : b == '\r' ? headEnd : 0;
                        if (b == '\n') {
                            if (!open && lineLength > 0 && startsWith("HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII))
                                    && !startsWith("HTTP/1.1 200".getBytes(StandardCharsets.US_ASCII))) {
                                fail("the SSE request was answered " + new String(line, 0, lineLength, StandardCharsets.US_ASCII));
                                return;
                            }
                            lineLength = 0;
                        }
                        if (headEnd == 2) {
                            open = true;
                        }
                    }
                    while (i < n) {
                        if (chunkLeft > 0) {
                            int take = (int) Math.min(chunkLeft, n - i);
                            for (int j = i; j < i + take; j++) {
                                byte b = buf[j];
                                if (b == '\n') {
                                    counted += endOfLine();
                                } else if (b != '\r') {
                                    collect(b);
                                }
                            }
                            if (counted != records) {
                                records = counted;
                                if (!done && counted >= expected) {
                                    done = true;
                                    complete.countDown();
                                }
                            }
                            i += take;
                            chunkLeft -= take;
                            if (chunkLeft == 0) {
                                chunkLeft = -2; // the CRLF after the data
                            }
                        } else if (chunkLeft == -2) {
                            if (buf[i++] == '\n') {
                                chunkLeft = -1;
                            }
                        } else {
                            byte b = buf[i++];
                            if (b == '\n') {
                                if (size == 0) {
                                    fail("the stream ended after " + counted + " records");
                                    return;
                                }
                                chunkLeft = size;
                                size = 0;
                                sizeDone = false;
                            } else if (!sizeDone && Character.digit(b, 16) >= 0) {
                                size = size * 16 + Character.digit(b, 16);
                            } else {
                                sizeDone = true; // CR or a chunk extension
                            }
                        }
                    }
                }
                if (counted < expected) {
                    fail("the connection closed after " + counted + " records");
                }
            } catch (IOException e) {
                if (records < expected && !socket.isClosed()) {
                    fail(e.toString());
                }
            }
        }

        /** Ends a body line; returns 1 when it was {@code event: record}. */
        private int endOfLine() {
            int found = 0;
            if (lineLength == RECORD.length && startsWith(RECORD)) {
                found = 1;
            } else if (startsWith(SUBSCRIBED)) {
                subscribed.countDown();
            } else if (startsWith(ERROR)) {
                fail("the stream sent an error event");
            }
            lineLength = 0;
            return found;
        }

        private void collect(byte b) {
            if (lineLength < line.length) {
                line[lineLength] = b;
            }
            lineLength++;
        }

        private boolean startsWith(byte[] prefix) {
            if (lineLength < prefix.length) {
                return false;
            }
            for (int k = 0; k < prefix.length && k < line.length; k++) {
                if (line[k] != prefix[k]) {
                    return false;
                }
            }
            return true;
        }

        private void fail(String why) {
            failure.compareAndSet(null, why);
            subscribed.countDown();
            complete.countDown();
        }
    }
}
