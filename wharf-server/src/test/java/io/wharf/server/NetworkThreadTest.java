package io.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.wharf.core.config.ConfigLoader;
import io.wharf.core.gateway.FrontDoors;
import io.wharf.core.config.WharfConfig;
import io.wharf.core.gateway.Endpoint;
import io.wharf.kafka.embedded.EmbeddedKafka;
import io.wharf.kafka.embedded.EmbeddedKafkaSettings;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's one network thread keeps answering while Kafka is away or a huge batch is sent:
 * producing never calls the Kafka producer on an event loop (issue 10, item 1). Every connection
 * shares the thread ({@code io-threads: 1}); PING and {@code /healthz} are timed on it.
 */
@ExtendWith(SharedKafka.class)
class NetworkThreadTest {
    private static final long MAX_BLOCK_MS = 4_000;
    private static final long SLOWEST_ALLOWED_MS = 100;
    private static final long BATCH_SLOWEST_ALLOWED_MS = 1_000;

    @TempDir
    Path dir;

    private WharfConfig config(String bootstrapServers) {
        return new ConfigLoader(FrontDoors.sections()).load(null, Map.of("bootstrap-servers", bootstrapServers, "resp-port", 0,
                "http-port", 0, "io-threads", 1, "data-dir", dir.resolve("data"),
                "kafka", Map.of("request-timeout", "2s", "producer", Map.of("max.block.ms", String.valueOf(MAX_BLOCK_MS),
                        "request.timeout.ms", "1000", "delivery.timeout.ms", "3000", "linger.ms", "5"))));
    }

    @Test
    void pingAndHealthzAnswerWithin100msWhileClientsProduceDuringAKafkaOutage() throws Exception {
        EmbeddedKafka broker = EmbeddedKafka.start(EmbeddedKafkaSettings.forTests(dir.resolve("kafka")));
        boolean brokerStopped = false;
        List<Producing> clients = new ArrayList<>();
        try (TestKafka kafka = new TestKafka(broker.bootstrapServers());
             WharfServer server = WharfServer.start(config(broker.bootstrapServers()), line -> { })) {
            String topic = kafka.createTopic("outage", 2);
            String resp = address(server, "resp");
            String http = address(server, "http");
            clients.add(new RespProducing(resp, "RPUSHX", topic, 100));
            clients.add(new RespProducing(resp, "RPUSHX", topic, 100));
            clients.add(new RespProducing(resp, "RPUSH", topic, 20));
            clients.add(new RespProducing(resp, "RPUSH", topic, 20));
            for (int i = 0; i < 4; i++) {
                clients.add(new HttpProducing(http, topic));
            }
            clients.add(new WebSocketProducing(http, topic));
            clients.forEach(Producing::start);
            try (Probe probe = new Probe(server, resp, http)) {
                probe.sample(Duration.ofSeconds(2));
                for (Producing c : clients) {
                    c.awaitSucceeded(Duration.ofSeconds(30));
                }
                Timings normal = probe.slowest();

                broker.close();
                brokerStopped = true;
                probe.reset();
                probe.sample(Duration.ofMillis(MAX_BLOCK_MS * 2 + 2_000));
                Timings outage = probe.slowest();
                System.out.printf("network thread while producing: normal ping %d ms healthz %d ms loop task late %d ms;"
                                + " Kafka stopped: ping %d ms healthz %d ms (beyond JVM/machine stalls %d / %d ms) loop task late %d ms,"
                                + " plain thread late %d ms over %d samples; %s%n",
                        normal.ping(), normal.healthz(), normal.loop(), outage.ping(), outage.healthz(), outage.heldPing(),
                        outage.heldHealthz(), outage.loop(), outage.control(),
                        outage.samples(), clients);
                assertThat(outage.samples()).isGreaterThan(50);
                // a stop-the-world pause or a starved machine delays every thread alike; what the
                // network thread adds beyond that is what Wharf holds it for
                assertThat(outage.heldPing()).as("slowest PING during the outage beyond JVM/machine stalls, ms")
                        .isLessThan(SLOWEST_ALLOWED_MS);
                assertThat(outage.heldHealthz()).as("slowest /healthz during the outage beyond JVM/machine stalls, ms")
                        .isLessThan(SLOWEST_ALLOWED_MS);
                // the producing clients kept being answered (errors) rather than hanging on the thread
                assertThat(clients).allSatisfy(c -> assertThat(c.answers()).isGreaterThan(0));
            } finally {
                clients.forEach(Producing::stop);
            }
        } finally {
            if (!brokerStopped) {
                broker.close();
            }
        }
    }

