package io.wharf.http;

import static io.wharf.http.TestClients.get;
import static io.wharf.http.TestClients.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Long polls return what Kafka holds up to {@code max}, even on a cold topic; {@code wait} takes a unit. */
class LongPollTest {
    private static final TestKafka KAFKA = SharedKafka.get();
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        gateway = TestGateway.builder().kafka(KAFKA).start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static String coldTopicWithOneRecordPerPartition(String prefix) {
        String topic = KAFKA.createTopic(prefix, 3);
        for (int p = 0; p < 3; p++) {
            KAFKA.send(new ProducerRecord<>(topic, p, TestKafka.bytes("k" + p), TestKafka.bytes("v" + p)));
        }
        return topic;
    }

    @Test
    void theFirstPollOfAColdTopicReturnsEveryRecordOfEveryPartition() {
        String topic = coldTopicWithOneRecordPerPartition("poll-cold");
        JsonNode reply = json(get(gateway, "/topics/" + topic + "?start=earliest&max=10&wait=20s"));
        List<String> values = new ArrayList<>();
        reply.get("records").forEach(r -> values.add(r.get("value").asText()));
        assertThat(values).containsExactlyInAnyOrder("v0", "v1", "v2");
        // the next poll continues after all three: nothing is left
        JsonNode next = json(get(gateway, "/topics/" + topic + "?token=" + reply.get("next").asText() + "&wait=200ms"));
        assertThat(next.get("records")).isEmpty();
    }

    @Test
    void aPollStopsAtMax() {
        String topic = coldTopicWithOneRecordPerPartition("poll-max");
        JsonNode reply = json(get(gateway, "/topics/" + topic + "?start=earliest&max=2&wait=20s"));
        assertThat(reply.get("records")).hasSize(2);
        JsonNode rest = json(get(gateway, "/topics/" + topic + "?token=" + reply.get("next").asText() + "&max=10&wait=20s"));
        assertThat(rest.get("records")).hasSize(1);
    }

    @Test
    void waitTakesAUnitAndABareNumberIsMilliseconds() {
        String topic = KAFKA.createTopic("poll-wait", 1);
        long start = System.nanoTime();
        var bare = get(gateway, "/topics/" + topic + "?wait=5");
        assertThat(bare.statusCode()).isEqualTo(200);
        assertThat(json(bare).get("records")).isEmpty();
        assertThat(get(gateway, "/topics/" + topic + "?wait=300ms").statusCode()).isEqualTo(200);
        assertThat(get(gateway, "/topics/" + topic + "?wait=1s").statusCode()).isEqualTo(200);
        // 5 ms + 300 ms + 1 s; a bare 5 read as seconds would alone take 5 s
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(4_500);
        var bad = get(gateway, "/topics/" + topic + "?wait=5x");
        HttpApiTest.assertError(bad, 400, "bad_wait");
        assertThat(json(bad).get("message").asText()).contains("bare number is milliseconds");
    }

    private static double recordsOut() {
        return gateway.context().metrics().registry().get("wharf.http.records.out").tag("kind", "http").counter().count();
    }

    @Test
    void aReplyHoldsAtMostItsByteBoundAndTheTokenResumesRightAfterIt() {
        String topic = KAFKA.createTopic("poll-bytes", 1);
        String big = "x".repeat(600_000);
        try (var producer = KAFKA.producer()) {
            for (int i = 0; i < 12; i++) {
                producer.send(new ProducerRecord<>(topic, 0, TestKafka.bytes("k" + i), TestKafka.bytes(i + big)));
            }
        }
        List<Long> offsets = new ArrayList<>();
        String query = "start=earliest";
        int polls = 0;
        while (offsets.size() < 12 && polls++ < 10) {
            var response = get(gateway, "/topics/" + topic + "?" + query + "&max=1000&wait=20s");
            assertThat(response.body().length()).isLessThanOrEqualTo(LongPollRoute.MAX_REPLY_BYTES + 1024);
            JsonNode reply = json(response);
            assertThat(reply.get("records").size()).isBetween(1, 11);
            reply.get("records").forEach(r -> offsets.add(r.get("offset").asLong()));
            query = "token=" + reply.get("next").asText();
        }
        // nothing lost or repeated at the cuts
        assertThat(offsets).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
    }

    @Test
    void pipelinedPollsFromAClientThatDoesNotReadAreNotAllAnsweredAtOnce() throws Exception {
        String topic = KAFKA.createTopic("poll-pipelined", 1);
        String value = "v".repeat(10_000);
        int polls = 8;
        int perReply = LongPollRoute.MAX_REPLY_BYTES / 10_100; // about the records the byte bound lets into one reply
        int records = (polls + 1) * perReply;
        try (var producer = KAFKA.producer()) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, TestKafka.bytes(value)));
            }
        }
        double before = recordsOut();
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new InetSocketAddress("127.0.0.1", gateway.endpoint("http").port()));
            // each poll reads from earliest: 8 replies of 4 MiB, 32 MiB if all were queued at once
            String poll = "GET /topics/" + topic + "?start=earliest&max=10000&wait=5s HTTP/1.1\r\nHost: x\r\n\r\n";
            OutputStream out = s.getOutputStream();
            out.write(poll.repeat(polls).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> recordsOut() > before);
            Thread.sleep(2_000);
            // the next poll starts only once the client has taken the replies so far (the kernel's
            // socket buffers hold a few), so the later ones are not answered yet
            double answered = recordsOut() - before;
            assertThat(answered).as("records in replies to a client that does not read").isLessThanOrEqualTo(polls / 2 * (double) perReply);
            InputStream in = s.getInputStream();
            for (int i = 0; i < polls; i++) {
                String head = RawHttp.readHead(in);
                assertThat(head).startsWith("HTTP/1.1 200");
                in.readNBytes(RawHttp.contentLength(head));
            }
        }
        assertThat(recordsOut() - before).isGreaterThanOrEqualTo(polls * (perReply - 10.0));
    }
}
