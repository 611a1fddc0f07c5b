package io.wharf.http;

import static io.wharf.http.TestClients.json;
import static io.wharf.http.TestClients.post;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input never changes data and never gets a 500 or an empty reply: typos in a JSON record, a
 * second JSON document, timestamps out of range, malformed percent-escapes, bytes that are not
 * UTF-8 where text is needed, bad Content-Length, huge numbers. Keys and header values keep the
 * exact bytes the client sent, read back with a real Kafka consumer.
 */
class BadInputTest {
    private static final TestKafka KAFKA = SharedKafka.get();
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        gateway = TestGateway.builder().kafka(KAFKA).with(HttpSettings.class, new HttpSettings(null, 1024 * 1024, null))
                .start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static RawHttp.Reply raw(String method, String target, String headers, byte[] body) throws IOException {
        byte[] head = (method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + headers
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return RawHttp.request(gateway, all);
    }

    private static RawHttp.Reply get(String target) throws IOException {
        return raw("GET", target, "", new byte[0]);
    }

    private static JsonNode assertError(RawHttp.Reply reply, int status, String code) throws IOException {
        assertThat(reply.status()).as(reply.head() + reply.body()).isEqualTo(status);
        assertThat(reply.head().toLowerCase()).contains("content-type: application/json");
        JsonNode body = TestClients.JSON.readTree(reply.body());
        assertThat(body.get("error").asText()).as(reply.body()).isEqualTo(code);
        assertThat(body.get("message").asText()).isNotBlank();
        return body;
    }

    private static JsonNode batch(String topic, String body, int status, String code) throws IOException {
        var reply = post(gateway, "/topics/" + topic, "application/json", body);
        HttpApiTest.assertError(reply, status, code);
        return json(reply);
    }

    @Test
    void aTypoOrAMissingValueInAJsonRecordIsA400NamingTheFieldAndWritesNothing() throws Exception {
        String topic = KAFKA.createTopic("bad-typo", 1, java.util.Map.of("cleanup.policy", "compact"));
        JsonNode typo = batch(topic, "[{\"key\":\"sku-1\",\"vaule\":\"10.49\"}]", 400, "unknown_field");
        assertThat(typo.get("field").asText()).isEqualTo("records[0].vaule");
        assertThat(typo.get("message").asText()).contains("'vaule'");
        JsonNode missing = batch(topic, "[{\"key\":\"sku-1\",\"value\":\"1\"},{\"key\":\"sku-1\"}]", 400, "missing_value");
        assertThat(missing.get("field").asText()).isEqualTo("records[1].value");
        JsonNode header = batch(topic, "[{\"value\":\"1\",\"headers\":[{\"name\":\"h\",\"valeu\":\"x\"}]}]", 400,
                "unknown_field");
        assertThat(header.get("field").asText()).isEqualTo("records[0].headers.valeu");
        batch(topic, "[1]", 400, "bad_record");
        // a second document after the array is refused, not dropped
        batch(topic, "[{\"key\":\"a\",\"value\":\"1\"}] [{\"key\":\"b\",\"value\":\"2\"}]", 400, "bad_json");
        batch(topic, "{\"value\":\"1\"} {}", 400, "bad_json");
        // nothing above was written; an explicit null is a tombstone
        var ok = post(gateway, "/topics/" + topic, "application/json", "[{\"key\":\"sku-1\",\"value\":null}]");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.readAll(topic, 2, Duration.ofSeconds(3));
        assertThat(records).hasSize(1);
        assertThat(records.get(0).value()).isNull();
        assertThat(records.get(0).offset()).isZero();
    }

    @Test
    void aTimestampOutOfRangeIsA400() throws Exception {
        String topic = KAFKA.createTopic("bad-ts", 1);
        for (String t : List.of("-1", "1.5", "1e30", "99999999999999999999", "\"soon\"")) {
            JsonNode e = batch(topic, "[{\"value\":\"v\",\"timestamp\":" + t + "}]", 400, "bad_timestamp");
            assertThat(e.get("field").asText()).isEqualTo("records[0].timestamp");
        }
        // Kafka's own bound (message.timestamp.after.max.ms, 1 h by default) is a 400 too, not a 500
        long farFuture = System.currentTimeMillis() + Duration.ofDays(365).toMillis();
        var future = post(gateway, "/topics/" + topic, "application/json",
                "[{\"value\":\"v\",\"timestamp\":" + farFuture + "}]");
        assertThat(future.statusCode()).as(future.body()).isEqualTo(400);
        assertThat(json(future).get("records").get(0).get("error").asText()).isEqualTo("bad_timestamp");
        assertThat(KAFKA.readAll(topic, 1, Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void malformedPercentEscapesAnywhereAre400InJson() throws Exception {
        String topic = KAFKA.createTopic("bad-escape", 1);
        assertError(get("/topics/" + topic + "?start=%zz"), 400, "bad_escape");
        assertError(get("/topics/%zz"), 400, "bad_escape");
        assertError(get("/topics/%zz/metadata"), 400, "bad_escape");
        assertError(get("/topics/" + topic + "?max=%4"), 400, "bad_escape");
        assertError(get("/topics/" + topic + "?%zz=1"), 400, "bad_escape");
        assertError(raw("POST", "/topics/" + topic + "?key=100%", "", new byte[] {'v'}), 400, "bad_escape");
        assertError(get("/x%"), 400, "bad_escape");
        // bytes that are not UTF-8 where text is needed: a path, a parameter name, a filter
        assertError(get("/topics/%FF"), 400, "bad_utf8");
        assertError(get("/topics/" + topic + "?key=%FF&wait=0"), 400, "bad_utf8");
        assertError(raw("POST", "/topics/" + topic + "?header.%FF=v", "", new byte[] {'v'}), 400, "bad_utf8");
        assertError(raw("GET", "/topics/" + topic, "Last-Event-ID: \u00ff\r\n", new byte[0]), 400, "bad_utf8");
        assertThat(KAFKA.readAll(topic, 1, Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void aMalformedEscapeIsA400InJsonWhenAuthIsOnToo() throws Exception {
        try (TestGateway secured = TestGateway.builder().kafka(KAFKA)
                .auth(new io.wharf.core.config.AuthSettings("pw-bad-input", null, null)).start()) {
            RawHttp.Reply r = RawHttp.request(secured, "GET /topics/%zz HTTP/1.1\r\nHost: x\r\n\r\n");
            assertError(r, 400, "bad_request");
            assertThat(r.head().toLowerCase()).contains("connection: close");
        }
    }

    @Test
    void keysAndHeaderValuesAreStoredAsTheExactBytesSent() throws Exception {
        String topic = KAFKA.createTopic("bad-bytes", 1);
        assertThat(raw("POST", "/topics/" + topic + "?key=%FF%FEk&header.h=%00%C3%A9%FF", "", "v1".getBytes()).status())
                .isEqualTo(200);
        // the header's bytes are UTF-8 on the wire; Netty holds them as ISO-8859-1 chars
        String cafe = new String("café".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        assertThat(raw("POST", "/topics/" + topic, "Wharf-Key: " + cafe + "\r\n", "v2".getBytes()).status()).isEqualTo(200);
        assertThat(raw("POST", "/topics/" + topic + "?key=a+b%2Bc", "", "v3".getBytes()).status()).isEqualTo(200);
        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.readAll(topic, 3, Duration.ofSeconds(10));
        assertThat(records.get(0).key()).containsExactly(0xff, 0xfe, 'k');
        assertThat(records.get(0).headers().lastHeader("h").value()).containsExactly(0x00, 0xc3, 0xa9, 0xff);
        assertThat(records.get(1).key()).containsExactly("café".getBytes(StandardCharsets.UTF_8));
        assertThat(TestKafka.text(records.get(2).key())).isEqualTo("a b+c");
    }

    @Test
    void badContentLengthHugeNumbersAndBadShapesAre400NotA500() throws Exception {
        String topic = KAFKA.createTopic("bad-numbers", 1);
        for (String length : List.of("abc", "-1", "99999999999999999999", "1, 2")) {
            RawHttp.Reply r = RawHttp.request(gateway, "POST /topics/" + topic + " HTTP/1.1\r\nHost: x\r\nContent-Length: "
                    + length + "\r\n\r\nv");
            assertError(r, 400, "bad_request");
            assertThat(r.head().toLowerCase()).contains("connection: close");
        }
        assertError(get("/topics/" + topic + "?max=99999999999999999999"), 400, "bad_max");
        assertError(get("/topics/" + topic + "?offset=99999999999999999999"), 400, "bad_offset");
        assertError(get("/topics/" + topic + "?partition=99999999999"), 400, "bad_partition");
        assertError(get("/topics/" + topic + "?wait=99999999999999999999"), 400, "bad_wait");
        assertError(get("/topics/" + topic + "?time=99999999999999999999"), 400, "bad_time");
        assertError(get("/topics/" + topic + "?encoding=rot13"), 400, "bad_encoding");
        assertError(raw("POST", "/topics/" + topic + "?partition=99999999999", "", new byte[] {'v'}), 400, "bad_partition");
        assertError(raw("PUT", "/topics/" + topic + "-x", "", "{\"partitions\":1e10}".getBytes()), 400, "bad_partition");
        assertError(raw("PUT", "/topics/" + topic + "-x", "", "{\"replicationFactor\":99999999999}".getBytes()), 400,
                "bad_request");
        assertError(raw("PUT", "/topics/" + topic + "-x", "", "[1]".getBytes()), 400, "bad_request");
        assertError(raw("PUT", "/topics/" + topic + "-x", "", "{\"configs\":[]}".getBytes()), 400, "bad_request");
        assertError(raw("POST", "/topics/" + topic, "Content-Type: application/json\r\n",
                "[{\"value\":\"v\",\"partition\":1e99}]".getBytes()), 400, "bad_partition");
        assertError(raw("POST", "/topics/" + topic, "Content-Type: application/json\r\n",
                "[{\"value\":\"v\",\"headers\":7}]".getBytes()), 400, "bad_header");
    }

    @Test
    void anOversizedBodyAnnouncedWithExpectContinueGetsTheJson413() throws Exception {
        String topic = KAFKA.createTopic("bad-expect", 1);
        RawHttp.Reply r = RawHttp.request(gateway, "POST /topics/" + topic + " HTTP/1.1\r\nHost: x\r\n"
                + "Expect: 100-continue\r\nContent-Length: " + (2 * 1024 * 1024) + "\r\n\r\n");
        assertError(r, 413, "body_too_large");
        assertThat(json(post(gateway, "/topics/" + topic, "text/plain", "fine")).get("offset").asLong()).isZero();
    }

    @Test
    void aWebSocketProduceWithATypoOrNoValueIsAnErrorNamingTheField() {
        String topic = KAFKA.createTopic("bad-ws", 1);
        TestClients.Socket ws = TestClients.Socket.open(gateway, "/ws");
        try {
            ws.send("{\"type\":\"produce\",\"id\":\"p1\",\"topic\":\"" + topic + "\",\"key\":\"k\"}");
            JsonNode missing = ws.next("error", Duration.ofSeconds(10));
            assertThat(missing.get("id").asText()).isEqualTo("p1");
            assertThat(missing.get("code").asText()).isEqualTo("missing_value");
            assertThat(missing.get("field").asText()).isEqualTo("value");
            ws.send("{\"type\":\"produce\",\"id\":\"p2\",\"topic\":\"" + topic + "\",\"key\":\"k\",\"vaule\":\"1\"}");
            JsonNode typo = ws.next("error", Duration.ofSeconds(10));
            assertThat(typo.get("code").asText()).isEqualTo("unknown_field");
            assertThat(typo.get("field").asText()).isEqualTo("vaule");
            ws.send("{\"type\":\"produce\",\"id\":\"p3\",\"topic\":\"" + topic + "\",\"value\":\"1\",\"timestamp\":-5}");
            assertThat(ws.next("error", Duration.ofSeconds(10)).get("code").asText()).isEqualTo("bad_timestamp");
            ws.send("{\"type\":\"produce\",\"id\":\"p4\",\"topic\":\"" + topic + "\",\"value\":\"1\"} {\"type\":\"x\"}");
            assertThat(ws.next("error", Duration.ofSeconds(10)).get("code").asText()).isEqualTo("bad_json");
            ws.send("{\"type\":\"produce\",\"id\":\"p5\",\"topic\":\"" + topic + "\",\"key\":\"k\",\"value\":null}");
            assertThat(ws.next(Duration.ofSeconds(30)).get("type").asText()).isEqualTo("produced");
        } finally {
            ws.close();
        }
        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.readAll(topic, 2, Duration.ofSeconds(3));
        assertThat(records).hasSize(1);
        assertThat(records.get(0).value()).isNull();
    }
}