    @Test
    void aHugeJsonBatchDoesNotHoldTheNetworkThread(TestKafka kafka) throws Exception {
        try (WharfServer server = WharfServer.start(config(kafka.bootstrapServers()), line -> { })) {
            String topic = kafka.createTopic("huge-batch", 4);
            String resp = address(server, "resp");
            String http = address(server, "http");
            HttpClient client = HttpClient.newHttpClient();
            try (Probe probe = new Probe(server, resp, http)) {
                // warm up the JSON, produce and reply paths with a small batch first
                assertThat(postBatch(client, http, topic, 2_000).get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                probe.reset();
                int records = 150_000;
                CompletableFuture<HttpResponse<String>> big = postBatch(client, http, topic, records);
                while (!big.isDone()) {
                    probe.sampleOnce();
                    Thread.sleep(20);
                }
                HttpResponse<String> reply = big.get();
                Timings during = probe.slowest();
                System.out.printf("network thread during a %d-record batch: ping %d ms healthz %d ms (beyond JVM/machine stalls"
                        + " %d / %d ms) loop task late %d ms plain thread late %d ms over %d samples%n", records, during.ping(),
                        during.healthz(), during.heldPing(), during.heldHealthz(), during.loop(),
                        during.control(), during.samples());
                assertThat(reply.statusCode()).isEqualTo(200);
                assertThat(reply.body()).contains("\"offset\"");
                assertThat(during.samples()).isGreaterThan(0);
                // the batch's own decoding, sending and reply building run on other threads that share
                // the machine's cores with the network thread, so the bound is looser than the outage's;
                // the thread used to be held for the whole batch (3.6-15.9 s)
                assertThat(during.heldPing()).as("slowest PING during the batch beyond JVM/machine stalls, ms")
                        .isLessThan(BATCH_SLOWEST_ALLOWED_MS);
                assertThat(during.heldHealthz()).as("slowest /healthz during the batch beyond JVM/machine stalls, ms")
                        .isLessThan(BATCH_SLOWEST_ALLOWED_MS);
            }
        }
    }

    private static CompletableFuture<HttpResponse<String>> postBatch(HttpClient client, String http, String topic,
                                                                     int records) {
        StringBuilder body = new StringBuilder(records * 20).append('[');
        for (int i = 0; i < records; i++) {
            body.append(i == 0 ? "" : ",").append("{\"value\":\"v").append(i).append("\"}");
        }
        body.append(']');
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://" + http + "/topics/" + topic))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String address(WharfServer server, String name) {
        Endpoint e = server.endpoints().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
        return e.host() + ":" + e.port();
    }

    /**
     * The slowest answers seen. A stop-the-world GC pause or a starved machine delays every thread
     * alike, the network thread too; a plain thread's sleep measures that, and what a probe took
     * beyond it is what held the network thread itself.
     *
     * @param ping        slowest PING round trip, ms
     * @param healthz     slowest {@code GET /healthz}, ms
     * @param heldPing    slowest PING beyond the plain thread's lateness meanwhile, ms
     * @param heldHealthz slowest {@code GET /healthz} beyond the plain thread's lateness meanwhile, ms
     * @param loop    most a task on the network thread ran late, ms
     * @param control most a plain thread's 10 ms sleep overran, ms (GC pauses, a busy machine)
     * @param samples how many of each
     */
    record Timings(long ping, long healthz, long heldPing, long heldHealthz, long loop, long control, int samples) {
    }

    /**
     * Times PING on its own RESP connection and {@code GET /healthz} on its own HTTP connection (raw
     * sockets, so no client threads sit between the probe and the server), and how late a task
     * scheduled on the network thread every 10 ms runs (how long the thread was held).
     */
    static final class Probe implements AutoCloseable {
        private final RespLine ping;
        private final RespLine healthz;
        private final io.netty.channel.EventLoop loop;
        private volatile boolean running = true;
        private volatile long slowestPing;
        private volatile long slowestHealthz;
        private volatile long latestLoopTask;
        // the same lateness on a plain thread: what the JVM (GC) and the machine add to every thread
        private volatile long latestControl;
        // the plain thread's lateness during the current probe
        private volatile long windowControl;
        private volatile long heldPing;
        private volatile long heldHealthz;
        private int samples;

        Probe(WharfServer server, String resp, String http) throws IOException {
            this.ping = new RespLine(resp);
            this.healthz = new RespLine(http);
            this.loop = server.gateway().context().network().workers().next();
            scheduleLoopTask();
            Thread control = new Thread(() -> {
                while (running) {
                    long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                    long late = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - due);
                    latestControl = Math.max(latestControl, late);
                    windowControl = Math.max(windowControl, late);
                }
            }, "probe-control");
            control.setDaemon(true);
            control.start();
        }

        private void scheduleLoopTask() {
            long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
            loop.schedule(() -> {
                latestLoopTask = Math.max(latestLoopTask, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - due));
                if (running) {
                    scheduleLoopTask();
                }
            }, 10, TimeUnit.MILLISECONDS);
        }

