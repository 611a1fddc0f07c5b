package io.wharf.http;

import static io.wharf.http.TestClients.get;
import static io.wharf.http.TestClients.json;
import static io.wharf.http.TestClients.post;
import static io.wharf.http.TestClients.send;
import static io.wharf.http.TestClients.uri;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The REST API with the JDK's HttpClient: produce, topic metadata, health, and every bad input with its status and body. */
class HttpApiTest {
    private static TestKafka kafka;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        kafka = SharedKafka.get();
        gateway = TestGateway.builder().kafka(kafka).with(HttpSettings.class, new HttpSettings(null, 2 * 1024 * 1024, null))
                .start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void producesOneRecordAndRepliesWithItsPartitionAndOffsetAfterKafkaAcknowledgedIt() {
        String topic = kafka.createTopic("http-one", 1);
        HttpResponse<String> first = post(gateway, "/topics/" + topic + "?key=k1&header.source=test", "text/plain", "hello");
        HttpResponse<String> second = post(gateway, "/topics/" + topic, "application/octet-stream", "world");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(json(first).get("partition").asInt()).isZero();
        assertThat(json(first).get("offset").asLong()).isZero();
        assertThat(json(second).get("offset").asLong()).isEqualTo(1);
        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll(topic, 2, Duration.ofSeconds(10));
        assertThat(records).hasSize(2);
        assertThat(TestKafka.text(records.get(0).key())).isEqualTo("k1");
        assertThat(TestKafka.text(records.get(0).value())).isEqualTo("hello");
        assertThat(TestKafka.text(records.get(0).headers().lastHeader("source").value())).isEqualTo("test");
        assertThat(records.get(1).key()).isNull();
    }

    @Test
    void producesAJsonBatchWithKeysHeadersPartitionsAndBinaryValues() {
        String topic = kafka.createTopic("http-batch", 3);
        String body = """
                [{"key":"a","value":"one","headers":{"h":"1"},"partition":2},
                 {"key":"b","value":{"n":2},"partition":1},
                 {"value":"AAH/","valueEncoding":"base64","partition":0},
                 {"key":"tomb","value":null,"partition":0}]""";
        HttpResponse<String> response = post(gateway, "/topics/" + topic, "application/json", body);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode records = json(response).get("records");
        assertThat(records).hasSize(4);
        assertThat(records.get(0).get("partition").asInt()).isEqualTo(2);
        assertThat(records.get(1).get("partition").asInt()).isEqualTo(1);
        assertThat(records.get(3).get("offset").asLong()).isEqualTo(1);
        Map<String, ConsumerRecord<byte[], byte[]>> byKey = new java.util.HashMap<>();
        List<ConsumerRecord<byte[], byte[]>> read = kafka.readAll(topic, 4, Duration.ofSeconds(10));
        read.forEach(r -> byKey.put(r.key() == null ? "-" : TestKafka.text(r.key()), r));
        assertThat(TestKafka.text(byKey.get("a").value())).isEqualTo("one");
        assertThat(TestKafka.text(byKey.get("b").value())).isEqualTo("{\"n\":2}");
        assertThat(byKey.get("-").value()).containsExactly(0, 1, 0xff);
        assertThat(byKey.get("tomb").value()).isNull();
    }

