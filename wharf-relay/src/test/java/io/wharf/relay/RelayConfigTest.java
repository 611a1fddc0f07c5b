package io.wharf.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.wharf.core.config.ConfigException;
import io.wharf.core.config.ConfigLoader;
import io.wharf.core.config.WharfConfig;
import io.wharf.core.gateway.FrontDoors;
import io.wharf.relay.config.PollerSettings;
import io.wharf.relay.config.RelaySettings;
import io.wharf.relay.config.WebhookRouteSettings;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Relay configuration: the documented example loads, defaults apply, and every bad value is named by its key. */
@ExtendWith(SharedKafka.class)
class RelayConfigTest {
    @TempDir
    Path dir;

    private WharfConfig load(String yaml) throws IOException {
        Path file = dir.resolve("wharf.yaml");
        Files.writeString(file, yaml);
        return new ConfigLoader(Map.of("HOOK_TOKEN", "t0ken")::get, FrontDoors.sections()).load(file, Map.of());
    }

    private String problem(String yaml) {
        return assertThatThrownBy(() -> load(yaml)).isInstanceOf(ConfigException.class).actual().getMessage();
    }

    @Test
    void printConfigMasksEveryHeaderValueOfRoutesAndPollers() throws IOException {
        WharfConfig config = load("""
                relay:
                  routes:
                    - name: orders
                      topics: [orders]
                      url: https://hooks.example.com/orders
                      headers:
                        Authorization: "Bearer ${HOOK_TOKEN}"
                        X-Tenant: tenant-visible-42
                      dead-letter-topic: orders.dead
                  pollers:
                    - name: prices
                      url: https://api.example.com/prices
                      topic: prices
                      interval: 1m
                      headers:
                        X-Api-Key: poller-key-9000
                """);
        String printed = io.wharf.core.config.ConfigPrinter.yaml(config, FrontDoors.sections());
        assertThat(printed).contains("Authorization: '******'", "X-Api-Key: '******'", "X-Tenant: '******'")
                .doesNotContain("t0ken").doesNotContain("poller-key-9000").doesNotContain("tenant-visible-42");
    }

