package io.wharf.bench.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;

/**
 * The client whose latency the run is about: one RESP connection alternating {@code RPUSHX} and
 * {@code PING} at a fixed rate, and the JDK HttpClient producing one record at a time over HTTP.
 * Every request has a deadline; one that misses it counts as a timeout at the deadline's value (so
 * a hung server shows in the p99 instead of stopping the client) and the RESP connection is opened
 * afresh. Latency is each request's own round trip, from its write to its reply.
 */
final class WellBehavedClient {
    private static final byte[] PING = Attack.command("PING");

    private final String host;
    private final int respPort;
    private final int httpPort;
    private final String topic;
    private final int respPerSecond;
    private final int httpPerSecond;
    private final Duration deadline;
    private final long maxMicros;
    final Histogram resp;
    final Histogram http;
    final LongAdder respFailures = new LongAdder();
    final LongAdder httpFailures = new LongAdder();
    final LongAdder respSent = new LongAdder();
    final LongAdder httpSent = new LongAdder();
    private long end;
    private Thread respThread;
    private Thread httpThread;

    WellBehavedClient(String host, int respPort, int httpPort, String topic, int respPerSecond, int httpPerSecond,
                      Duration deadline) {
        this.host = host;
        this.respPort = respPort;
        this.httpPort = httpPort;
        this.topic = topic;
        this.respPerSecond = respPerSecond;
        this.httpPerSecond = httpPerSecond;
        this.deadline = deadline;
        this.maxMicros = deadline.toNanos() / 1000;
        this.resp = new Histogram(maxMicros * 2, 3);
        this.http = new Histogram(maxMicros * 2, 3);
    }

    /** Starts both clients for {@code duration}. */
    void start(Duration duration) {
        end = System.nanoTime() + duration.toNanos();
        long stop = end;
        respThread = new Thread(() -> respLoop(stop), "well-behaved-resp");
        httpThread = new Thread(() -> httpLoop(stop), "well-behaved-http");
        respThread.setDaemon(true);
        httpThread.setDaemon(true);
        respThread.start();
        httpThread.start();
    }

    /** Waits for both to end (each ends by itself; bounded all the same). */
    void await() throws InterruptedException {
        // the last request may start just before the end and take up to its deadline (twice for a reconnect)
        long until = end + deadline.toNanos() * 3 + 5_000_000_000L;
        respThread.join(Math.max(1, (until - System.nanoTime()) / 1_000_000));
        httpThread.join(Math.max(1, (until - System.nanoTime()) / 1_000_000));
        if (respThread.isAlive() || httpThread.isAlive()) {
            throw new IllegalStateException("the well-behaved client did not end within its deadlines");
        }
    }

    private void respLoop(long end) {
        byte[] rpushx = Attack.command("RPUSHX", "topics:" + topic, "well-behaved-" + "x".repeat(80));
        long period = 1_000_000_000L / Math.max(1, respPerSecond);
        long next = System.nanoTime();
        Socket socket = null;
        int n = 0;
        while (System.nanoTime() < end) {
            next = pace(next, period);
            try {
                if (socket == null) {
                    socket = new Socket();
                    socket.connect(new InetSocketAddress(host, respPort), (int) deadline.toMillis());
                    socket.setTcpNoDelay(true);
                    socket.setSoTimeout((int) deadline.toMillis());
                }
                boolean ping = n++ % 2 == 1;
                long start = System.nanoTime();
                respSent.increment();
                OutputStream out = socket.getOutputStream();
                out.write(ping ? PING : rpushx);
                out.flush();
                String reply = readLine(socket.getInputStream());
                record(resp, System.nanoTime() - start);
                if (!reply.equals(ping ? "+PONG" : ":1")) {
                    respFailures.increment();
                }
            } catch (IOException e) {
                // a timeout, a refused connection or one Wharf closed: the deadline's value, and a new connection
                resp.recordValue(maxMicros);
                respFailures.increment();
                closeQuietly(socket);
                socket = null;
            }
        }
        closeQuietly(socket);
    }

    private void httpLoop(long end) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(deadline).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + httpPort + "/topics/" + topic))
                .timeout(deadline).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("well-behaved-" + "x".repeat(80))).build();
        long period = 1_000_000_000L / Math.max(1, httpPerSecond);
        long next = System.nanoTime();
        while (System.nanoTime() < end) {
            next = pace(next, period);
            long start = System.nanoTime();
            httpSent.increment();
            try {
                HttpResponse<Void> r = client.send(request, HttpResponse.BodyHandlers.discarding());
                record(http, System.nanoTime() - start);
                if (r.statusCode() != 200) {
                    httpFailures.increment();
                }
            } catch (HttpTimeoutException e) {
                http.recordValue(maxMicros);
                httpFailures.increment();
            } catch (IOException e) {
                record(http, System.nanoTime() - start);
                httpFailures.increment();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Sleeps until {@code next}; a client that fell behind starts again from now instead of bursting. */
    private static long pace(long next, long period) {
        long now = System.nanoTime();
        if (next > now) {
            try {
                Thread.sleep((next - now) / 1_000_000, (int) ((next - now) % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return next + period;
        }
        return now + period;
    }

    private void record(Histogram h, long nanos) {
        h.recordValue(Math.min(maxMicros, Math.max(1, nanos / 1000)));
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("closed by Wharf");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
