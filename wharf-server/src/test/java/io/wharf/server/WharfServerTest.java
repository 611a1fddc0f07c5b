package io.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.wharf.core.config.ConfigLoader;
import io.wharf.core.config.KafkaSettings;
import io.wharf.core.config.WharfConfig;
import io.wharf.core.gateway.Endpoint;
import io.wharf.core.gateway.FrontDoors;
import io.wharf.core.tls.TlsSettings;
import io.wharf.http.HttpSettings;
import io.wharf.resp.config.RespSettings;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestCertificates;
import io.wharf.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The server in front of an external cluster (the shared test broker), and its start-up failures. */
@ExtendWith(SharedKafka.class)
class WharfServerTest {
    @TempDir
    Path dir;

    private final List<String> progress = new ArrayList<>();

    private WharfConfig external(TestKafka kafka) {
        return WharfConfig.builder().bootstrapServers(kafka.bootstrapServers()).ephemeralPorts()
                .dataDir(dir.resolve("data")).build();
    }

    @Test
    void theReadyLineNamesEveryEndpointAndReadyzAnswers(TestKafka kafka) throws Exception {
        try (WharfServer server = WharfServer.start(external(kafka), progress::add)) {
            String line = server.readyLine();
            assertThat(line).startsWith("Wharf ready ").contains(" http=127.0.0.1:")
                    .endsWith("kafka=" + kafka.bootstrapServers() + " (external)");
            assertThat(line).matches("Wharf ready( [a-z]+=127\\.0\\.0\\.1:[1-9][0-9]*( \\((embedded|external)\\))?)+");
            Endpoint http = server.endpoints().stream().filter(e -> e.name().equals("http")).findFirst().orElseThrow();
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://" + http.address() + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(progress).containsExactly("Connecting to Kafka at " + kafka.bootstrapServers() + " ...");
        }
    }

    @Test
    void theReadyLineNamesTheTlsEndpointsAndAnUnusableKeyFailsStartNamingIt(TestKafka kafka) {
        TestCertificates ca = TestCertificates.authority("server-ca");
        TestCertificates.Issued issued = ca.server("wharf");
        Path cert = issued.writeCertPem(dir.resolve("cert.pem"));
        Path key = issued.writeKeyPem(dir.resolve("key.pem"));
        TlsSettings tls = TlsSettings.pem(cert, key).withPort(0);
        WharfConfig config = external(kafka).with(HttpSettings.class, HttpSettings.defaults().withTls(tls))
                .with(RespSettings.class, RespSettings.defaults().withTls(tls));
        try (WharfServer server = WharfServer.start(config, progress::add)) {
            assertThat(server.readyLine()).contains(" http=127.0.0.1:", " https=127.0.0.1:", " resp=127.0.0.1:",
                    " rediss=127.0.0.1:");
        }
        Path otherKey = ca.server("other").writeKeyPem(dir.resolve("other-key.pem"));
        WharfConfig mismatched = external(kafka).with(HttpSettings.class,
                HttpSettings.defaults().withTls(TlsSettings.pem(cert, otherKey)));
        assertThatThrownBy(() -> WharfServer.start(mismatched, progress::add))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("invalid configuration: http.tls.key: the private key does not belong to the "
                        + "certificate CN=wharf,O=Wharf tests");
    }

    @Test
    void anUnreachableClusterFailsStartWithOneLine() {
        WharfConfig config = WharfConfig.builder().bootstrapServers("127.0.0.1:1").ephemeralPorts()
                .dataDir(dir.resolve("data"))
                .kafka(new KafkaSettings(null, null, null, Duration.ofSeconds(2), Duration.ofMillis(500))).build();
        assertThatThrownBy(() -> WharfServer.start(config, progress::add))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("Kafka at 127.0.0.1:1 did not answer within 2s");
    }

    @Test
    void aBootstrapHostThatDoesNotResolveIsNamed() {
        WharfConfig config = WharfConfig.builder().bootstrapServers("no-such-host.invalid:9092").ephemeralPorts()
                .dataDir(dir.resolve("data")).build();
        assertThatThrownBy(() -> WharfServer.start(config, progress::add))
                .isInstanceOf(StartupException.class)
                .hasMessage("bootstrap-servers: host no-such-host.invalid does not resolve (DNS lookup failed)");
    }

    @Test
    void aKafkaClientThatCannotBeBuiltNamesTheInnermostCause(TestKafka kafka) {
        WharfConfig config = external(kafka).toBuilder().kafka(new KafkaSettings(Map.of("security.protocol",
                "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config", "not a jaas entry"), null, null,
                Duration.ofSeconds(5), null)).build();
        assertThatThrownBy(() -> WharfServer.start(config, progress::add))
                .isInstanceOf(StartupException.class)
                .hasMessage("start-up failed: KafkaException: Failed to construct kafka producer: KafkaException: Failed to "
                        + "create new NetworkClient: IllegalArgumentException: Invalid login module control flag 'a' in JAAS config");
    }

    @Test
    void aDataDirectoryThatCannotBeWrittenFailsStart(TestKafka kafka) throws IOException {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        WharfConfig config = external(kafka).toBuilder().dataDir(file.resolve("data")).build();
        assertThatThrownBy(() -> WharfServer.start(config, progress::add))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("data directory " + file.resolve("data").toAbsolutePath() + " is not writable");
    }

    @Test
    void aTakenPortFailsStartNamingThePortAndReleasesEverything(TestKafka kafka) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            WharfConfig config = new ConfigLoader(FrontDoors.sections()).load(null, java.util.Map.of(
                    "bootstrap-servers", kafka.bootstrapServers(), "resp-port", 0, "http-port", taken.getLocalPort(),
                    "data-dir", dir.resolve("data")));
            assertThatThrownBy(() -> WharfServer.start(config, progress::add))
                    .isInstanceOf(StartupException.class)
                    .hasMessage("port " + taken.getLocalPort() + " (http on 127.0.0.1) is already in use");
        }
        // nothing half-started survives: a fresh server starts cleanly on free ports
        try (WharfServer again = WharfServer.start(external(kafka), progress::add)) {
            assertThat(again.readyLine()).startsWith("Wharf ready");
        }
    }
}
