package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.core.config.AccessSettings;
import io.wharf.core.config.AuthSettings;
import io.wharf.core.tls.TlsSettings;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestCertificates;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP door over TLS with the JDK's clients trusting a test CA: HTTPS produce and long poll, SSE
 * over HTTPS, WSS {@code /ws}, the plain port beside it, client certificates, a certificate
 * replaced while running, and a peer that never says hello.
 */
class HttpsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final TestKafka kafka = SharedKafka.get();
    private static final TestCertificates ca = TestCertificates.authority("https-ca");

    @TempDir
    static Path dir;

    private static Path cert;
    private static Path key;
    private static Path trust;

    @BeforeAll
    static void files() {
        TestCertificates.ServerFiles files = ca.writeServerFiles("wharf-http", dir);
        cert = files.cert();
        key = files.key();
        trust = files.trust();
    }

    private static TestGateway start(TlsSettings tls) {
        return TestGateway.builder().kafka(kafka).update(HttpSettings.class, s -> s.withTls(tls)).start();
    }

    private static HttpClient client(SSLContext context) {
        return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static URI https(TestGateway gateway, String path) {
        return URI.create("https://localhost:" + gateway.port("https") + path);
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest request) throws Exception {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void producesReadsStreamsAndSpeaksWebSocketOverTlsWithThePlainPortBesideIt() throws Exception {
        String topic = kafka.createTopic("https", 1);
        try (TestGateway gateway = start(TlsSettings.pem(cert, key).withPort(0))) {
            assertThat(gateway.endpoints()).extracting(e -> e.name()).contains("http", "https");
            HttpClient client = client(ca.clientContext());
            HttpResponse<String> produced = send(client, HttpRequest.newBuilder(https(gateway, "/topics/" + topic + "?key=k1"))
                    .timeout(WAIT).header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("over tls"))
                    .build());
            assertThat(produced.statusCode()).isEqualTo(200);
            assertThat(TestClients.json(produced).get("offset").asLong()).isZero();
            assertThat(produced.version()).isEqualTo(HttpClient.Version.HTTP_1_1);

            HttpResponse<String> polled = send(client, HttpRequest.newBuilder(
                    https(gateway, "/topics/" + topic + "?start=earliest&max=1")).timeout(WAIT).GET().build());
            assertThat(polled.statusCode()).isEqualTo(200);
            JsonNode record = TestClients.json(polled).get("records").get(0);
            assertThat(record.get("value").asText()).isEqualTo("over tls");
            assertThat(record.get("key").asText()).isEqualTo("k1");

            // SSE over HTTPS
            HttpResponse<InputStream> stream = client.send(HttpRequest.newBuilder(
                            https(gateway, "/topics/" + topic + "?start=earliest")).header("Accept", "text/event-stream")
                    .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(stream.statusCode()).isEqualTo(200);
            try (BufferedReader events = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                String data = CompletableFuture.supplyAsync(() -> firstData(events)).get(30, TimeUnit.SECONDS);
                assertThat(TestClients.JSON.readTree(data).get("value").asText()).isEqualTo("over tls");
            }

            // WSS /ws: produce and read back
            Texts listener = new Texts();
            WebSocket ws = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(URI.create("wss://localhost:" + gateway.port("https") + "/ws"), listener).join();
            ws.sendText("{\"type\":\"produce\",\"id\":\"p1\",\"topic\":\"" + topic + "\",\"value\":\"by wss\"}", true).join();
            assertThat(listener.next("produced").get("offset").asLong()).isEqualTo(1);
            ws.sendText("{\"type\":\"subscribe\",\"id\":\"s1\",\"topic\":\"" + topic + "\",\"start\":\"earliest\"}", true).join();
            JsonNode records = listener.next("records").get("records");
            assertThat(records.get(0).get("value").asText()).isEqualTo("over tls");
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();

            // the plain port beside it serves the same door
            HttpResponse<String> plain = TestClients.get(gateway, "/topics/" + topic + "?start=earliest&max=2");
            assertThat(TestClients.json(plain).get("records")).hasSize(2);
            // and TLS spoken to the plain port is no handshake
            assertThatThrownBy(() -> send(client, HttpRequest.newBuilder(
                    URI.create("https://localhost:" + gateway.port("http") + "/healthz")).timeout(WAIT).GET().build()))
                    .isInstanceOf(IOException.class);
        }
    }

    private static String firstData(BufferedReader events) {
        try {
            for (String line = events.readLine(); line != null; line = events.readLine()) {
                if (line.startsWith("data: ")) {
                    return line.substring(6);
                }
            }
            throw new AssertionError("the stream ended without data");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Queues every text message of a WebSocket. */
    static final class Texts implements WebSocket.Listener {
        private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    messages.add(TestClients.JSON.readTree(partial.toString()));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        JsonNode next(String type) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode m = messages.poll(1, TimeUnit.SECONDS);
                if (m != null && m.path("type").asText().equals(type)) {
                    return m;
                }
            }
            throw new AssertionError("no " + type + " message within " + WAIT);
        }
    }

    @Test
    void tlsOnlyOnTheDoorsOwnPortRefusesTls11AndClosesASilentPeer() throws Exception {
        try (TestGateway gateway = start(TlsSettings.pem(cert, key).withTimings(Duration.ZERO, Duration.ofMillis(500)))) {
            assertThat(gateway.endpoints()).extracting(e -> e.name()).contains("https").doesNotContain("http");
            HttpResponse<String> health = send(client(ca.clientContext()),
                    HttpRequest.newBuilder(https(gateway, "/healthz")).timeout(WAIT).GET().build());
            assertThat(health.statusCode()).isEqualTo(200);

            SSLContext old = ca.clientContext("TLSv1.1");
            assertThatThrownBy(() -> {
                try (SSLSocket socket = (SSLSocket) old.getSocketFactory().createSocket("127.0.0.1", gateway.port("https"))) {
                    socket.setEnabledProtocols(new String[] {"TLSv1.1"});
                    socket.setSoTimeout(10_000);
                    socket.startHandshake();
                }
            }).isInstanceOf(IOException.class);

            try (Socket silent = new Socket("127.0.0.1", gateway.port("https"))) {
                silent.setSoTimeout(10_000);
                assertThat(silent.getInputStream().read()).as("closed after the handshake timeout").isEqualTo(-1);
            }
            await().atMost(WAIT).untilAsserted(() -> assertThat(gateway.context().metrics().registry()
                    .get("wharf.tls.handshake.failures").tag("door", "http").counter().count()).isGreaterThanOrEqualTo(2));
        }
    }

    @Test
    void requiredClientCertificatesRefuseClientsWithoutOne() throws Exception {
        TlsSettings tls = TlsSettings.pem(cert, key).withClientAuth(TlsSettings.ClientAuth.REQUIRED, trust);
        try (TestGateway gateway = start(tls)) {
            HttpRequest health = HttpRequest.newBuilder(https(gateway, "/healthz")).timeout(WAIT).GET().build();
            assertThatThrownBy(() -> send(client(ca.clientContext()), health)).isInstanceOf(IOException.class);
            HttpClient device = client(ca.clientContext(ca.client("CN=device-7,O=Acme")));
            assertThat(send(device, health).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aVerifiedClientCertificateIsThePrincipalTheRulesName() throws Exception {
        String telemetry = kafka.createTopic("https-telemetry", 1);
        String other = kafka.createTopic("https-other", 1);
        AccessSettings access = new AccessSettings(null, Map.of("device", List.of("CN=device-7,O=Acme")),
                List.of(new AccessSettings.Rule(List.of("role:device"), List.of(telemetry), null, List.of("produce"),
                        null)), null, null);
        TlsSettings tls = TlsSettings.pem(cert, key).withClientAuth(TlsSettings.ClientAuth.OPTIONAL, trust);
        try (TestGateway gateway = TestGateway.builder().kafka(kafka)
                .auth(new AuthSettings(null, Map.of("reporting", "reporting-pw"), null)).access(access)
                .update(HttpSettings.class, s -> s.withTls(tls)).start()) {
            HttpClient device = client(ca.clientContext(ca.client("CN=device-7,O=Acme")));
            HttpClient stranger = client(ca.clientContext(ca.client("CN=device-9,O=Acme")));
            HttpClient none = client(ca.clientContext());
            java.util.function.Function<String, HttpRequest> post = topic -> HttpRequest.newBuilder(
                    https(gateway, "/topics/" + topic)).timeout(WAIT).header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString("21.5")).build();
            // no Authorization: the certificate is the credential
            assertThat(send(device, post.apply(telemetry)).statusCode()).isEqualTo(200);
            HttpResponse<String> elsewhere = send(device, post.apply(other));
            assertThat(elsewhere.statusCode()).isEqualTo(403);
            assertThat(elsewhere.body()).contains("\"error\":\"forbidden\"", "not allowed to produce");
            assertThat(send(stranger, post.apply(telemetry)).statusCode()).isEqualTo(403);
            assertThat(send(none, post.apply(telemetry)).statusCode()).isEqualTo(401);
            assertThat(kafka.readAll(telemetry, 2, Duration.ofSeconds(3))).hasSize(1);
            assertThat(kafka.readAll(other, 1, Duration.ofSeconds(2))).isEmpty();
        }
    }

    @Test
    void optionalClientCertificatesLetBothIn() throws Exception {
        TlsSettings tls = TlsSettings.pem(cert, key).withClientAuth(TlsSettings.ClientAuth.OPTIONAL, trust);
        try (TestGateway gateway = start(tls)) {
            HttpRequest health = HttpRequest.newBuilder(https(gateway, "/healthz")).timeout(WAIT).GET().build();
            assertThat(send(client(ca.clientContext()), health).statusCode()).isEqualTo(200);
            assertThat(send(client(ca.clientContext(ca.client("CN=device-8,O=Acme"))), health).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aReplacedCertificateServesNewConnectionsAndAnOpenStreamKeepsGoing() throws Exception {
        String topic = kafka.createTopic("https-reload", 1);
        Path ownCert = dir.resolve("reload-cert.pem");
        Path ownKey = dir.resolve("reload-key.pem");
        TestCertificates.Issued first = ca.server("before-reload");
        first.writeCertPem(ownCert);
        first.writeKeyPem(ownKey);
        TlsSettings tls = TlsSettings.pem(ownCert, ownKey).withTimings(Duration.ofMillis(200), Duration.ofSeconds(10));
        try (TestGateway gateway = start(tls)) {
            assertThat(servedSerial(gateway)).isEqualTo(first.certificate().getSerialNumber());
            HttpClient client = client(ca.clientContext());
            HttpResponse<InputStream> stream = client.send(HttpRequest.newBuilder(
                            https(gateway, "/topics/" + topic + "?start=earliest")).header("Accept", "text/event-stream")
                    .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            BufferedReader events = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));

            TestCertificates.Issued second = ca.server("after-reload");
            second.writeKeyPem(ownKey);
            second.writeCertPem(ownCert);
            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(servedSerial(gateway)).isEqualTo(second.certificate().getSerialNumber()));

            kafka.send(topic, "k", "after the reload");
            String data = CompletableFuture.supplyAsync(() -> firstData(events)).get(30, TimeUnit.SECONDS);
            assertThat(TestClients.JSON.readTree(data).get("value").asText()).isEqualTo("after the reload");
            events.close();
        }
    }

    private static BigInteger servedSerial(TestGateway gateway) throws IOException {
        try (SSLSocket socket = (SSLSocket) ca.clientContext().getSocketFactory()
                .createSocket("127.0.0.1", gateway.port("https"))) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }
}
