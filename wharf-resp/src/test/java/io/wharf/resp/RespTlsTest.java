package io.wharf.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.wharf.core.config.AccessSettings;
import io.wharf.core.config.AuthSettings;
import io.wharf.core.tls.TlsSettings;
import io.wharf.resp.config.RespSettings;
import io.wharf.testkit.ExternalTool;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestCertificates;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * The Redis-protocol door over TLS: Jedis with {@code ssl=true}, Lettuce with {@code rediss://},
 * {@code redis-cli --tls}, the plain port beside it, client certificates, a replaced certificate
 * and a peer that never says hello.
 */
class RespTlsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final TestKafka kafka = SharedKafka.get();
    private static final TestCertificates ca = TestCertificates.authority("resp-ca");

    @TempDir
    static Path dir;

    private static Path cert;
    private static Path key;
    private static Path trust;

    @BeforeAll
    static void files() {
        TestCertificates.ServerFiles files = ca.writeServerFiles("wharf-resp", dir);
        cert = files.cert();
        key = files.key();
        trust = files.trust();
    }

    private static TestGateway start(TlsSettings tls) {
        return TestGateway.builder().kafka(kafka).consumerProperty("auto.offset.reset", "earliest")
                .update(RespSettings.class, s -> s.withTls(tls)).start();
    }

    private static Jedis jedis(TestGateway gateway, SSLContext context) {
        return new Jedis(new HostAndPort("localhost", gateway.port("rediss")), DefaultJedisClientConfig.builder()
                .ssl(true).sslSocketFactory(context.getSocketFactory()).socketTimeoutMillis(10_000).build());
    }

    @Test
    void jedisAndLettuceProduceAndConsumeOverTlsWithThePlainPortBesideIt() {
        String topic = kafka.createTopic("rediss", 1);
        try (TestGateway gateway = start(TlsSettings.pem(cert, key).withPort(0))) {
            assertThat(gateway.endpoints()).extracting(e -> e.name()).contains("resp", "rediss");
            try (Jedis jedis = jedis(gateway, ca.clientContext())) {
                assertThat(jedis.ping()).isEqualTo("PONG");
                assertThat(jedis.rpushx("topics:" + topic, "over tls")).isEqualTo(1);
            }
            RedisClient lettuce = RedisClient.create(RedisURI.create("rediss://localhost:" + gateway.port("rediss")));
            lettuce.setOptions(ClientOptions.builder().sslOptions(SslOptions.builder().jdkSslProvider()
                    .trustManager(trust.toFile()).build()).build());
            try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
                assertThat(connection.sync().ping()).isEqualTo("PONG");
                assertThat(connection.sync().rpushx("topics:" + topic, "by lettuce")).isEqualTo(1);
            } finally {
                lettuce.shutdown();
            }
            try (Jedis plain = new Jedis("127.0.0.1", gateway.port("resp"))) {
                assertThat(plain.rpushx("topics:" + topic, "plain")).isEqualTo(1);
            }
            assertThat(kafka.readAll(topic, 3, WAIT)).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .containsExactly("over tls", "by lettuce", "plain");
        }
    }

    @Test
    void redisCliTalksTlsWithTheCaBundle() throws Exception {
        String redisCli = ExternalTool.REDIS_CLI.path().toString();
        String topic = kafka.createTopic("rediss-cli", 1);
        try (TestGateway gateway = start(TlsSettings.pem(cert, key))) {
            assertThat(gateway.endpoints()).extracting(e -> e.name()).contains("rediss").doesNotContain("resp");
            int port = gateway.port("rediss");
            assertThat(cli(redisCli, port, "--tls", "--cacert", trust.toString(), "PING")).isEqualTo("PONG\n");
            assertThat(cli(redisCli, port, "--tls", "--cacert", trust.toString(), "RPUSHX", "topics:" + topic, "from cli"))
                    .isEqualTo("1\n");
            assertThat(cli(redisCli, port, "--tls", "--cacert", trust.toString(), "--raw", "INFO", "server"))
                    .contains("tcp_port:" + port);
            String consumed = cliWithInput(redisCli, port, "CLIENT SETNAME cli-tls:c\nBLPOP topics:" + topic + " 10\n",
                    "--tls", "--cacert", trust.toString());
            assertThat(consumed).isEqualTo("OK\ntopic\n" + topic + "\npartition\n0\noffset\n0\nvalue\nfrom cli\n");
            // with another CA's bundle, redis-cli refuses the server's certificate
            Path stranger = TestCertificates.authority("stranger-ca").writePem(dir.resolve("stranger.pem"));
            assertThat(cli(redisCli, port, "--tls", "--cacert", stranger.toString(), "PING"))
                    .doesNotContain("PONG").containsIgnoringCase("certificate");
        }
    }

    private static String cli(String redisCli, int port, String... args) throws IOException, InterruptedException {
        return cliWithInput(redisCli, port, null, args);
    }

    private static String cliWithInput(String redisCli, int port, String stdin, String... args)
            throws IOException, InterruptedException {
        return RedisCli.run(redisCli, "localhost", port, stdin, args);
    }

    @Test
    void tls11IsRefusedAndASilentPeerIsClosedAfterTheHandshakeTimeout() throws Exception {
        try (TestGateway gateway = start(TlsSettings.pem(cert, key).withTimings(Duration.ZERO, Duration.ofMillis(500)))) {
            SSLContext old = ca.clientContext("TLSv1.1");
            assertThatThrownBy(() -> {
                try (SSLSocket socket = (SSLSocket) old.getSocketFactory().createSocket("127.0.0.1", gateway.port("rediss"))) {
                    socket.setEnabledProtocols(new String[] {"TLSv1.1"});
                    socket.setSoTimeout(10_000);
                    socket.startHandshake();
                }
            }).isInstanceOf(IOException.class);
            try (Socket silent = new Socket("127.0.0.1", gateway.port("rediss"))) {
                silent.setSoTimeout(10_000);
                assertThat(silent.getInputStream().read()).as("closed after the handshake timeout").isEqualTo(-1);
            }
            await().atMost(WAIT).untilAsserted(() -> assertThat(gateway.context().metrics().registry()
                    .get("wharf.tls.handshake.failures").tag("door", "resp").counter().count()).isGreaterThanOrEqualTo(2));
        }
    }

    @Test
    void requiredClientCertificatesRefuseClientsWithoutOneAndOptionalLetsBothIn() {
        try (TestGateway gateway = start(TlsSettings.pem(cert, key).withClientAuth(TlsSettings.ClientAuth.REQUIRED, trust))) {
            assertThatThrownBy(() -> {
                try (Jedis anonymous = jedis(gateway, ca.clientContext())) {
                    anonymous.ping();
                }
            }).isInstanceOf(RuntimeException.class);
            try (Jedis device = jedis(gateway, ca.clientContext(ca.client("CN=device-7,O=Acme")))) {
                assertThat(device.ping()).isEqualTo("PONG");
            }
        }
        try (TestGateway gateway = start(TlsSettings.pem(cert, key).withClientAuth(TlsSettings.ClientAuth.OPTIONAL, trust))) {
            try (Jedis anonymous = jedis(gateway, ca.clientContext())) {
                assertThat(anonymous.ping()).isEqualTo("PONG");
            }
            try (Jedis device = jedis(gateway, ca.clientContext(ca.client("CN=device-8,O=Acme")))) {
                assertThat(device.ping()).isEqualTo("PONG");
            }
        }
    }

    @Test
    void aVerifiedClientCertificateIsThePrincipalTheRulesName() {
        String telemetry = kafka.createTopic("rediss-telemetry", 1);
        String other = kafka.createTopic("rediss-other", 1);
        AccessSettings access = new AccessSettings(null, Map.of("device", List.of("CN=device-7,O=Acme")),
                List.of(new AccessSettings.Rule(List.of("role:device"), List.of(telemetry), null, List.of("produce"),
                        null)), null, null);
        try (TestGateway gateway = TestGateway.builder().kafka(kafka)
                .auth(new AuthSettings(null, Map.of("reporting", "reporting-pw"), null)).access(access)
                .update(RespSettings.class, s -> s.withTls(TlsSettings.pem(cert, key)
                        .withClientAuth(TlsSettings.ClientAuth.OPTIONAL, trust))).start()) {
            try (Jedis device = jedis(gateway, ca.clientContext(ca.client("CN=device-7,O=Acme")))) {
                // no AUTH: the certificate is the credential
                assertThat(device.rpushx("topics:" + telemetry, "21.5")).isEqualTo(1L);
                assertThatThrownBy(() -> device.rpushx("topics:" + other, "x"))
                        .hasMessage("NOPERM not allowed to produce topic '" + other + "'");
            }
            try (Jedis stranger = jedis(gateway, ca.clientContext(ca.client("CN=device-9,O=Acme")))) {
                assertThatThrownBy(() -> stranger.rpushx("topics:" + telemetry, "x"))
                        .hasMessage("NOPERM not allowed to produce topic '" + telemetry + "'");
            }
            try (Jedis none = jedis(gateway, ca.clientContext())) {
                assertThatThrownBy(() -> none.rpushx("topics:" + telemetry, "x")).hasMessageStartingWith("NOAUTH");
            }
            assertThat(kafka.readAll(telemetry, 1, WAIT)).extracting(r -> TestKafka.text(r.value())).containsExactly("21.5");
            assertThat(kafka.readAll(other, 1, Duration.ofSeconds(2))).isEmpty();
        }
    }

    @Test
    void aReplacedCertificateServesNewConnectionsWhileAnOpenOneKeepsWorking() throws IOException {
        Path ownCert = dir.resolve("reload-cert.pem");
        Path ownKey = dir.resolve("reload-key.pem");
        TestCertificates.Issued first = ca.server("before-reload");
        first.writeCertPem(ownCert);
        first.writeKeyPem(ownKey);
        TlsSettings tls = TlsSettings.pem(ownCert, ownKey).withTimings(Duration.ofMillis(200), Duration.ofSeconds(10));
        try (TestGateway gateway = start(tls); Jedis open = jedis(gateway, ca.clientContext())) {
            assertThat(open.ping()).isEqualTo("PONG");
            assertThat(servedSerial(gateway)).isEqualTo(first.certificate().getSerialNumber());
            TestCertificates.Issued second = ca.server("after-reload");
            second.writeKeyPem(ownKey);
            second.writeCertPem(ownCert);
            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(servedSerial(gateway)).isEqualTo(second.certificate().getSerialNumber()));
            assertThat(open.echo("still here")).isEqualTo("still here");
        }
    }

    private static BigInteger servedSerial(TestGateway gateway) throws IOException {
        try (SSLSocket socket = (SSLSocket) ca.clientContext().getSocketFactory()
                .createSocket("127.0.0.1", gateway.port("rediss"))) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }
}