    @Test
    void theSameIdempotencyKeyProducesOnceAndRepeatsTheFirstReply() {
        String topic = kafka.createTopic("http-idem", 1);
        HttpRequest request = HttpRequest.newBuilder(uri(gateway, "/topics/" + topic)).header("Idempotency-Key", "abc-1")
                .POST(HttpRequest.BodyPublishers.ofString("once")).build();
        HttpResponse<String> first = send(request);
        HttpResponse<String> retry = send(request);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).contains("true");
        HttpResponse<String> other = post(gateway, "/topics/" + topic, "text/plain", "second");
        assertThat(json(other).get("offset").asLong()).isEqualTo(1);
    }

    @Test
    void listsTopicsAndDescribesOne() {
        String topic = kafka.createTopic("http-meta", 2, Map.of("cleanup.policy", "compact"));
        post(gateway, "/topics/" + topic + "?key=x&partition=1", "text/plain", "v");

        JsonNode list = json(get(gateway, "/topics"));
        assertThat(list.get("topics").toString()).contains("\"" + topic + "\"");
        HttpResponse<String> meta = get(gateway, "/topics/" + topic + "/metadata");
        assertThat(meta.statusCode()).isEqualTo(200);
        JsonNode m = json(meta);
        assertThat(m.get("partitions").asInt()).isEqualTo(2);
        assertThat(m.get("compacted").asBoolean()).isTrue();
        assertThat(m.get("cleanupPolicy").asText()).isEqualTo("compact");
        assertThat(m.get("offsets").get(1).get("latest").asLong()).isEqualTo(1);
        assertThat(m.get("offsets").get(0).get("latest").asLong()).isZero();
    }

    @Test
    void healthReadinessAndMetricsAnswer() {
        assertThat(json(get(gateway, "/healthz")).get("status").asText()).isEqualTo("alive");
        HttpResponse<String> ready = get(gateway, "/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = get(gateway, "/metrics");
        assertThat(metrics.body()).contains("wharf_http_connections{").contains("kind=\"websocket\"")
                .contains("wharf_http_records_in_total").contains("wharf_http_auth_failures_total")
                .contains("wharf_http_slow_client_disconnects_total");
    }

    @Test
    void badJsonIs400WithItsCode() {
        String topic = kafka.createTopic("http-badjson", 1);
        HttpResponse<String> r = post(gateway, "/topics/" + topic, "application/json", "[{\"value\": ");
        assertError(r, 400, "bad_json");
        assertError(post(gateway, "/topics/" + topic, "application/json", "[]"), 400, "empty_batch");
        assertError(post(gateway, "/topics/" + topic, "application/json", "[{\"value\":\"x\",\"partition\":\"two\"}]"),
                400, "bad_partition");
        assertError(post(gateway, "/topics/" + topic, "application/json", "[{\"value\":\"%%\",\"valueEncoding\":\"base64\"}]"),
                400, "bad_base64");
    }

    @Test
    void unknownTopicIs404() {
        assertError(post(gateway, "/topics/no-such-topic-here", "text/plain", "x"), 404, "unknown_topic");
        assertError(get(gateway, "/topics/no-such-topic-here/metadata"), 404, "unknown_topic");
        assertError(get(gateway, "/nowhere"), 404, "not_found");
    }

    @Test
    void illegalTopicNameAndPartitionAre400() {
        assertError(post(gateway, "/topics/bad%20name", "text/plain", "x"), 400, "bad_topic");
        String topic = kafka.createTopic("http-part", 1);
        assertError(post(gateway, "/topics/" + topic + "?partition=5", "text/plain", "x"), 400, "bad_partition");
        assertError(post(gateway, "/topics/" + topic + "?partition=-1", "text/plain", "x"), 400, "bad_partition");
    }

    @Test
    void oversizedBodyIs413AndATooLargeRecordIs413WithItsOwnCode() {
        String topic = kafka.createTopic("http-big", 1);
        HttpResponse<String> body = post(gateway, "/topics/" + topic, "text/plain", "x".repeat(3 * 1024 * 1024));
        assertError(body, 413, "body_too_large");
        HttpResponse<String> record = post(gateway, "/topics/" + topic, "text/plain", "x".repeat(1536 * 1024));
        assertError(record, 413, "record_too_large");
        // the connection limit and the server are unharmed
        assertThat(post(gateway, "/topics/" + topic, "text/plain", "small").statusCode()).isEqualTo(200);
    }

    @Test
    void putCreatesATopicOnceAndRefusesBadSettings() throws Exception {
        String name = "http-created-" + System.nanoTime();
        HttpResponse<String> created = send(HttpRequest.newBuilder(uri(gateway, "/topics/" + name))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"partitions\":3,\"configs\":{\"cleanup.policy\":\"compact\"}}"))
                .build());
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(HttpReplies.JSON.readTree(created.body()).get("partitions").asInt()).isEqualTo(3);
        assertThat(HttpReplies.JSON.readTree(created.body()).get("compacted").asBoolean()).isTrue();
        assertThat(post(gateway, "/topics/" + name + "?key=k", "text/plain", "v").statusCode()).isEqualTo(200);

        assertError(send(HttpRequest.newBuilder(uri(gateway, "/topics/" + name))
                .PUT(HttpRequest.BodyPublishers.noBody()).build()), 409, "topic_exists");
        assertError(send(HttpRequest.newBuilder(uri(gateway, "/topics/other-" + name))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"partitions\":0}")).build()), 400, "bad_partition");
        assertError(send(HttpRequest.newBuilder(uri(gateway, "/topics/other-" + name))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"partitons\":2}")).build()), 400, "bad_request");
        assertError(send(HttpRequest.newBuilder(uri(gateway, "/topics/other-" + name))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"configs\":{\"cleanup.policy\":\"shred\"}}")).build()),
                400, "bad_topic_config");
        assertError(send(HttpRequest.newBuilder(uri(gateway, "/topics/other-" + name))
                .PUT(HttpRequest.BodyPublishers.ofString("{nope")).build()), 400, "bad_json");
    }

    @Test
    void unsupportedMethodIs405WithAllow() {
        String topic = kafka.createTopic("http-method", 1);
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri(gateway, "/topics/" + topic)).DELETE().build());
        assertError(r, 405, "method_not_allowed");
        assertThat(r.headers().firstValue("Allow")).contains("GET, POST, PUT");
        assertError(send(HttpRequest.newBuilder(uri(gateway, "/healthz")).POST(HttpRequest.BodyPublishers.noBody()).build()),
                405, "method_not_allowed");
    }

    @Test
    void badStartParametersAre400() {
        String topic = kafka.createTopic("http-start", 1);
        assertError(get(gateway, "/topics/" + topic + "?offset=-3"), 400, "bad_offset");
        assertError(get(gateway, "/topics/" + topic + "?offset=ten"), 400, "bad_offset");
        assertError(get(gateway, "/topics/" + topic + "?token=%21%21"), 400, "bad_resume_token");
        assertError(get(gateway, "/topics/" + topic + "?start=yesterday"), 400, "bad_start");
        assertError(get(gateway, "/topics/" + topic + "?offset=1&start=earliest"), 400, "bad_start");
        assertError(get(gateway, "/topics/" + topic + "?max=0"), 400, "bad_max");
        assertError(get(gateway, "/topics/" + topic + "?wait=5h"), 400, "bad_wait");
        assertError(send(HttpRequest.newBuilder(uri(gateway, "/topics/" + topic)).header("Last-Event-ID", "garbage!")
                .GET().build()), 400, "bad_resume_token");
    }

    static void assertError(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode body = json(response);
        assertThat(body.get("error").asText()).isEqualTo(code);
        assertThat(body.get("message").asText()).isNotBlank();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