    @Test
    void loadsTheDocumentedExample() throws IOException {
        WharfConfig config = load("""
                relay:
                  instance-id: wharf-1
                  routes:
                    - name: orders
                      topics: [orders]
                      url: https://hooks.example.com/orders
                      method: PUT
                      headers:
                        Authorization: "Bearer ${HOOK_TOKEN}"
                      request-timeout: 10s
                      max-in-flight: 2000
                      max-in-flight-per-partition: 500
                      retry:
                        max-attempts: 12
                        max-time: 30m
                        initial-backoff: 500ms
                        max-backoff: 1m
                        multiplier: 3
                        jitter: 0.5
                      dead-letter-topic: orders.dead
                      response-topic: orders.responses
                      idempotency-key-header: event-id
                  pollers:
                    - name: prices
                      url: https://api.example.com/prices
                      topic: prices
                      interval: 1m
                      split: array
                      items-pointer: /data
                      key-field: sku
                      cursor-field: updated
                      cursor-param: since
                """);
        RelaySettings relay = config.section(RelaySettings.class);
        assertThat(relay.instanceId()).isEqualTo("wharf-1");
        WebhookRouteSettings r = relay.routes().get(0);
        assertThat(r.group()).isEqualTo("wharf-relay-orders");
        assertThat(r.method()).isEqualTo("PUT");
        assertThat(r.headers()).containsEntry("Authorization", "Bearer t0ken");
        assertThat(r.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(r.maxInFlightPerPartition()).isEqualTo(500);
        assertThat(r.retry().maxAttempts()).isEqualTo(12);
        assertThat(r.retry().maxTime()).isEqualTo(Duration.ofMinutes(30));
        assertThat(r.retry().multiplier()).isEqualTo(3.0);
        assertThat(r.responseTopic()).isEqualTo("orders.responses");
        assertThat(r.idempotencyKeyHeader()).isEqualTo("event-id");
        assertThat(r.toString()).contains("Authorization=******").doesNotContain("t0ken");
        PollerSettings p = relay.pollers().get(0);
        assertThat(p.splitsArray()).isTrue();
        assertThat(p.stateTopic()).isEqualTo(PollerSettings.DEFAULT_STATE_TOPIC);
        assertThat(p.interval()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void appliesDefaults() throws IOException {
        WebhookRouteSettings r = load("""
                relay:
                  routes:
                    - {name: r, topics: [a], url: "http://127.0.0.1:9/x", dead-letter-topic: a.dead}
                """).section(RelaySettings.class).routes().get(0);
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.maxInFlight()).isEqualTo(1000);
        assertThat(r.maxInFlightPerPartition()).isEqualTo(1000);
        assertThat(r.maxBuffered()).isEqualTo(10_000);
        assertThat(r.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(r.retry().maxAttempts()).isEqualTo(20);
        assertThat(r.retry().initialBackoff()).isEqualTo(Duration.ofMillis(200));
        assertThat(r.commitInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(r.responseTopic()).isNull();
    }

    @Test
    void namesEachBadValueByItsKey() {
        String message = problem("""
                relay:
                  routes:
                    - name: bad route
                      topics: []
                      method: GET
                      headers: {Host: x, Wharf-Topic: y, "bad name": z}
                      max-in-flight: 0
                      retry: {jitter: 2, multiplier: 0.5, max-attempts: 0}
                    - name: r2
                      topics: [a]
                      url: ftp://example.com/
                      dead-letter-topic: a
                  pollers:
                    - name: p
                      url: http://127.0.0.1:9/
                      topic: t
                      split: array
                      interval: 0s
                """);
        assertThat(message)
                .contains("relay.routes[0].name: 'bad route' may only hold letters")
                .contains("relay.routes[0].topics: at least one topic is required")
                .contains("relay.routes[0].url: is required")
                .contains("relay.routes[0].method: 'GET' is not one of POST, PUT, PATCH, DELETE")
                .contains("relay.routes[0].headers.Host: is set by Wharf")
                .contains("relay.routes[0].headers.Wharf-Topic: names starting with Wharf- are reserved")
                .contains("relay.routes[0].headers: 'bad name' is not a valid HTTP header name")
                .contains("relay.routes[0].max-in-flight: 0 is out of range")
                .contains("relay.routes[0].retry.jitter: 2.0 is out of range (0-1)")
                .contains("relay.routes[0].retry.multiplier: 0.5 is out of range")
                .contains("relay.routes[0].retry.max-attempts: 0 must be at least 1")
                .contains("relay.routes[0].dead-letter-topic: is required")
                .contains("relay.routes[1].url: 'ftp://example.com/' must be an absolute http:// or https:// URL")
                .contains("relay.routes[1].dead-letter-topic: 'a' is also a source topic")
                .contains("relay.pollers[0].key-field: is required when split is array")
                .contains("relay.pollers[0].interval: must be positive");
    }

    @Test
    void rejectsDuplicateNamesUnknownKeysAndWrongTypes() {
        assertThat(problem("""
                relay:
                  routes:
                    - {name: r, topics: [a], url: "http://h/", dead-letter-topic: d}
                    - {name: r, topics: [b], url: "http://h/", dead-letter-topic: d}
                """)).contains("relay.routes[1].name: 'r' is used by another route");
        assertThat(problem("""
                relay:
                  routes:
                    - {name: r, topics: [a], url: "http://h/", dead-letter-topic: d, max-inflight: 3}
                """)).contains("unknown key 'relay.routes[0].max-inflight'");
        assertThat(problem("""
                relay:
                  routes:
                    - {name: r, topics: [a], url: "http://h/", dead-letter-topic: d, request-timeout: soon}
                """)).contains("relay.routes[0].request-timeout").contains("not a duration");
        assertThat(problem("""
                relay:
                  routes:
                    - {name: r, topics: [a], url: "http://h/", dead-letter-topic: d, max-in-flight: lots}
                """)).contains("relay.routes[0].max-in-flight").contains("whole number");
    }

    @Test
    void createsMissingOutputTopicsSoAnEmbeddedBrokerNeedsNoPreparation(TestKafka kafka) throws Exception {
        String source = kafka.createTopic("cfg-source", 1);
        String deadLetters = "cfg-dead-" + System.nanoTime();
        String responses = "cfg-responses-" + System.nanoTime();
        WebhookRouteSettings route = new WebhookRouteSettings("creates", List.of(source), null,
                URI.create("http://127.0.0.1:9/"), null, null, null, null, null, null, null, null, null, null,
                deadLetters, responses, null, null, null, null);
        try (TestGateway gateway = TestGateway.builder().kafka(kafka)
                .with(RelaySettings.class, new RelaySettings("cfg", List.of(route), null)).start()) {
            assertThat(kafka.admin().listTopics().names().get()).contains(deadLetters, responses);
        }
    }

    @Test
    void refusesToStartWhenAnOutputTopicCannotBeCreated(TestKafka kafka) {
        String source = kafka.createTopic("cfg-source", 1);
        // Kafka refuses a name that differs from an existing one only in '.' versus '_'
        String existing = "cfg_collide_" + System.nanoTime();
        kafka.createTopicNamed(existing, 1, Map.of());
        String colliding = existing.replace('_', '.');
        WebhookRouteSettings route = WebhookRouteSettings.of("refuses", List.of(source),
                URI.create("http://127.0.0.1:9/"), colliding);
        TestGateway.Builder config = TestGateway.builder().kafka(kafka)
                .with(RelaySettings.class, new RelaySettings("cfg", List.of(route), null));
        assertThatThrownBy(config::start).isInstanceOf(ConfigException.class)
                .hasMessageContaining("relay.routes[0].dead-letter-topic: topic '" + colliding
                        + "' does not exist and cannot be created");
    }

    @Test
    void aRouteOnAnInternalTopicIsAConfigError(TestKafka kafka) {
        WebhookRouteSettings route = WebhookRouteSettings.of("internal", List.of("__consumer_offsets"),
                URI.create("http://127.0.0.1:9/"), "cfg-internal-dead");
        TestGateway.Builder config = TestGateway.builder().kafka(kafka)
                .with(RelaySettings.class, new RelaySettings("cfg", List.of(route), null));
        assertThatThrownBy(config::start).isInstanceOf(ConfigException.class)
                .hasMessageContaining("relay.routes[0].topics[0]: topic '__consumer_offsets' is internal to Kafka")
                .hasMessageContaining("kafka.allow-internal-topics");
    }

    @Test
    void theRelayIsDisabledWithoutRoutesOrPollers(TestKafka kafka) {
        try (TestGateway gateway = TestGateway.builder().kafka(kafka).start()) {
            assertThat(new RelayFrontDoorFactory().create(gateway.context())).isEmpty();
            assertThat(gateway.endpoints()).noneMatch(e -> e.name().equals("relay"));
        }
    }
}
