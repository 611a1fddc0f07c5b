package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.core.config.AccessSettings;
import io.wharf.core.config.AccessSettings.Limits;
import io.wharf.core.config.AccessSettings.Rule;
import io.wharf.core.config.AccessSettings.Where;
import io.wharf.core.config.AuthSettings;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Access rules on every HTTP path, over real sockets: principals reader, writer, tenant-a and
 * tenant-b (role tenant, bound to records keyed or headed with their own name), stranger (no rule),
 * anonymous (admitted, one public topic) and capped (per-principal limits), each against produce,
 * SSE, long poll, topic admin, /ws hub and group mode, and kafka-proxy. Denied operations answer the
 * exact 403 and produce or deliver nothing.
 */
class HttpAccessTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String RUN = "acl" + UUID.randomUUID().toString().substring(0, 6);
    private static final String ORDERS = RUN + ".orders";
    private static final String SHARED = RUN + ".shared";
    private static final String COMPACT = RUN + ".compact";
    private static final String A_PRIVATE = RUN + ".tenant-a.private";
    private static final String B_PRIVATE = RUN + ".tenant-b.private";
    private static final String PUBLIC = RUN + ".public";
    private static final String BILLING = RUN + "-billing";
    private static TestKafka kafka;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        kafka = SharedKafka.get();
        for (String t : List.of(ORDERS, SHARED, A_PRIVATE, B_PRIVATE, PUBLIC)) {
            kafka.createTopicNamed(t, 1, Map.of());
        }
        kafka.createTopicNamed(COMPACT, 1, Map.of("cleanup.policy", "compact"));
        Map<String, String> users = new HashMap<>();
        for (String u : List.of("reader", "writer", "tenant-a", "tenant-b", "stranger", "capped", "expiring")) {
            users.put(u, u + "-pw");
        }
        List<Rule> rules = List.of(
                new Rule(List.of("reader"), List.of(ORDERS), List.of(RUN + "-readers-*"), List.of("consume", "describe"), null),
                new Rule(List.of("writer"), List.of(ORDERS), null, List.of("produce"), null),
                new Rule(List.of("role:tenant"), List.of(SHARED), null, List.of("consume", "produce", "describe"),
                        new Where("${sub}", null)),
                new Rule(List.of("role:tenant"), List.of(COMPACT), null, List.of("consume"),
                        new Where(null, Map.of("tenant", "${sub}"))),
                new Rule(List.of("tenant-a"), List.of(RUN + ".tenant-a.*"), List.of(RUN + "-tenant-a-*"),
                        List.of("consume", "produce", "describe", "create"), null),
                new Rule(List.of("tenant-b"), List.of(RUN + ".tenant-b.*"), List.of(BILLING),
                        List.of("consume", "produce", "describe"), null),
                new Rule(List.of("anonymous"), List.of(PUBLIC), null, List.of("consume", "describe"), null),
                new Rule(List.of("capped", "expiring"), List.of(ORDERS), null, List.of("consume", "produce"), null));
        AccessSettings access = new AccessSettings(true, Map.of("tenant", List.of("tenant-a", "tenant-b")), rules,
                Map.of("capped", new Limits(1, 5L, null, 1)), null);
        gateway = TestGateway.builder().kafka(kafka).auth(new AuthSettings(null, users, List.of())).access(access).start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    // ------------------------------------------------------------------ helpers

    private static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + user + "-pw").getBytes(StandardCharsets.UTF_8));
    }

    /** Headers for a principal; none for anonymous. */
    private static String[] as(String user) {
        return user == null ? new String[0] : new String[] {"Authorization", basic(user)};
    }

    private static HttpResponse<String> request(String user, String method, String path, String contentType, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(TestClients.uri(gateway, path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (user != null) {
            b.header("Authorization", basic(user));
        }
        return TestClients.send(b.build());
    }

    private static HttpResponse<String> get(String user, String path) {
        return request(user, "GET", path, null, null);
    }

    private static HttpResponse<String> produce(String user, String topic, String json) {
        return request(user, "POST", "/topics/" + topic, "application/json", json);
    }

    private static void assertForbidden(HttpResponse<String> r, String message) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        assertThat(TestClients.json(r)).isEqualTo(TestClients.JSON.createObjectNode().put("error", "forbidden")
                .put("message", message));
    }

    private static long end(String topic) {
        try {
            var tp = new org.apache.kafka.common.TopicPartition(topic, 0);
            return kafka.admin().listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                    .partitionResult(tp).get().offset();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode msg(String type, String id) {
        return TestClients.JSON.createObjectNode().put("type", type).put("id", id);
    }

    private static TestClients.Socket ws(String user) {
        return TestClients.Socket.open(gateway, "/ws", as(user));
    }

    private static int refusedUpgrade(String user, String path) {
        Throwable[] error = new Throwable[1];
        assertThatThrownBy(() -> TestClients.Socket.open(gateway, path, as(user)))
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> error[0] = e.getCause());
        var response = ((WebSocketHandshakeException) error[0]).getResponse();
        return response.statusCode();
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String key, String value, String tenant) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, TestKafka.bytes(key), TestKafka.bytes(value));
        if (tenant != null) {
            r.headers().add(new RecordHeader("tenant", TestKafka.bytes(tenant)));
        }
        return r;
    }

    // ------------------------------------------------------------------ produce

    @Test
    void produceNeedsProduceOnTheTopicAndDeniedRecordsAreNeverWritten() {
        long before = end(ORDERS);
        HttpResponse<String> ok = produce("writer", ORDERS, "{\"key\":\"k\",\"value\":\"v\"}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(TestClients.json(ok).get("offset").asLong()).isEqualTo(before);
        for (String user : new String[] {"reader", "stranger", "tenant-a", null}) {
            assertForbidden(produce(user, ORDERS, "{\"value\":\"no\"}"), "not allowed to produce topic '" + ORDERS + "'");
        }
        long privateBefore = end(B_PRIVATE);
        assertForbidden(produce("tenant-a", B_PRIVATE, "{\"value\":\"no\"}"),
                "not allowed to produce topic '" + B_PRIVATE + "'");
        assertThat(end(ORDERS)).isEqualTo(before + 1);
        assertThat(end(B_PRIVATE)).isEqualTo(privateBefore);
    }

    @Test
    void aBoundProduceRuleAdmitsOnlyTheTenantsOwnKey() {
        long before = end(SHARED);
        HttpResponse<String> own = produce("tenant-a", SHARED + "?key=tenant-a", "\"mine\"");
        assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
        assertForbidden(produce("tenant-a", SHARED + "?key=tenant-b", "\"theirs\""),
                "not allowed to produce this record to topic '" + SHARED + "': the grant covers only records with key=tenant-a");
        // one foreign record refuses the whole batch: nothing of it is written
        assertForbidden(produce("tenant-a", SHARED, "[{\"key\":\"tenant-a\",\"value\":\"1\"},{\"value\":\"no key\"}]"),
                "not allowed to produce record 1 to topic '" + SHARED + "': the grant covers only records with key=tenant-a");
        assertThat(end(SHARED)).isEqualTo(before + 1);
    }

    // ------------------------------------------------------------------ consume

    @Test
    void longPollAndSseNeedConsume() {
        kafka.send(PUBLIC, "p", "hello");
        JsonNode poll = TestClients.json(get(null, "/topics/" + PUBLIC + "?start=earliest&max=10&wait=20s"));
        assertThat(poll.get("records").get(0).get("value").asText()).isEqualTo("hello");
        for (String user : new String[] {"writer", "stranger", null}) {
            assertForbidden(get(user, "/topics/" + ORDERS + "?start=earliest&wait=1s"),
                    "not allowed to consume topic '" + ORDERS + "'");
        }
        assertForbidden(get("tenant-a", "/topics/" + B_PRIVATE + "?start=earliest&wait=1s"),
                "not allowed to consume topic '" + B_PRIVATE + "'");
        try (SseClient denied = SseClient.open(gateway, "/topics/" + B_PRIVATE + "?start=earliest", as("tenant-a"))) {
            assertThat(denied.status()).isEqualTo(403);
        }
        kafka.send(ORDERS, "o", "order-1");
        try (SseClient sse = SseClient.open(gateway, "/topics/" + ORDERS + "?start=earliest", as("reader"))) {
            assertThat(sse.status()).isEqualTo(200);
            assertThat(sse.records(1, WAIT).get(0).data().get("topic").asText()).isEqualTo(ORDERS);
        }
    }

    @Test
    void aTenantReceivesOnlyItsOwnRecordsOverSseIncludingAfterResumeAndAcrossACompactedSnapshot() {
        String mark = UUID.randomUUID().toString().substring(0, 6);
        kafka.send(record(SHARED, "tenant-b", "b1-" + mark, null));
        kafka.send(record(SHARED, "tenant-a", "a1-" + mark, null));
        kafka.send(record(SHARED, "tenant-b", "b2-" + mark, null));
        String lastId;
        try (SseClient sse = SseClient.open(gateway, "/topics/" + SHARED + "?start=earliest", as("tenant-a"))) {
            List<SseClient.Event> mine = new ArrayList<>();
            while (mine.isEmpty() || !mine.get(mine.size() - 1).data().get("value").asText().equals("a1-" + mark)) {
                mine.add(sse.records(1, WAIT).get(0));
            }
            assertThat(mine).allSatisfy(e -> assertThat(e.data().get("key").asText()).isEqualTo("tenant-a"));
            lastId = mine.get(mine.size() - 1).id();
        }
        kafka.send(record(SHARED, "tenant-b", "b3-" + mark, null));
        kafka.send(record(SHARED, "tenant-a", "a2-" + mark, null));
        try (SseClient resumed = SseClient.open(gateway, "/topics/" + SHARED, "Last-Event-ID", lastId,
                "Authorization", basic("tenant-a"))) {
            // resumed from the token: tenant-b's b3 in between is skipped
            SseClient.Event next = resumed.records(1, WAIT).get(0);
            assertThat(next.data().get("value").asText()).isEqualTo("a2-" + mark);
        }
        // a client filter composes by AND with the bound one: asking for tenant-b's key gives nothing at all
        JsonNode widened = TestClients.json(get("tenant-a", "/topics/" + SHARED + "?token="
                + java.net.URLEncoder.encode(lastId, StandardCharsets.UTF_8) + "&key=tenant-b&wait=1s"));
        assertThat(widened.get("records")).isEmpty();
        kafka.send(record(COMPACT, "k1", "a-old", "tenant-a"));
        kafka.send(record(COMPACT, "k2", "b-secret", "tenant-b"));
        kafka.send(record(COMPACT, "k1", "a-new", "tenant-a"));
        kafka.send(record(COMPACT, "k3", "b-other", "tenant-b"));
        try (SseClient sse = SseClient.open(gateway, "/topics/" + COMPACT + "?start=earliest", as("tenant-a"))) {
            Map<String, String> snapshot = new HashMap<>();
            while (true) {
                SseClient.Event e = sse.next(WAIT);
                if (e.event().equals("snapshot-end")) {
                    break;
                }
                snapshot.put(e.data().get("key").asText(), e.data().get("value").asText());
            }
            assertThat(snapshot).isEqualTo(Map.of("k1", "a-new"));
        }
    }

    // ------------------------------------------------------------------ topic admin

    @Test
    void topicListingShowsOnlyDescribableTopicsAndAdminRoutesNeedTheirOperation() {
        JsonNode listed = TestClients.json(get("tenant-a", "/topics"));
        List<String> names = new ArrayList<>();
        listed.get("topics").forEach(n -> names.add(n.asText()));
        assertThat(names).contains(A_PRIVATE, SHARED).doesNotContain(B_PRIVATE, "__consumer_offsets", ORDERS, PUBLIC);
        // consume implies describe: the topics tenant-a may read, and nothing else
        assertThat(names).allSatisfy(n -> assertThat(n).satisfiesAnyOf(x -> assertThat(x).startsWith(RUN + ".tenant-a."),
                x -> assertThat(x).isIn(SHARED, COMPACT)));
        JsonNode anonymous = TestClients.json(get(null, "/topics"));
        assertThat(anonymous.get("topics")).hasSize(1);
        assertThat(anonymous.get("topics").get(0).asText()).isEqualTo(PUBLIC);
        assertThat(TestClients.json(get("stranger", "/topics")).get("topics")).isEmpty();

        assertThat(get("reader", "/topics/" + ORDERS + "/metadata").statusCode()).isEqualTo(200);
        assertForbidden(get("tenant-a", "/topics/" + B_PRIVATE + "/metadata"),
                "not allowed to describe topic '" + B_PRIVATE + "'");
        String mine = RUN + ".tenant-a.made";
        HttpResponse<String> created = request("tenant-a", "PUT", "/topics/" + mine, "application/json", "{\"partitions\":1}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String theirs = RUN + ".tenant-b.made";
        assertForbidden(request("tenant-a", "PUT", "/topics/" + theirs, "application/json", "{\"partitions\":1}"),
                "not allowed to create topic '" + theirs + "'");
        assertForbidden(request(null, "PUT", "/topics/" + RUN + ".anon", "application/json", "{}"),
                "not allowed to create topic '" + RUN + ".anon'");
        assertThat(get("tenant-b", "/topics/" + theirs + "/metadata").statusCode()).isEqualTo(404);
    }

    // ------------------------------------------------------------------ WebSocket

    @Test
    void nativeWebSocketChecksEverySubscribeAndProduce() {
        TestClients.Socket reader = ws("reader");
        try {
            reader.send(msg("subscribe", "h").put("topic", ORDERS));
            assertThat(reader.next("subscribed", WAIT).get("id").asText()).isEqualTo("h");
            reader.send(msg("subscribe", "g").put("topic", ORDERS).put("mode", "group").put("group", RUN + "-readers-1"));
            assertThat(reader.next("subscribed", WAIT).get("id").asText()).isEqualTo("g");
            reader.send(msg("subscribe", "foreign").put("topic", ORDERS).put("mode", "group").put("group", BILLING));
            JsonNode foreign = reader.next("error", WAIT);
            assertThat(foreign.get("id").asText()).isEqualTo("foreign");
            assertThat(foreign.get("code").asText()).isEqualTo("forbidden");
            assertThat(foreign.get("message").asText()).isEqualTo("not allowed to join group '" + BILLING + "'");
            reader.send(msg("produce", "p").put("topic", ORDERS).put("value", "x"));
            JsonNode refused = reader.next("error", WAIT);
            assertThat(refused.get("message").asText()).isEqualTo("not allowed to produce topic '" + ORDERS + "'");
        } finally {
            reader.close();
        }
        TestClients.Socket stranger = ws("stranger");
        try {
            stranger.send(msg("subscribe", "h").put("topic", ORDERS));
            JsonNode e = stranger.next("error", WAIT);
            assertThat(e.get("code").asText()).isEqualTo("forbidden");
            assertThat(e.get("message").asText()).isEqualTo("not allowed to consume topic '" + ORDERS + "'");
        } finally {
            stranger.close();
        }
        TestClients.Socket writer = ws("writer");
        try {
            writer.send(msg("produce", "p").put("topic", ORDERS).put("value", "from-ws"));
            assertThat(writer.next("produced", WAIT).get("topic").asText()).isEqualTo(ORDERS);
        } finally {
            writer.close();
        }
    }

    @Test
    void aGroupReadWithABoundFilterSkipsForeignRecordsAndStillCommitsPastThem() {
        String group = RUN + "-tenant-a-g";
        long start = end(SHARED);
        kafka.send(record(SHARED, "tenant-a", "ga1", null));
        kafka.send(record(SHARED, "tenant-b", "gb1", null));
        kafka.send(record(SHARED, "tenant-a", "ga2", null));
        kafka.send(record(SHARED, "tenant-b", "gb2", null));
        long last = end(SHARED);
        TestClients.Socket a = ws("tenant-a");
        try {
            a.send(msg("subscribe", "g").put("topic", SHARED).put("mode", "group").put("group", group)
                    .put("start", "earliest"));
            a.next("subscribed", WAIT);
            List<JsonNode> got = new ArrayList<>();
            while (got.isEmpty() || !got.get(got.size() - 1).get("value").asText().equals("ga2")) {
                a.next("records", WAIT).get("records").forEach(got::add);
            }
            assertThat(got).allSatisfy(r -> assertThat(r.get("key").asText()).isEqualTo("tenant-a"));
            long ga2 = got.get(got.size() - 1).get("offset").asLong();
            assertThat(ga2).isEqualTo(last - 2);
            a.send(msg("ack", "g").put("partition", 0).put("offset", ga2));
            JsonNode committed = a.next("committed", WAIT);
            // the skipped gb2 after it counts as acknowledged: the group moves to the end
            assertThat(committed.get("offset").asLong()).isEqualTo(last);
        } finally {
            a.close();
        }
        assertThat(kafka.committedOffset(group, SHARED, 0)).isEqualTo(last);
        assertThat(start).isLessThan(last);
    }

    @Test
    void kafkaProxyRefusesAForeignConsumerGroupSoItsOwnerSkipsNothing() {
        for (int i = 0; i < 3; i++) {
            kafka.send(B_PRIVATE, "k" + i, "b-" + i);
        }
        assertThat(refusedUpgrade("tenant-a", "/?topic=" + B_PRIVATE + "&consumerGroup=" + BILLING)).isEqualTo(403);
        assertThat(refusedUpgrade("tenant-a", "/?topic=" + A_PRIVATE + "&consumerGroup=" + BILLING)).isEqualTo(403);
        assertThat(refusedUpgrade(null, "/?topic=" + PUBLIC + "&consumerGroup=" + BILLING)).isEqualTo(403);
        assertThat(kafka.committedOffset(BILLING, B_PRIVATE, 0)).isEqualTo(-1);
        TestClients.Socket b = TestClients.Socket.open(gateway, "/?topic=" + B_PRIVATE + "&consumerGroup=" + BILLING,
                as("tenant-b"));
        try {
            List<String> values = new ArrayList<>();
            while (values.size() < 3) {
                b.next(WAIT).forEach(m -> values.add(m.get("message").asText()));
            }
            assertThat(values).startsWith("b-0", "b-1", "b-2");
        } finally {
            b.close();
        }
    }

    // ------------------------------------------------------------------ limits and expiry

    @Test
    void perPrincipalLimitsAnswer429WithRetryAfter() {
        SseClient open = SseClient.open(gateway, "/topics/" + ORDERS, as("capped"));
        try {
            assertThat(open.status()).isEqualTo(200);
            HttpResponse<String> second = get("capped", "/topics/" + ORDERS + "?wait=1s");
            assertThat(second.statusCode()).as(second.body()).isEqualTo(429);
            assertThat(second.headers().firstValue("Retry-After")).contains("1");
            assertThat(TestClients.json(second).get("error").asText()).isEqualTo("rate_limited");
            assertThat(TestClients.json(second).get("message").asText())
                    .isEqualTo("rate limit: principal 'capped' has its 1 connections open (access.limits.capped.connections)");
            assertThat(refusedUpgrade("capped", "/ws")).isEqualTo(429);
        } finally {
            open.close();
        }
        // the stream's connection and subscription come back once the server saw it close
        TestClients.Socket socket = Awaitility.await().atMost(WAIT).ignoreExceptions()
                .until(() -> TestClients.Socket.open(gateway, "/ws", as("capped")), s -> true);
        try {
            socket.send(msg("subscribe", "one").put("topic", ORDERS));
            assertThat(socket.next("subscribed", WAIT).get("id").asText()).isEqualTo("one");
            socket.send(msg("subscribe", "two").put("topic", ORDERS));
            JsonNode refused = socket.next("error", WAIT);
            assertThat(refused.get("id").asText()).isEqualTo("two");
            assertThat(refused.get("code").asText()).isEqualTo("rate_limited");
            assertThat(refused.get("message").asText()).isEqualTo(
                    "rate limit: principal 'capped' has its 1 subscriptions open (access.limits.capped.subscriptions)");
        } finally {
            socket.close();
        }
        // five records take the whole second's budget (and more): the next request waits for it
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 6; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"value\":\"c").append(i).append("\"}");
        }
        HttpResponse<String> burst = produce("capped", ORDERS, batch.append("]").toString());
        assertThat(burst.statusCode()).as(burst.body()).isEqualTo(200);
        HttpResponse<String> limited = produce("capped", ORDERS, "{\"value\":\"one more\"}");
        assertThat(limited.statusCode()).as(limited.body()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        assertThat(TestClients.json(limited).get("message").asText())
                .startsWith("rate limit: principal 'capped' may produce 5 records/s (access.limits.capped.produce-records-per-second)");
    }
}