        void sample(Duration duration) throws Exception {
            long end = System.nanoTime() + duration.toNanos();
            while (System.nanoTime() < end) {
                sampleOnce();
                Thread.sleep(50);
            }
        }

        void sampleOnce() throws Exception {
            windowControl = 0;
            long start = System.nanoTime();
            ping.write("PING");
            assertThat(ping.read()).isEqualTo("+PONG");
            long pinged = System.nanoTime();
            healthz.writeText("GET /healthz HTTP/1.1\r\nHost: wharf\r\n\r\n");
            assertThat(healthz.read()).startsWith("HTTP/1.1 200");
            int length = 0;
            for (String header = healthz.read(); !header.isEmpty(); header = healthz.read()) {
                if (header.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(header.substring("content-length:".length()).trim());
                }
            }
            healthz.skip(length);
            long checked = System.nanoTime();
            // a pause that ends with the probe is recorded once the plain thread wakes after it
            Thread.sleep(20);
            long stall = windowControl;
            long pingMillis = TimeUnit.NANOSECONDS.toMillis(pinged - start);
            long healthzMillis = TimeUnit.NANOSECONDS.toMillis(checked - pinged);
            slowestPing = Math.max(slowestPing, pingMillis);
            slowestHealthz = Math.max(slowestHealthz, healthzMillis);
            heldPing = Math.max(heldPing, pingMillis - stall);
            heldHealthz = Math.max(heldHealthz, healthzMillis - stall);
            samples++;
        }

        Timings slowest() {
            return new Timings(slowestPing, slowestHealthz, heldPing, heldHealthz, latestLoopTask, latestControl, samples);
        }

        void reset() {
            slowestPing = 0;
            slowestHealthz = 0;
            latestLoopTask = 0;
            latestControl = 0;
            heldPing = 0;
            heldHealthz = 0;
            samples = 0;
        }

