package io.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.wharf.core.config.ConfigException;
import io.wharf.core.config.ConfigLoader;
import io.wharf.core.config.ConfigPrinter;
import io.wharf.core.config.WharfConfig;
import io.wharf.core.gateway.Endpoint;
import io.wharf.core.gateway.FrontDoors;
import io.wharf.kafka.embedded.EmbeddedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/** {@code embedded.security: sasl-ssl} from Wharf's own configuration: the broker secured, Wharf logged in to it. */
class SecuredEmbeddedKafkaTest {
    @TempDir
    Path dir;

    private final ConfigLoader loader = new ConfigLoader(Map.of("ALICE_PW", "alice-secret")::get, FrontDoors.sections());

    private Path yaml(String text) throws Exception {
        Path file = dir.resolve("wharf.yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void wharfStartsTheBrokerSecuredAndConnectsToItAsTheAdminUserWithScramOverTls() throws Exception {
        WharfConfig config = loader.load(yaml("""
                embedded:
                  security: sasl-ssl
                  users:
                    admin: admin-secret
                    alice: ${ALICE_PW}
                """), Map.of()).toBuilder().ephemeralPorts().dataDir(dir.resolve("data")).build();
        assertThat(ConfigPrinter.yaml(config, FrontDoors.sections()))
                .contains("  security: sasl-ssl\n  users:\n", "    admin: '******'\n", "    alice: '******'\n",
                        "  admin-user: admin\n  kafka-user: admin\n")
                .doesNotContain("admin-secret").doesNotContain("alice-secret");
        try (WharfServer server = WharfServer.start(config, line -> { })) {
            Endpoint kafka = server.endpoints().stream().filter(e -> e.name().equals("kafka")).findFirst().orElseThrow();
            Endpoint resp = server.endpoints().stream().filter(e -> e.name().equals("resp")).findFirst().orElseThrow();
            Endpoint http = server.endpoints().stream().filter(e -> e.name().equals("http")).findFirst().orElseThrow();
            // Wharf is the super user: it may create the topic and write to it
            HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://" + http.address() + "/topics/orders")).timeout(Duration.ofSeconds(30))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"partitions\":1}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            try (Jedis j = new Jedis(resp.host(), resp.port(), 30_000)) {
                assertThat(j.sendCommand(Protocol.Command.RPUSH, "topics:orders", "v")).isEqualTo(1L);
            }
            // the CA lives in the data directory; a plain Kafka client trusts it and logs in as alice,
            // whom no ACL allows anything
            Path truststore = dir.resolve("data").resolve("kafka-tls").resolve("truststore.p12");
            assertThat(truststore).exists();
            assertThat(dir.resolve("data").resolve("kafka-tls").resolve("ca.pem")).exists();
            Map<String, Object> props = new HashMap<>();
            props.put("bootstrap.servers", kafka.host() + ":" + kafka.port());
            props.put("security.protocol", "SASL_SSL");
            props.put("sasl.mechanism", "SCRAM-SHA-256");
            props.put("sasl.jaas.config", EmbeddedKafka.scramJaas("alice", "alice-secret"));
            props.put("ssl.truststore.type", "PKCS12");
            props.put("ssl.truststore.location", truststore.toString());
            props.put("ssl.truststore.password", "wharf-truststore");
            props.put("max.block.ms", "20000");
            try (Admin alice = Admin.create(props)) {
                assertThat(alice.listTopics().names().get(30, TimeUnit.SECONDS)).as("alice may describe nothing").isEmpty();
            }
            try (KafkaProducer<String, String> alice = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                assertThatThrownBy(() -> alice.send(new ProducerRecord<>("orders", "v")).get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TopicAuthorizationException.class);
            }
        }
    }

    @Test
    void securedSettingsAreCheckedAtLoad() throws Exception {
        assertThatThrownBy(() -> loader.load(yaml("""
                embedded:
                  security: sasl-ssl
                  users:
                    alice: alice-secret
                """), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("embedded.admin-user: 'admin' is not among embedded.users [alice]")
                .hasMessageContaining("embedded.kafka-user: 'admin' is not among embedded.users [alice]");
        assertThatThrownBy(() -> loader.load(yaml("embedded:\n  security: tls\n"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("embedded.security: 'tls' is not one of plaintext, sasl-ssl");
        assertThatThrownBy(() -> loader.load(yaml("embedded:\n  users:\n    a: b\n"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("embedded.users: only used with embedded.security: sasl-ssl");
    }
}
