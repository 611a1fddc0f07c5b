package io.wharf.relay;

import static io.wharf.relay.Routes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.wharf.relay.config.RelaySettings;
import io.wharf.relay.config.WebhookRouteSettings;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Webhook routes against the real broker and a real HTTP endpoint. One gateway runs every route of
 * this class (each with its own topics and endpoint path), so the consumer groups join once.
 */
@ExtendWith(SharedKafka.class)
class WebhookRouteTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static TestKafka kafka;
    private static LedgerEndpoint endpoint;
    private static TestGateway gateway;
    private static final Map<String, String> topics = new HashMap<>();

    @BeforeAll
    static void startGateway() throws Exception {
        kafka = SharedKafka.get();
        endpoint = LedgerEndpoint.start();
        for (String name : List.of("order", "many", "retry", "throttle", "reject", "exhaust", "respond", "respond-out",
                "headers", "own-key", "bounded", "dlt")) {
            topics.put(name, kafka.createTopic("relay-" + name, name.equals("order") || name.equals("many") ? 1 : 2));
        }
        String dlt = topics.get("dlt");
        List<WebhookRouteSettings> routes = List.of(
                route("order", topics.get("order"), endpoint.url("/order"), dlt).with("maxInFlight", 50).build(),
                route("many", topics.get("many"), endpoint.url("/many"), dlt).with("maxInFlight", 1000).build(),
                route("retry", topics.get("retry"), endpoint.url("/retry"), dlt)
                        .retry(10, Duration.ofMillis(300), Duration.ofSeconds(1)).build(),
                route("throttle", topics.get("throttle"), endpoint.url("/throttle"), dlt)
                        .retry(10, Duration.ofMillis(10), Duration.ofMillis(10)).build(),
                route("reject", topics.get("reject"), endpoint.url("/reject"), dlt).build(),
                route("exhaust", topics.get("exhaust"), endpoint.url("/exhaust"), dlt)
                        .retry(3, Duration.ofMillis(10), Duration.ofMillis(20)).build(),
                route("respond", topics.get("respond"), endpoint.url("/respond"), dlt)
                        .with("responseTopic", topics.get("respond-out")).build(),
                route("headers", topics.get("headers"), endpoint.url("/headers"), dlt).with("method", "PUT")
                        .with("headers", Map.of("Authorization", "Bearer s3cret", "Content-Type", "application/json")).build(),
                route("own-key", topics.get("own-key"), endpoint.url("/own-key"), dlt).with("idempotencyKeyHeader", "event-id")
                        .build(),
                route("bounded", topics.get("bounded"), endpoint.url("/bounded"), dlt).with("maxInFlight", 10).with("maxBuffered", 50)
                        .build());
        gateway = TestGateway.builder().kafka(kafka).with(RelaySettings.class, new RelaySettings("route-test", routes, null))
                .start();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (endpoint != null) {
            endpoint.close();
        }
    }

    @Test
    void keepsEachKeyInOffsetOrderAndNeverOverlapsAKeyWhileKeysRunConcurrently() {
        LedgerEndpoint.Ledger ledger = endpoint.ledger("/order");
        ledger.script = r -> LedgerEndpoint.Plan.okAfter(ThreadLocalRandom.current().nextInt(0, 25));
        int keys = 20;
        int perKey = 40;
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            for (int seq = 0; seq < perKey; seq++) {
                for (int k = 0; k < keys; k++) {
                    producer.send(record(topics.get("order"), "k" + k, Integer.toString(seq)));
                }
            }
        }
        await().atMost(WAIT).until(() -> ledger.effects().size() >= keys * perKey);
        Map<String, List<Integer>> byKey = new HashMap<>();
        for (LedgerEndpoint.Request r : ledger.effects()) {
            byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(Integer.parseInt(r.text()));
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < perKey; i++) {
            expected.add(i);
        }
        assertThat(byKey).hasSize(keys);
        byKey.values().forEach(seqs -> assertThat(seqs).isEqualTo(expected));
        assertThat(ledger.keyOverlaps.get()).as("two events of one key at the endpoint at once").isZero();
        assertThat(ledger.peakInFlight.get()).as("different keys in flight together").isGreaterThan(1);
        assertThat(ledger.requests()).hasSize(keys * perKey);
    }

    @Test
    void manyKeysAreInFlightTogether() {
        LedgerEndpoint.Ledger ledger = endpoint.ledger("/many");
        // no answer goes out until 200 different keys are open at the endpoint at once
        CompletableFuture<Void> gate = new CompletableFuture<>();
        gate.completeOnTimeout(null, 30, TimeUnit.SECONDS);
        AtomicInteger arrived = new AtomicInteger();
        ledger.script = r -> {
            if (arrived.incrementAndGet() >= 200) {
                gate.complete(null);
            }
            return LedgerEndpoint.Plan.okWhen(gate);
        };
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            for (int k = 0; k < 600; k++) {
                producer.send(record(topics.get("many"), "key-" + k, "v" + k));
            }
        }
        await().atMost(WAIT).until(() -> ledger.effects().size() >= 600);
        assertThat(ledger.peakInFlight.get()).as("calls open at the endpoint at one time").isGreaterThanOrEqualTo(200);
        assertThat(ledger.effects().stream().map(LedgerEndpoint.Request::key).distinct().count()).isEqualTo(600);
    }

    @Test
    void retriesWithTheSameIdempotencyKeyAndBlocksOnlyThatKey() {
        LedgerEndpoint.Ledger ledger = endpoint.ledger("/retry");
        ConcurrentHashMap<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        ledger.script = r -> r.key().equals("flaky") && seen.computeIfAbsent(r.idempotencyKey(),
                k -> new AtomicInteger()).incrementAndGet() <= 2
                ? LedgerEndpoint.Plan.reject(503) : LedgerEndpoint.Plan.ok();
        String topic = topics.get("retry");
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(topic, 0, bytes("flaky"), bytes("first")));
            producer.send(new ProducerRecord<>(topic, 0, bytes("flaky"), bytes("second")));
            producer.send(new ProducerRecord<>(topic, 0, bytes("steady"), bytes("other")));
        }
        await().atMost(WAIT).until(() -> ledger.effects().size() >= 3);
        List<LedgerEndpoint.Request> flaky = ledger.requests().stream().filter(r -> r.key().equals("flaky")).toList();
        List<LedgerEndpoint.Request> firstEvent = flaky.stream().filter(r -> r.text().equals("first")).toList();
        assertThat(firstEvent).extracting(LedgerEndpoint.Request::attempt).containsExactly(1, 2, 3);
        assertThat(firstEvent).extracting(LedgerEndpoint.Request::idempotencyKey).containsOnly(firstEvent.get(0).idempotencyKey());
        assertThat(ledger.effects()).extracting(LedgerEndpoint.Request::text).containsSubsequence("first", "second");
        // the other key went through while "flaky" waited for its retries
        List<String> order = ledger.requests().stream().map(LedgerEndpoint.Request::text).toList();
        assertThat(order.indexOf("other")).isLessThan(order.lastIndexOf("first"));
        assertThat(metric("wharf.relay.retries", "route", "retry", "cause", "5xx")).isGreaterThanOrEqualTo(4);
    }

    @Test
    void honoursRetryAfterOn429() {
        LedgerEndpoint.Ledger ledger = endpoint.ledger("/throttle");
        AtomicInteger calls = new AtomicInteger();
        ledger.script = r -> calls.incrementAndGet() == 1
                ? LedgerEndpoint.Plan.reject(429, Map.of("Retry-After", "1")) : LedgerEndpoint.Plan.ok();
        kafka.send(topics.get("throttle"), "t", "throttled");
        await().atMost(WAIT).until(() -> ledger.effects().size() >= 1);
        List<LedgerEndpoint.Request> requests = ledger.requests();
        assertThat(requests).hasSize(2);
        assertThat(requests.get(1).idempotencyKey()).isEqualTo(requests.get(0).idempotencyKey());
        // the route's own backoff is 10 ms: only Retry-After explains a wait of a second
        assertThat(Duration.ofNanos(requests.get(1).receivedNanos() - requests.get(0).receivedNanos()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(metric("wharf.relay.retries", "route", "throttle", "cause", "429")).isEqualTo(1);
    }

    @Test
    void sendsTerminal4xxToTheDeadLetterTopicAndMovesOnWithTheKey() {
        LedgerEndpoint.Ledger ledger = endpoint.ledger("/reject");
        ledger.script = r -> r.text().startsWith("poison") ? LedgerEndpoint.Plan.reject(422) : LedgerEndpoint.Plan.ok();
        String topic = topics.get("reject");
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            ProducerRecord<byte[], byte[]> poison = new ProducerRecord<>(topic, 1, bytes("p"), bytes("poison-1"));
            poison.headers().add("trace", bytes("abc"));
            producer.send(poison);
            producer.send(new ProducerRecord<>(topic, 1, bytes("p"), bytes("after-poison")));
        }
        await().atMost(WAIT).until(() -> ledger.effects().size() >= 1);
        assertThat(ledger.effects()).extracting(LedgerEndpoint.Request::text).containsExactly("after-poison");
        assertThat(ledger.requests().stream().filter(r -> r.text().equals("poison-1")).count()).isEqualTo(1);
        ConsumerRecord<byte[], byte[]> dead = deadLetter("poison-1");
        assertThat(header(dead, "wharf-source-topic")).isEqualTo(topic);
        assertThat(header(dead, "wharf-source-partition")).isEqualTo("1");
        assertThat(header(dead, "wharf-source-offset")).isEqualTo("0");
        assertThat(header(dead, "wharf-attempts")).isEqualTo("1");
        assertThat(header(dead, "wharf-last-status")).isEqualTo("422");
        assertThat(header(dead, "wharf-reason")).startsWith("422");
        assertThat(header(dead, "trace")).isEqualTo("abc");
        assertThat(TestKafka.text(dead.key())).isEqualTo("p");
    }

    @Test
    void deadLettersAnEventWhoseRetriesRunOut() {
        LedgerEndpoint.Ledger ledger = endpoint.ledger("/exhaust");
        ledger.script = r -> LedgerEndpoint.Plan.reject(503);
        kafka.send(topics.get("exhaust"), "x", "always-503");
        ConsumerRecord<byte[], byte[]> dead = deadLetter("always-503");
        assertThat(header(dead, "wharf-attempts")).isEqualTo("3");
        assertThat(header(dead, "wharf-last-status")).isEqualTo("503");
        assertThat(header(dead, "wharf-reason")).startsWith("gave up after 3 attempts");
        assertThat(ledger.requests()).hasSize(3);
        assertThat(ledger.effects()).isEmpty();
    }

    @Test
    void writesEachResponseOnceToTheResponseTopic() {
        LedgerEndpoint.Ledger ledger = endpoint.ledger("/respond");
        AtomicInteger calls = new AtomicInteger();
        // every fifth call is applied but answered 500: the retry gets the stored answer
        ledger.script = r -> calls.incrementAndGet() % 5 == 0 ? LedgerEndpoint.Plan.applyThen(500, 0)
                : LedgerEndpoint.Plan.ok();
        String topic = topics.get("respond");
        int n = 200;
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            for (int i = 0; i < n; i++) {
                producer.send(record(topic, "r" + (i % 17), "event-" + i));
            }
        }
        await().atMost(WAIT).until(() -> ledger.effects().size() >= n);
        List<ConsumerRecord<byte[], byte[]>> responses = kafka.readAll(topics.get("respond-out"), n + 1,
                Duration.ofSeconds(8));
        assertThat(responses).hasSize(n);
        Set<String> sources = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : responses) {
            assertThat(sources.add(header(r, "wharf-source-partition") + "/" + header(r, "wharf-source-offset"))).isTrue();
            assertThat(header(r, "wharf-status")).isEqualTo("200");
            assertThat(TestKafka.text(r.value())).isEqualTo("done:" + header(r, "wharf-idempotency-key"));
        }
        assertThat(ledger.deduplicated.get()).as("retries answered from the endpoint's store").isPositive();
    }

    @Test
    void carriesKeyTopicPartitionOffsetAndHeadersAsHttpHeaders() {
        LedgerEndpoint.Ledger ledger = endpoint.ledger("/headers");
        String topic = topics.get("headers");
        ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(topic, 1, 1_700_000_000_000L, bytes("user-7"),
                bytes("{\"a\":1}"), List.<Header>of(new RecordHeader("trace id", bytes("t-1")),
                        new RecordHeader("bin", new byte[] {0, (byte) 0xff})));
        kafka.send(rec);
        ProducerRecord<byte[], byte[]> binaryKey = new ProducerRecord<>(topic, 1, new byte[] {1, 2, (byte) 0x80}, null);
        kafka.send(binaryKey);
        await().atMost(WAIT).until(() -> ledger.effects().size() >= 2);
        LedgerEndpoint.Request r = ledger.effects().get(0);
        assertThat(r.text()).isEqualTo("{\"a\":1}");
        assertThat(r.header("Wharf-Key")).isEqualTo("user-7");
        assertThat(r.header("Wharf-Topic")).isEqualTo(topic);
        assertThat(r.header("Wharf-Partition")).isEqualTo("1");
        assertThat(r.header("Wharf-Offset")).isEqualTo("0");
        assertThat(r.header("Wharf-Timestamp")).isEqualTo("1700000000000");
        assertThat(r.header("Wharf-Attempt")).isEqualTo("1");
        assertThat(r.header("Wharf-Header-trace%20id")).isEqualTo("t-1");
        assertThat(r.header("Wharf-Header64-bin")).isEqualTo("AP8=");
        assertThat(r.header("Idempotency-Key")).isEqualTo("wharf:wharf-relay-headers:" + topic + ":1:0");
        assertThat(r.header("Authorization")).isEqualTo("Bearer s3cret");
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        LedgerEndpoint.Request tombstone = ledger.effects().get(1);
        assertThat(tombstone.header("Wharf-Key-Base64")).isEqualTo("AQKA");
        assertThat(tombstone.header("Wharf-Null-Value")).isEqualTo("true");
        assertThat(tombstone.body()).isEmpty();
        assertThat(ledger.requests()).allSatisfy(q -> assertThat(q.headers()).containsKey("idempotency-key"));
    }

    @Test
    void takesTheIdempotencyKeyFromAConfiguredRecordHeader() {
        LedgerEndpoint.Ledger ledger = endpoint.ledger("/own-key");
        String topic = topics.get("own-key");
        ProducerRecord<byte[], byte[]> withKey = new ProducerRecord<>(topic, 0, bytes("a"), bytes("one"));
        withKey.headers().add("event-id", bytes("evt-42"));
        kafka.send(withKey);
        kafka.send(new ProducerRecord<>(topic, 0, bytes("a"), bytes("two")));
        await().atMost(WAIT).until(() -> ledger.effects().size() >= 2);
        assertThat(ledger.effects().get(0).idempotencyKey()).isEqualTo("evt-42");
        assertThat(ledger.effects().get(1).idempotencyKey()).isEqualTo("wharf:wharf-relay-own-key:" + topic + ":0:1");
    }

    @Test
    void holdsNoMoreThanItsBufferBoundAndPausesThePartitionMeanwhile() throws Exception {
        LedgerEndpoint.Ledger ledger = endpoint.ledger("/bounded");
        ledger.script = r -> LedgerEndpoint.Plan.okAfter(10);
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            for (int i = 0; i < 600; i++) {
                producer.send(new ProducerRecord<>(topics.get("bounded"), 0, bytes("b" + (i % 40)), bytes("v" + i)));
            }
        }
        AtomicInteger maxBuffered = new AtomicInteger();
        AtomicInteger pausedSeen = new AtomicInteger();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                maxBuffered.accumulateAndGet((int) gauge("wharf.relay.buffered", "bounded"), Math::max);
                pausedSeen.accumulateAndGet((int) gauge("wharf.relay.paused.partitions", "bounded"), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
        try {
            await().atMost(WAIT).until(() -> ledger.effects().size() >= 600);
        } finally {
            sampler.interrupt();
            sampler.join();
        }
        // the bound (50) plus at most one poll's worth of records (max.poll.records is 50 here)
        assertThat(maxBuffered.get()).isPositive().isLessThanOrEqualTo(100);
        assertThat(pausedSeen.get()).as("partitions were paused while the buffer was full").isPositive();
        assertThat(ledger.peakInFlight.get()).isLessThanOrEqualTo(10);
    }

    private static double gauge(String name, String route) {
        var g = gateway.context().metrics().registry().find(name).tag("route", route).gauge();
        return g == null ? 0 : g.value();
    }

    private static ConsumerRecord<byte[], byte[]> deadLetter(String value) {
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            found.clear();
            kafka.readAll(topics.get("dlt"), Integer.MAX_VALUE, Duration.ofSeconds(1)).stream()
                    .filter(r -> value.equals(TestKafka.text(r.value()))).forEach(found::add);
            return !found.isEmpty();
        });
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private static double metric(String name, String... tags) {
        var search = gateway.context().metrics().registry().find(name).tags(tags);
        return search.counter() == null ? -1 : search.counter().count();
    }

    static ProducerRecord<byte[], byte[]> record(String topic, String key, String value) {
        return new ProducerRecord<>(topic, bytes(key), bytes(value));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
