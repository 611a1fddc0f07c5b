package io.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.wharf.core.config.KafkaSettings;
import io.wharf.core.config.WharfConfig;
import io.wharf.testkit.SecuredKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Wharf in front of a SASL_SSL cluster (SCRAM-SHA-512 over TLS, given only through
 * {@code kafka.properties}) whose ACLs allow Wharf's Kafka user Write, Read and Describe on one topic
 * and Read on the groups of one prefix, and nothing on the others: what each door answers when Kafka
 * refuses.
 */
class KafkaAclTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static SecuredKafka kafka;
    private static String user;
    private static String allowed;
    private static String denied;
    private static String describeOnly;
    private static String groupPrefix;
    private static TestGateway gateway;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        kafka = SecuredKafka.get();
        user = kafka.createUser("wharf");
        TestKafka admin = kafka.kafka();
        allowed = admin.createTopic("allowed", 1);
        denied = admin.createTopic("denied", 1);
        describeOnly = admin.createTopic("described", 1);
        groupPrefix = "g-" + user + "-";
        kafka.allow(user, ResourceType.TOPIC, allowed, PatternType.LITERAL, AclOperation.WRITE, AclOperation.READ,
                AclOperation.DESCRIBE);
        kafka.allow(user, ResourceType.TOPIC, describeOnly, PatternType.LITERAL, AclOperation.DESCRIBE);
        kafka.allow(user, ResourceType.GROUP, groupPrefix, PatternType.PREFIXED, AclOperation.READ);
        TestGateway.Builder builder = TestGateway.builder().bootstrapServers(kafka.bootstrapServers());
        kafka.clientProperties(user).forEach(builder::kafkaProperty);
        gateway = builder.start();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private static Jedis resp() {
        return new Jedis("127.0.0.1", gateway.port("resp"), (int) WAIT.toMillis());
    }

    private static String topicDenied(String topic) {
        return "Kafka refused access to topic(s) [" + topic + "]: TOPIC_AUTHORIZATION_FAILED (the ACLs of Wharf's "
                + "Kafka user do not allow it)";
    }

    @Test
    void respProduceToAnAllowedTopicWorksAndToADeniedOneAnswersProdNamingTheAuthorizationFailure() {
        try (Jedis j = resp()) {
            assertThat(j.sendCommand(Protocol.Command.RPUSH, "topics:" + allowed + ":k", "resp-sync")).isEqualTo(1L);
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.RPUSH, "topics:" + denied, "v"))
                    .isInstanceOf(JedisDataException.class).hasMessage("PROD " + topicDenied(denied));
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.RPUSHX, "topics:" + denied, "v"))
                    .isInstanceOf(JedisDataException.class).hasMessage("PROD " + topicDenied(denied));
            // the connection goes on working after a refusal
            assertThat(j.sendCommand(Protocol.Command.RPUSH, "topics:" + allowed, "after")).isEqualTo(1L);
        }
        assertThat(kafka.kafka().readAll(allowed, 100, Duration.ofSeconds(5)).stream()
                .map(r -> TestKafka.text(r.value()))).contains("resp-sync", "after");
    }

    @Test
    void respConsumeOfADeniedTopicAnswersCons() {
        try (Jedis j = resp()) {
            j.clientSetname(groupPrefix + "cons:c1");
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.BLPOP, "topics:" + denied, "5"))
                    .isInstanceOf(JedisDataException.class).hasMessage("CONS " + topicDenied(denied));
        }
    }

    @Test
    void respConsumeInAGroupTheUserMayNotReadAnswersConsOnceAndDoesNotRetry() {
        String other = "other-" + user;
        try (Jedis j = resp()) {
            j.clientSetname(other + ":c1");
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.BLPOP, "topics:" + allowed, "5"))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessage("CONS Kafka refused: Not authorized to access group: " + other
                            + " (the ACLs of Wharf's Kafka user do not allow it)");
        }
        try (Jedis j = resp()) {
            j.clientSetname(groupPrefix + "ok:c1");
            // an allowed group on the same topic reads (nil: nothing new since it joined at the latest offset)
            assertThat(j.sendCommand(Protocol.Command.BLPOP, "topics:" + allowed, "0.5")).isNull();
        }
    }

    @Test
    void httpProduceToADeniedTopicIs403AndToAnAllowedOneWorks() throws Exception {
        HttpResponse<String> ok = post(allowed, "{\"value\":\"http\"}");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("\"topic\":\"" + allowed + "\"");

        HttpResponse<String> refused = post(denied, "{\"value\":\"http\"}");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(refused.body()).isEqualTo("{\"error\":\"forbidden\",\"message\":\"" + topicDenied(denied) + "\"}");
    }

    @Test
    void longPollAndSseOfADeniedTopicAre403() throws Exception {
        HttpResponse<String> poll = HTTP.send(HttpRequest.newBuilder(uri("/topics/" + denied + "?wait=1s")).timeout(WAIT)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(poll.statusCode()).isEqualTo(403);
        assertThat(poll.body()).isEqualTo("{\"error\":\"forbidden\",\"message\":\"" + topicDenied(denied) + "\"}");

        HttpResponse<String> sse = HTTP.send(HttpRequest.newBuilder(uri("/topics/" + denied))
                .header("Accept", "text/event-stream").timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(sse.statusCode()).isEqualTo(403);
        assertThat(sse.body()).isEqualTo("{\"error\":\"forbidden\",\"message\":\"" + topicDenied(denied) + "\"}");
    }

    @Test
    void sseOfATopicKafkaLetsDescribeButNotReadEndsWithAForbiddenErrorEvent() throws Exception {
        HttpResponse<java.io.InputStream> sse = HTTP.send(HttpRequest.newBuilder(uri("/topics/" + describeOnly
                        + "?start=earliest")).header("Accept", "text/event-stream").timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(sse.statusCode()).as("Kafka lets the topic be described, so the stream starts").isEqualTo(200);
        StringBuilder events = new StringBuilder();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(sse.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) { // until the server ends the stream
                events.append(line).append('\n');
            }
        }
        assertThat(events.toString()).endsWith("event: error\ndata: {\"error\":\"forbidden\",\"message\":\""
                + topicDenied(describeOnly) + "\"}\n\n");
    }

    @Test
    void webSocketGroupModeWithAGroupTheUserMayNotReadEndsTheSubscription() throws Exception {
        BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        WebSocket ws = HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + gateway.port("http") + "/ws"),
                new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            messages.add(text.toString());
                            text.setLength(0);
                        }
                        socket.request(1);
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS);
        try {
            String other = "other-ws-" + user;
            ws.sendText("{\"type\":\"subscribe\",\"id\":\"s1\",\"topic\":\"" + allowed + "\",\"mode\":\"group\",\"group\":\""
                    + other + "\"}", true).get(30, TimeUnit.SECONDS);
            assertThat(messages.poll(30, TimeUnit.SECONDS)).startsWith("{\"type\":\"subscribed\",\"id\":\"s1\"");
            assertThat(messages.poll(30, TimeUnit.SECONDS)).isEqualTo("{\"type\":\"ended\",\"sub\":\"s1\",\"code\":\"forbidden\","
                    + "\"message\":\"Kafka refused: Not authorized to access group: " + other
                    + " (the ACLs of Wharf's Kafka user do not allow it)\"}");
            // and the socket goes on: a hub subscription of the allowed topic (no group) is fine
            ws.sendText("{\"type\":\"subscribe\",\"id\":\"s2\",\"topic\":\"" + allowed + "\"}", true).get(30, TimeUnit.SECONDS);
            assertThat(messages.poll(30, TimeUnit.SECONDS)).startsWith("{\"type\":\"subscribed\",\"id\":\"s2\"");
        } finally {
            ws.abort();
        }
    }

    @Test
    void kafkaProxyWithAConsumerGroupTheUserMayNotReadIsClosedNamingTheRefusal() throws Exception {
        String other = "other-proxy-" + user;
        java.util.concurrent.CompletableFuture<String> closed = new java.util.concurrent.CompletableFuture<>();
        WebSocket ws = HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + gateway.port("http")
                        + "/?topic=" + allowed + "&consumerGroup=" + other),
                new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
                        closed.complete(status + " " + reason);
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS);
        try {
            assertThat(closed.get(30, TimeUnit.SECONDS)).isEqualTo("1011 Kafka read failed: Not authorized to access group: "
                    + other);
        } finally {
            ws.abort();
        }
    }

    @Test
    void aWrongScramPasswordFailsStartUpNamingTheSaslFailureWithoutThePassword(@org.junit.jupiter.api.io.TempDir
                                                                               java.nio.file.Path dir) {
        KafkaSettings wrong = new KafkaSettings(kafka.clientProperties(user, "not-the-password-42"), null, null,
                Duration.ofSeconds(20), Duration.ofSeconds(5));
        WharfConfig config = WharfConfig.builder().bootstrapServers(kafka.bootstrapServers()).ephemeralPorts()
                .dataDir(dir.resolve("data")).kafka(wrong).build();
        assertThatThrownBy(() -> WharfServer.start(config, line -> { }))
                .isInstanceOf(StartupException.class)
                .hasMessage("Kafka at " + kafka.bootstrapServers() + " refused Wharf's login: SASL authentication failed "
                        + "(Authentication failed during authentication due to invalid credentials with SASL mechanism "
                        + "SCRAM-SHA-512); check sasl.mechanism and the user and password of sasl.jaas.config in "
                        + "kafka.properties")
                .message().doesNotContain("not-the-password-42");
    }

    private static HttpResponse<String> post(String topic, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri("/topics/" + topic)).timeout(WAIT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + gateway.port("http") + path);
    }
}
