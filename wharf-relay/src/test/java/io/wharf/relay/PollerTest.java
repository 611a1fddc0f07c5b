package io.wharf.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.wharf.relay.config.PollerSettings;
import io.wharf.relay.config.RelaySettings;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Pollers: conditional GETs, records plus state in one transaction, and restarts that neither repeat nor miss. */
@ExtendWith(SharedKafka.class)
class PollerTest {
    private HttpServer server;
    /** requests as "If-None-Match|If-Modified-Since|query" */
    private final List<String> seen = Collections.synchronizedList(new ArrayList<>());
    private volatile String body = "";
    private volatile String etag;
    private volatile String lastModified;
    private volatile int status = 200;

    @BeforeEach
    void startSource() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/source", this::serve);
        server.start();
    }

    @AfterEach
    void stopSource() {
        server.stop(0);
    }

    private void serve(HttpExchange ex) throws IOException {
        String inm = ex.getRequestHeaders().getFirst("If-None-Match");
        String ims = ex.getRequestHeaders().getFirst("If-Modified-Since");
        seen.add(inm + "|" + ims + "|" + ex.getRequestURI().getRawQuery());
        try (ex) {
            if (status != 200) {
                ex.sendResponseHeaders(status, -1);
                return;
            }
            if ((etag != null && etag.equals(inm)) || (etag == null && lastModified != null && lastModified.equals(ims))) {
                ex.sendResponseHeaders(304, -1);
                return;
            }
            if (etag != null) {
                ex.getResponseHeaders().set("ETag", etag);
            }
            if (lastModified != null) {
                ex.getResponseHeaders().set("Last-Modified", lastModified);
            }
            ex.getResponseHeaders().set("Content-Type", "application/json");
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/source");
    }

    private static TestGateway start(TestKafka kafka, String instance, PollerSettings... pollers) {
        return TestGateway.builder().kafka(kafka).with(RelaySettings.class, new RelaySettings(instance, null, List.of(pollers)))
                .start();
    }

    private PollerSettings arrayPoller(String name, String topic, String stateTopic) {
        return new PollerSettings(name, url(), topic, Duration.ofMillis(200), Map.of("Accept", "application/json"), null,
                "array", "/items", "id", "updated", "since", stateTopic, null);
    }

    private static String items(int... updated) {
        StringBuilder s = new StringBuilder("{\"items\":[");
        for (int i = 0; i < updated.length; i++) {
            s.append(i == 0 ? "" : ",").append("{\"id\":\"item-").append(updated[i]).append("\",\"updated\":")
                    .append(updated[i]).append('}');
        }
        return s.append("]}").toString();
    }

    private static List<String> keys(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> TestKafka.text(r.key())).toList();
    }

    private int countSeen(Function<String, Boolean> test) {
        synchronized (seen) {
            return (int) seen.stream().filter(test::apply).count();
        }
    }

    @Test
    void pollsConditionallyWritesEachNewElementOnceAndResumesAfterARestart(TestKafka kafka) {
        String topic = kafka.createTopic("polled", 2);
        String stateTopic = kafka.createTopic("poller-state", 1, Map.of("cleanup.policy", "compact"));
        PollerSettings poller = arrayPoller("items", topic, stateTopic);
        body = items(1, 2, 3);
        etag = "\"v1\"";
        TestGateway gateway = start(kafka, "poll-a", poller);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> Topics.readCommitted(kafka, topic).size() >= 3);
            // unchanged source: conditional requests answered 304, nothing written
            await().atMost(Duration.ofSeconds(30)).until(() -> countSeen(s -> s.startsWith("\"v1\"|")) >= 3);
            assertThat(keys(Topics.readCommitted(kafka, topic))).containsExactlyInAnyOrder("item-1", "item-2", "item-3");
            assertThat(countSeen(s -> s.endsWith("|since=3"))).as("the cursor travels as a query parameter").isPositive();

            body = items(1, 2, 3, 4, 5);
            etag = "\"v2\"";
            await().atMost(Duration.ofSeconds(30)).until(() -> Topics.readCommitted(kafka, topic).size() >= 5);
            await().atMost(Duration.ofSeconds(30)).until(() -> countSeen(s -> s.startsWith("\"v2\"|")) >= 1);
            assertThat(metric(gateway, "wharf.relay.poll.runs", "poller", "items", "result", "not-modified")).isPositive();
        } finally {
            gateway.close();
        }
        // changed while no one was polling
        body = items(1, 2, 3, 4, 5, 6);
        etag = "\"v3\"";
        int before = seen.size();
        TestGateway again = start(kafka, "poll-a", poller);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> Topics.readCommitted(kafka, topic).size() >= 6);
            await().atMost(Duration.ofSeconds(30)).until(() -> countSeen(s -> s.startsWith("\"v3\"|")) >= 2);
            assertThat(seen.get(before)).as("the restarted poller remembered the ETag and the cursor")
                    .isEqualTo("\"v2\"|null|since=5");
            assertThat(keys(Topics.readCommitted(kafka, topic)))
                    .containsExactlyInAnyOrder("item-1", "item-2", "item-3", "item-4", "item-5", "item-6");
        } finally {
            again.close();
        }
        List<ConsumerRecord<byte[], byte[]>> states = Topics.readCommitted(kafka, stateTopic);
        assertThat(TestKafka.text(states.get(states.size() - 1).value())).contains("\"etag\":\"\\\"v3\\\"\"")
                .contains("\"cursor\":6");
    }

    @Test
    void wholeBodyPollerUsesLastModifiedAndWritesOnlyChangedBodies(TestKafka kafka) {
        String topic = kafka.createTopic("polled-body", 1);
        PollerSettings poller = PollerSettings.of("status-page", url(), topic, Duration.ofMillis(150));
        body = "{\"status\":\"green\"}";
        etag = null;
        lastModified = "Wed, 21 Oct 2015 07:28:00 GMT";
        try (TestGateway gateway = start(kafka, "poll-b", poller)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> Topics.readCommitted(kafka, topic).size() >= 1);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> countSeen(s -> s.contains("|Wed, 21 Oct 2015 07:28:00 GMT|")) >= 2);
            // a source without validators sending the same body: the digest keeps it from being written again
            lastModified = null;
            await().atMost(Duration.ofSeconds(30)).until(() -> countSeen(s -> s.startsWith("null|")) >= 5);
            assertThat(Topics.readCommitted(kafka, topic)).hasSize(1);
            body = "{\"status\":\"red\"}";
            await().atMost(Duration.ofSeconds(30)).until(() -> Topics.readCommitted(kafka, topic).size() >= 2);
            // a failing source changes nothing
            status = 503;
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> metric(gateway, "wharf.relay.poll.runs", "poller", "status-page", "result", "failed") >= 2);
            List<ConsumerRecord<byte[], byte[]>> records = Topics.readCommitted(kafka, topic);
            assertThat(records).extracting(r -> TestKafka.text(r.value()))
                    .containsExactly("{\"status\":\"green\"}", "{\"status\":\"red\"}");
            assertThat(TestKafka.text(records.get(0).key())).isEqualTo("status-page");
        }
    }

    @Test
    void onlyOneOfTwoInstancesRunsAPoller(TestKafka kafka) {
        String topic = kafka.createTopic("polled-shared", 1);
        String stateTopic = kafka.createTopic("poller-state-shared", 1, Map.of("cleanup.policy", "compact"));
        PollerSettings poller = arrayPoller("shared-items", topic, stateTopic);
        body = items(10, 20);
        etag = "\"s1\"";
        try (TestGateway a = start(kafka, "poll-x", poller); TestGateway b = start(kafka, "poll-y", poller)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> leaders(a, b) == 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> Topics.readCommitted(kafka, topic).size() >= 2);
            assertThat(leaders(a, b)).isLessThanOrEqualTo(1);
            body = items(10, 20, 30);
            etag = "\"s2\"";
            await().atMost(Duration.ofSeconds(30)).until(() -> Topics.readCommitted(kafka, topic).size() >= 3);
            await().atMost(Duration.ofSeconds(30)).until(() -> countSeen(s -> s.startsWith("\"s2\"|")) >= 3);
            assertThat(leaders(a, b)).isLessThanOrEqualTo(1);
            assertThat(keys(Topics.readCommitted(kafka, topic))).containsExactlyInAnyOrder("item-10", "item-20", "item-30");
        }
    }

    private static int leaders(TestGateway... gateways) {
        int n = 0;
        for (TestGateway g : gateways) {
            var gauge = g.context().metrics().registry().find("wharf.relay.poll.leader").gauge();
            n += gauge == null ? 0 : (int) gauge.value();
        }
        return n;
    }

    private static double metric(TestGateway gateway, String name, String... tags) {
        var c = gateway.context().metrics().registry().find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }
}
