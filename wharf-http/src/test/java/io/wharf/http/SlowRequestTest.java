package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slowloris: requests dribbled a byte at a time are closed once their head outlasts
 * {@code http.request-header-timeout} or their body falls below {@code http.min-body-bytes-per-second},
 * even though bytes keep arriving (each resets the idle timer); a normal client is not affected; a
 * request whose head is too large is answered in JSON and its connection closed.
 */
class SlowRequestTest {
    private static final TestKafka KAFKA = SharedKafka.get();
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        // an idle timeout far above the others: only the new limits can close these connections in time
        HttpSettings http = new HttpSettings(null, null, null, null, Duration.ofSeconds(60), null, null, null, null,
                null, null).withSlowRequestLimits(Duration.ofSeconds(1), 1000, Duration.ofMillis(500));
        gateway = TestGateway.builder().kafka(KAFKA).with(HttpSettings.class, http).start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", gateway.endpoint("http").port());
        s.setSoTimeout(30_000);
        return s;
    }

    /** Sends the bytes one by one, 200 ms apart, until the server closes; how many got through. */
    private static int dribble(Socket s, String text, long giveUpMillis) throws InterruptedException {
        long deadline = System.nanoTime() + giveUpMillis * 1_000_000;
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        int sent = 0;
        try {
            OutputStream out = s.getOutputStream();
            while (System.nanoTime() < deadline) {
                out.write(bytes[sent % bytes.length]);
                out.flush();
                sent++;
                Thread.sleep(200);
            }
        } catch (IOException closed) {
            return sent;
        }
        return sent;
    }

    private static String readAll(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (SocketException reset) {
            return "";
        }
    }

    private static double counter(String reason) {
        return gateway.context().metrics().registry().get("wharf.http.slow.request.disconnects").tag("reason", reason)
                .counter().count();
    }

    @Test
    void aHeadDribbledAByteAt200msIsAnswered408AndClosedAfterTheHeaderTimeout() throws Exception {
        double before = counter("header");
        try (Socket s = connect()) {
            String[] reply = new String[1];
            Thread reader = new Thread(() -> {
                try {
                    reply[0] = readAll(s);
                } catch (IOException e) {
                    reply[0] = "";
                }
            });
            reader.start();
            // an endless header: "X-A: aaaa..." never ends, so only the header timeout (1 s) can stop it
            int sent = dribble(s, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(10_000), 20_000);
            reader.join(30_000);
            // 1 s at one byte per 200 ms is about 5 bytes; the write that fails may come a few later
            assertThat(sent).as("bytes sent before the server closed").isLessThan(40);
            assertThat(reply[0]).startsWith("HTTP/1.1 408 ");
            JsonNode body = TestClients.JSON.readTree(reply[0].substring(reply[0].indexOf("\r\n\r\n") + 4));
            assertThat(body.get("error").asText()).isEqualTo("request_timeout");
            assertThat(body.get("message").asText()).contains("http.request-header-timeout");
        }
        assertThat(counter("header")).isEqualTo(before + 1);
    }

    @Test
    void aBodyDribbledBelowTheMinimumRateIsClosed() throws Exception {
        String topic = KAFKA.createTopic("slow-body", 1);
        double before = counter("body");
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /topics/" + topic + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: 100000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // 5 bytes a second against a minimum of 1000
            int sent = dribble(s, "b", 20_000);
            assertThat(sent).as("body bytes sent before the server closed").isLessThan(40);
            String reply = readAll(s);
            // the 408 may be lost to a reset (the client was still sending); the close is what counts
            if (!reply.isEmpty()) {
                assertThat(reply).startsWith("HTTP/1.1 408 ").contains("http.min-body-bytes-per-second");
            }
        }
        assertThat(counter("body")).isEqualTo(before + 1);
        assertThat(KAFKA.readAll(topic, 1, Duration.ofSeconds(2))).as("nothing of the slow body was produced").isEmpty();
    }

    @Test
    void aNormalClientOnAKeptAliveConnectionIsUnaffected() throws Exception {
        String topic = KAFKA.createTopic("slow-normal", 1);
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (int i = 0; i < 3; i++) {
                String body = "value-" + i;
                out.write(("POST /topics/" + topic + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: "
                        + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String head = RawHttp.readHead(in);
                assertThat(head).startsWith("HTTP/1.1 200 ");
                in.readNBytes(RawHttp.contentLength(head));
                // idle between requests for longer than the header timeout: the idle timeout governs this gap
                Thread.sleep(1_200);
            }
        }
        assertThat(KAFKA.readAll(topic, 3, Duration.ofSeconds(10))).hasSize(3);
    }

    @Test
    void aHeadTooLargeIsA431InJsonAndTheConnectionCloses() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write(("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String reply = readAll(s);
            assertThat(reply).startsWith("HTTP/1.1 431 ").contains("connection: close");
            assertThat(reply).contains("\"error\":\"headers_too_large\"");
        }
        try (Socket s = connect()) {
            s.getOutputStream().write(("GET /healthz?" + "q".repeat(5_000) + " HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String reply = readAll(s);
            assertThat(reply).startsWith("HTTP/1.1 414 ").contains("\"error\":\"request_line_too_long\"");
        }
    }
}
