package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.wharf.core.config.ConfigException;
import io.wharf.core.config.ConfigLoader;
import io.wharf.core.gateway.FrontDoors;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connection, idle, frame and outbound limits: each configurable and each enforced with a clear error. */
class LimitsTest {
    private static final TestKafka KAFKA = SharedKafka.get();

    private static TestGateway start(HttpSettings http) {
        return TestGateway.builder().kafka(KAFKA).with(HttpSettings.class, http).start();
    }

    @Test
    void connectionsBeyondTheLimitGetA503AndTheOthersKeepWorking() throws Exception {
        try (TestGateway gateway = start(new HttpSettings(null, null, 3))) {
            List<Socket> held = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                held.add(new Socket("127.0.0.1", gateway.endpoint("http").port()));
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> gateway.context().metrics().registry()
                    .get("wharf.http.connections").tag("kind", "http").gauge().value() == 3);
            var refused = TestClients.get(gateway, "/healthz");
            HttpApiTest.assertError(refused, 503, "too_many_connections");
            held.get(0).close();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> TestClients.get(gateway, "/healthz").statusCode() == 200);
            for (Socket s : held) {
                s.close();
            }
            assertThat(gateway.context().metrics().registry().get("wharf.http.connections.refused").counter().count())
                    .isPositive();
        }
    }

    @Test
    void idleConnectionsAreClosedAndSilentWebSocketsArePingedThenClosed() throws Exception {
        HttpSettings http = new HttpSettings(null, null, null, null, Duration.ofMillis(500), Duration.ofSeconds(1), null,
                null, null, null, null);
        try (TestGateway gateway = start(http)) {
            try (Socket idle = new Socket("127.0.0.1", gateway.endpoint("http").port())) {
                idle.setSoTimeout(20_000);
                assertThat(idle.getInputStream().read()).isEqualTo(-1);
            }
            // a raw WebSocket that never answers pings: it sees a ping, then a close frame with 1001
            try (Socket raw = new Socket("127.0.0.1", gateway.endpoint("http").port())) {
                raw.setSoTimeout(20_000);
                raw.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] all = raw.getInputStream().readAllBytes();
                String text = new String(all, StandardCharsets.ISO_8859_1);
                assertThat(text).startsWith("HTTP/1.1 101");
                int body = text.indexOf("\r\n\r\n") + 4;
                assertThat(all[body] & 0x0f).as("first frame is a ping").isEqualTo(0x9);
                int close = body + 2 + (all[body + 1] & 0x7f);
                assertThat(all[close] & 0x0f).as("then a close").isEqualTo(0x8);
                int status = ((all[close + 2] & 0xff) << 8) | (all[close + 3] & 0xff);
                assertThat(status).isEqualTo(1001);
            }
            // a client that answers pings (the JDK's does) stays connected and usable across idle periods
            TestClients.Socket alive = TestClients.Socket.open(gateway, "/ws");
            Thread.sleep(3_000);
            String topic = KAFKA.createTopic("limits-alive", 1);
            alive.send("{\"type\":\"produce\",\"id\":\"x\",\"topic\":\"" + topic + "\",\"value\":\"v\"}");
            assertThat(alive.next("produced", Duration.ofSeconds(30)).get("id").asText()).isEqualTo("x");
            alive.close();
            assertThat(gateway.context().metrics().registry().get("wharf.http.idle.disconnects").counter().count())
                    .isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void aClientWhoseBufferStaysFullIsDisconnectedAsSlow() {
        HttpSettings http = new HttpSettings(null, null, null, null, null, null, 64 * 1024, Duration.ofSeconds(1), null,
                null, null);
        try (TestGateway gateway = start(http)) {
            String topic = KAFKA.createTopic("limits-slow", 1);
            TestClients.Socket stalled = new TestClients.Socket(false);
            stalled.connect(gateway, "/ws");
            stalled.send("{\"type\":\"subscribe\",\"id\":\"s\",\"topic\":\"" + topic + "\"}");
            stalled.next("subscribed", Duration.ofSeconds(30));
            String value = "z".repeat(2000);
            try (var producer = KAFKA.producer()) {
                for (int i = 0; i < 5_000; i++) {
                    producer.send(new ProducerRecord<>(topic, TestKafka.bytes("k"), TestKafka.bytes(value)));
                }
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> gateway.context().metrics().registry()
                    .get("wharf.http.slow.client.disconnects").counter().count() == 1);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> gateway.context().metrics().registry()
                    .get("wharf.http.connections").tag("kind", "websocket").gauge().value() == 0);
            stalled.socket.abort();
        }
    }

    @Test
    void limitsAreConfigurableInYamlAndBadValuesNameTheirKey(@TempDir Path dir) throws Exception {
        Path ok = dir.resolve("ok.yaml");
        Files.writeString(ok, """
                http:
                  max-connections: 50
                  max-frame-bytes: 65536
                  idle-timeout: 5s
                  websocket-idle-timeout: 2m
                  outbound-buffer-bytes: 131072
                  slow-client-timeout: 30s
                  max-in-flight: 64
                  long-poll-max-wait: 20s
                  heartbeat-interval: 10s
                """);
        HttpSettings http = new ConfigLoader(FrontDoors.sections()).load(ok, Map.of()).section(HttpSettings.class);
        assertThat(http.maxFrameBytes()).isEqualTo(65536);
        assertThat(http.idleTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(http.websocketIdleTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(http.maxBodyBytes()).isEqualTo(8 * 1024 * 1024);
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "http:\n  max-frame-bytes: 0\n  outbound-buffer-bytes: 10\n  idle-timeout: 0s\n");
        assertThatThrownBy(() -> new ConfigLoader(FrontDoors.sections()).load(bad, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.max-frame-bytes").hasMessageContaining("http.outbound-buffer-bytes")
                .hasMessageContaining("http.idle-timeout");
    }
}
