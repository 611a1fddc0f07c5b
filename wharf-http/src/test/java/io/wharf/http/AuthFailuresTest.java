package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import io.wharf.core.config.AuthSettings;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client guessing Basic credentials or tokens is answered 429 with Retry-After after
 * {@code auth.max-failures} wrong attempts from its address, on every route and upgrade (WebSocket,
 * kafka-proxy), even with valid credentials, until the refusal passes; other addresses are not
 * affected. Clients bind to other loopback addresses (127.0.0.x: Linux routes all of 127/8 to lo).
 */
class AuthFailuresTest {
    private static final String TOKEN = "tok-abcdef";
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        gateway = TestGateway.builder().kafka(SharedKafka.get())
                .auth(new AuthSettings("pw-default", Map.of("alice", "alice-pw"), List.of(TOKEN))
                        .withFailureBudget(3, Duration.ofMinutes(1), Duration.ofMillis(500), Duration.ofSeconds(1)))
                .start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void wrongBasicAttemptsAreRefusedWith429UntilTheRefusalPasses() throws Exception {
        InetAddress guesser = loopback(2);
        for (int i = 0; i < 3; i++) {
            assertThat(request(guesser, "GET /topics", "Authorization: " + basic("alice", "guess-" + i)).status())
                    .isEqualTo(401);
        }
        Reply refused = request(guesser, "GET /topics", "Authorization: " + basic("alice", "guess-3"));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("retry-after")).isEqualTo("1");
        assertThat(refused.body()).contains("\"error\":\"too_many_auth_failures\"")
                .contains("too many failed authentication attempts from this address (auth.max-failures: 3");
        // while refused, valid credentials are not even checked, on every route and upgrade
        assertThat(request(guesser, "GET /topics", "Authorization: " + basic("alice", "alice-pw")).status()).isEqualTo(429);
        assertThat(request(guesser, "GET /topics", "Authorization: Bearer " + TOKEN).status()).isEqualTo(429);
        assertThat(request(guesser, "GET /ws", "Authorization: Bearer " + TOKEN, "Upgrade: websocket",
                "Connection: Upgrade", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==")
                .status()).isEqualTo(429);
        assertThat(request(guesser, "GET /", "Authorization: basic pw-default", "Upgrade: websocket",
                "Connection: Upgrade", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==")
                .status()).isEqualTo(429);
        // health stays open and another address is not affected
        assertThat(request(guesser, "GET /healthz").status()).isEqualTo(200);
        assertThat(request(loopback(1), "GET /topics", "Authorization: " + basic("alice", "nope")).status()).isEqualTo(401);
        assertThat(request(loopback(1), "GET /topics", "Authorization: " + basic("alice", "alice-pw")).status()).isEqualTo(200);

        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Reply reply = request(guesser, "GET /topics", "Authorization: " + basic("alice", "alice-pw"));
        while (reply.status() == 429 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            reply = request(guesser, "GET /topics", "Authorization: " + basic("alice", "alice-pw"));
        }
        assertThat(reply.status()).isEqualTo(200);
        String metrics = request(guesser, "GET /metrics", "Authorization: Bearer " + TOKEN).body();
        assertThat(metrics).contains("wharf_auth_failures_total{door=\"http\"}", "wharf_auth_refused_total{door=\"http\"}");
    }

    @Test
    void requestsWithoutCredentialsDoNotUseTheBudget() throws Exception {
        InetAddress browser = loopback(3);
        for (int i = 0; i < 10; i++) {
            assertThat(request(browser, "GET /topics").status()).isEqualTo(401);
        }
        assertThat(request(browser, "GET /topics", "Authorization: Bearer " + TOKEN).status()).isEqualTo(200);
    }

    private record Reply(int status, String head, String body) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    /** One request on its own connection from {@code from}; reads until the server closes or a 101/429 upgrade head. */
    private static Reply request(InetAddress from, String requestLine, String... headers) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gateway.port("http"), from, 0)) {
            s.setSoTimeout(30_000);
            StringBuilder req = new StringBuilder(requestLine).append(" HTTP/1.1\r\nHost: localhost\r\n");
            boolean upgrade = false;
            for (String h : headers) {
                req.append(h).append("\r\n");
                upgrade |= h.startsWith("Upgrade:");
            }
            if (!upgrade) {
                req.append("Connection: close\r\n");
            }
            s.getOutputStream().write(req.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String text = readReply(s.getInputStream());
            int end = text.indexOf("\r\n\r\n");
            String head = end < 0 ? text : text.substring(0, end);
            return new Reply(Integer.parseInt(head.split(" ")[1]), head, end < 0 ? "" : text.substring(end + 4));
        }
    }

    private static String readReply(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
            String text = out.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            if (end >= 0) {
                String head = text.substring(0, end).toLowerCase();
                int length = head.indexOf("content-length:");
                if (length >= 0) {
                    int eol = head.indexOf("\r\n", length);
                    int size = Integer.parseInt(head.substring(length + 15, eol < 0 ? head.length() : eol).trim());
                    if (out.size() >= end + 4 + size) {
                        return text;
                    }
                } else if (head.startsWith("http/1.1 101")) {
                    return text;
                }
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static InetAddress loopback(int last) throws IOException {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    }
}