        @Override
        public void close() throws IOException {
            running = false;
            ping.close();
            healthz.close();
        }
    }

    /** A client producing in a loop on its own thread, counting answers. */
    abstract static class Producing {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong succeeded = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        volatile String lastError;
        private final Thread thread = new Thread(this::loop, getClass().getSimpleName());

        void start() {
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            while (running.get()) {
                try {
                    round();
                } catch (Exception e) {
                    if (running.get()) {
                        failed.incrementAndGet();
                        lastError = e.toString();
                    }
                }
            }
        }

        abstract void round() throws Exception;

        long answers() {
            return succeeded.get() + failed.get();
        }

        void awaitSucceeded(Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            while (succeeded.get() == 0 && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertThat(succeeded.get()).as(getClass().getSimpleName() + " produced before the outage").isPositive();
        }

        void stop() {
            running.set(false);
            closeQuietly();
            thread.interrupt();
        }

        void closeQuietly() {
        }

        @Override
        public String toString() {
            return getClass().getSimpleName() + "(ok=" + succeeded + ", failed=" + failed
                    + (lastError == null ? "" : ", last exception " + lastError) + ")";
        }
    }

    /** Pipelines {@code batch} RPUSHX or RPUSH commands of 1 KiB values, then reads their replies. */
    static final class RespProducing extends Producing {
        private final RespLine line;
        private final String command;
        private final String key;
        private final int batch;
        private final String value = "x".repeat(1024);

        RespProducing(String address, String command, String topic, int batch) throws IOException {
            this.line = new RespLine(address);
            this.command = command;
            this.key = "topics:" + topic;
            this.batch = batch;
        }

        @Override
        void round() throws IOException {
            for (int i = 0; i < batch; i++) {
                line.write(command, key, value);
            }
            for (int i = 0; i < batch; i++) {
                String reply = line.read();
                (reply.startsWith(":") ? succeeded : failed).incrementAndGet();
            }
        }

        @Override
        void closeQuietly() {
            line.close();
        }

        @Override
        public String toString() {
            return command + super.toString();
        }
    }

    /** Posts one record at a time. */
    static final class HttpProducing extends Producing {
        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private final HttpRequest post;

        HttpProducing(String address, String topic) {
            this.post = HttpRequest.newBuilder(URI.create("http://" + address + "/topics/" + topic))
                    .header("Content-Type", "text/plain").timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString("y".repeat(512))).build();
        }

        @Override
        void round() throws Exception {
            int status = client.send(post, HttpResponse.BodyHandlers.discarding()).statusCode();
            (status == 200 ? succeeded : failed).incrementAndGet();
        }
    }

    /** Sends native {@code produce} messages on {@code /ws}, at most 100 unanswered. */
    static final class WebSocketProducing extends Producing implements WebSocket.Listener {
        private final WebSocket socket;
        private final String topic;
        private final java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(100);
        private final StringBuilder partial = new StringBuilder();
        private long id;

        WebSocketProducing(String address, String topic) {
            this.topic = topic;
            this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://" + address + "/ws"), this).join();
        }

        @Override
        void round() throws Exception {
            if (window.tryAcquire(1, TimeUnit.SECONDS)) {
                socket.sendText("{\"type\":\"produce\",\"id\":\"" + (id++) + "\",\"topic\":\"" + topic
                        + "\",\"value\":\"" + "z".repeat(512) + "\"}", true).get(60, TimeUnit.SECONDS);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String message = partial.toString();
                partial.setLength(0);
                (message.contains("\"produced\"") ? succeeded : failed).incrementAndGet();
                window.release();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        void closeQuietly() {
            socket.abort();
        }
    }

    /** A plain TCP connection writing RESP commands or HTTP requests and reading line by line. */
    static final class RespLine implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        RespLine(String address) throws IOException {
            int colon = address.lastIndexOf(':');
            this.socket = new Socket(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(60_000);
            this.out = socket.getOutputStream();
            this.in = new BufferedInputStream(socket.getInputStream());
        }

        void write(String... args) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (String a : args) {
                byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
                b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                b.writeBytes(bytes);
                b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write(b.toByteArray());
            out.flush();
        }

        void writeText(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        void skip(int bytes) throws IOException {
            for (int i = 0; i < bytes; i++) {
                if (in.read() < 0) {
                    throw new IOException("connection closed");
                }
            }
        }

        /** The next line without its CRLF (a RESP simple string, error or integer; an HTTP status or header line). */
        String read() throws IOException {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
