package io.wharf.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The secured broker: SCRAM over TLS with both mechanisms, ACLs enforced, the CA kept across restarts. */
class EmbeddedKafkaSecurityTest {
    @TempDir
    Path dir;

    @Test
    void scramOverTlsWithAclsAndTheCaSurvivesRestart() throws Exception {
        EmbeddedSecurity security = new EmbeddedSecurity(Map.of("admin", "admin-secret", "alice", "alice-secret"),
                List.of("admin"));
        EmbeddedKafkaSettings settings = EmbeddedKafkaSettings.forTests(dir.resolve("kafka")).withSecurity(security);
        String ca;
        try (EmbeddedKafka broker = EmbeddedKafka.start(settings)) {
            ca = Files.readString(broker.caCertificate());
            assertThat(ca).startsWith("-----BEGIN CERTIFICATE-----");
            try (Admin admin = Admin.create(props(broker, broker.clientProperties("admin", "SCRAM-SHA-256")))) {
                admin.createTopics(List.of(new NewTopic("allowed", 1, (short) 1), new NewTopic("denied", 1, (short) 1)))
                        .all().get(30, TimeUnit.SECONDS);
                admin.createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, "allowed", PatternType.LITERAL),
                        new AccessControlEntry("User:alice", "*", AclOperation.WRITE, AclPermissionType.ALLOW))))
                        .all().get(30, TimeUnit.SECONDS);
            }
            TopicWritability.await(adminFor(broker), "allowed", Duration.ofSeconds(30));
            try (KafkaProducer<String, String> alice = producer(broker, broker.clientProperties("alice", "SCRAM-SHA-512"))) {
                assertThat(alice.send(new ProducerRecord<>("allowed", "k", "v")).get(30, TimeUnit.SECONDS).offset())
                        .isZero();
                assertThatThrownBy(() -> alice.send(new ProducerRecord<>("denied", "k", "v")).get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TopicAuthorizationException.class);
            }
            try (KafkaProducer<String, String> wrong = producer(broker,
                    broker.clientProperties("alice", "not-her-password", "SCRAM-SHA-512"))) {
                assertThatThrownBy(() -> wrong.send(new ProducerRecord<>("allowed", "k", "v")).get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(SaslAuthenticationException.class);
            }
        }
        try (EmbeddedKafka broker = EmbeddedKafka.start(settings)) {
            assertThat(Files.readString(broker.caCertificate())).as("the CA clients trust stays").isEqualTo(ca);
            try (KafkaProducer<String, String> alice = producer(broker, broker.clientProperties("alice", "SCRAM-SHA-256"))) {
                assertThat(alice.send(new ProducerRecord<>("allowed", "k", "v")).get(30, TimeUnit.SECONDS).offset())
                        .isEqualTo(1);
            }
        }
    }

    private static Admin adminFor(EmbeddedKafka broker) {
        return Admin.create(props(broker, broker.clientProperties("admin", "SCRAM-SHA-512")));
    }

    private static Map<String, Object> props(EmbeddedKafka broker, Map<String, String> security) {
        Map<String, Object> props = new HashMap<>(security);
        props.put("bootstrap.servers", broker.bootstrapServers());
        return props;
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafka broker, Map<String, String> security) {
        Map<String, Object> props = props(broker, security);
        props.put("max.block.ms", "20000");
        props.put("delivery.timeout.ms", "20000");
        props.put("request.timeout.ms", "10000");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }
}
