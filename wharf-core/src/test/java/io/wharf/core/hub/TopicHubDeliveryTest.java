package io.wharf.core.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import io.wharf.core.kafka.UnknownTopicException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Ordering, the merged stream, every start position, resume tokens, and requests the hub refuses. */
class TopicHubDeliveryTest extends HubTestBase {

    @Test
    void mergedStreamKeepsEachPartitionInOffsetOrderAndCarriesTheTokenAfterEveryRecord() {
        String topic = kafka.createTopic("hub-order", 3);
        produceValues(topic, 3, 0, 600);
        KafkaTopicHub hub = hub();
        Subscription s = hub.subscribe(SubscriptionRequest.of(topic, new StartPosition.Earliest()), quietListener());
        // once every shared reader holds its partition, one poll takes from each partition in turn
        await().atMost(WAIT).until(() -> hub.stats().sharedRecordsIn() == 600);
        List<HubEvent> firstPoll = s.poll(30);
        assertThat(firstPoll.stream().map(e -> ((HubEvent.Record) e).partition()).distinct()).hasSize(3);
        List<HubEvent.Record> records = new ArrayList<>();
        firstPoll.forEach(e -> records.add((HubEvent.Record) e));
        await().atMost(WAIT).until(() -> {
            s.poll(37).forEach(e -> records.add((HubEvent.Record) e));
            return records.size() >= 600;
        });

        assertThat(records).hasSize(600);
        Map<Integer, Long> expectedNext = new HashMap<>(Map.of(0, 0L, 1, 0L, 2, 0L));
        Set<String> values = new HashSet<>();
        for (HubEvent.Record r : records) {
            assertThat(r.topic()).isEqualTo(topic);
            assertThat(r.offset()).as("partition %d in offset order without holes", r.partition())
                    .isEqualTo(expectedNext.get(r.partition()));
            expectedNext.put(r.partition(), r.offset() + 1);
            // the token after a record: this partition moved past it, every other one where the stream is
            assertThat(r.next().nextOffsets()).isEqualTo(expectedNext);
            values.add(text(r.value()));
            assertThat(text(r.key())).isEqualTo("k" + text(r.value()).substring(1));
        }
        assertThat(values).hasSize(600);
        assertThat(expectedNext).isEqualTo(Map.of(0, 200L, 1, 200L, 2, 200L));
        assertThat(s.position().nextOffsets()).isEqualTo(expectedNext);
        assertThat(s.poll(10)).isEmpty();
    }

    @Test
    void everyStartPositionStartsWhereItSays() throws Exception {
        String topic = kafka.createTopic("hub-start", 2);
        long t0 = System.currentTimeMillis() - 60_000;
        List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            for (int i = 0; i < 10; i++) {
                batch.add(new ProducerRecord<>(topic, p, t0 + i * 1_000L, ("k" + i).getBytes(),
                        ("p" + p + "-" + i).getBytes()));
            }
        }
        produce(batch);
        KafkaTopicHub hub = hub();

        RecordingSubscriber earliest = subscribe(hub, topic, new StartPosition.Earliest());
        RecordingSubscriber atOffset = subscribe(hub, topic, new StartPosition.AtOffset(5));
        RecordingSubscriber atTime = subscribe(hub, topic, new StartPosition.AtTimestamp(t0 + 7_000));
        RecordingSubscriber fromToken = subscribe(hub, topic,
                new StartPosition.FromToken(new ResumeToken(Map.of(0, 3L, 1, 8L))));
        RecordingSubscriber onePartition = subscribe(hub, new SubscriptionRequest(topic, Set.of(1),
                new StartPosition.Earliest(), List.of(), 0));
        RecordingSubscriber live = subscribe(hub, topic, new StartPosition.Live());
        awaitAttached(live, 2);
        assertThat(live.subscription().position().nextOffsets()).isEqualTo(Map.of(0, 10L, 1, 10L));
        produce(List.of(record(topic, 0, "late", "p0-10"), record(topic, 1, "late", "p1-10")));

        awaitRecords(earliest, 22);
        awaitRecords(atOffset, 12);
        awaitRecords(atTime, 8);
        awaitRecords(fromToken, 11);
        awaitRecords(onePartition, 11);
        awaitRecords(live, 2);
        assertThat(sorted(earliest)).isEqualTo(range(0, 0, 10, 1, 0, 10));
        assertThat(sorted(atOffset)).isEqualTo(range(0, 5, 10, 1, 5, 10));
        assertThat(sorted(atTime)).isEqualTo(range(0, 7, 10, 1, 7, 10));
        assertThat(sorted(fromToken)).isEqualTo(range(0, 3, 10, 1, 8, 10));
        assertThat(sorted(onePartition)).isEqualTo(range(1, 0, 10, 1, 0, -1));
        assertThat(sorted(live)).containsExactly("p0-10", "p1-10");
        assertThat(onePartition.subscription().position().nextOffsets()).isEqualTo(Map.of(1, 11L));
        // every late joiner was served by the same two shared readers, from their cache
        assertThat(hub.stats().sharedReaders()).isEqualTo(2);
        assertThat(hub.stats().catchUpRecordsIn()).isZero();
    }

    @Test
    void resumingFromATokenOnAFreshHubYieldsExactlyTheRecordsAfterIt() {
        String topic = kafka.createTopic("hub-resume", 3);
        produceValues(topic, 3, 0, 100);
        List<HubEvent.Record> before = new ArrayList<>();
        ResumeToken token;
        try (KafkaTopicHub first = KafkaTopicHub.start(access, io.wharf.core.config.HubSettings.defaults(),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry())) {
            Subscription s = first.subscribe(SubscriptionRequest.of(topic, new StartPosition.Earliest()), quietListener());
            await().atMost(WAIT).until(() -> {
                for (HubEvent e : s.poll(40 - before.size())) {
                    before.add((HubEvent.Record) e);
                }
                return before.size() == 40;
            });
            token = before.get(39).next();
            assertThat(s.position()).isEqualTo(token);
        }
        produceValues(topic, 3, 100, 50);

        // the token travels as text (an SSE id, a URL parameter) to another instance
        String text = token.encode();
        assertThat(text).matches("[A-Za-z0-9_-]+");
        RecordingSubscriber resumed = subscribe(hub(), topic, new StartPosition.FromToken(ResumeToken.decode(text)));
        awaitRecords(resumed, 110);

        Set<String> seen = new HashSet<>();
        for (HubEvent.Record r : before) {
            assertThat(seen.add(r.partition() + "/" + r.offset())).isTrue();
        }
        Map<Integer, Long> firstAfter = new HashMap<>();
        for (HubEvent.Record r : resumed.records()) {
            assertThat(seen.add(r.partition() + "/" + r.offset())).as("no repeat of %s", r).isTrue();
            firstAfter.putIfAbsent(r.partition(), r.offset());
        }
        assertThat(seen).hasSize(150);
        assertThat(firstAfter).isEqualTo(token.nextOffsets());
        assertThat(resumed.recordCount()).isEqualTo(110);
    }

    @Test
    void aMissingTopicEndsTheSubscriptionThroughTheListener() {
        KafkaTopicHub hub = hub();
        RecordingSubscriber s = subscribe(hub, "no-such-topic-" + System.nanoTime(), new StartPosition.Live());
        await().atMost(WAIT).until(() -> s.closedCause() != null);
        assertThat(s.closedCause()).isInstanceOf(UnknownTopicException.class);
        assertThat(s.subscription().poll(10)).isEmpty();
        await().atMost(WAIT).until(() -> hub.stats().subscribers() == 0);
    }

    @Test
    void aPartitionTheTopicDoesNotHaveEndsTheSubscriptionNamingTheRange() {
        String topic = kafka.createTopic("hub-bad-partition", 2);
        RecordingSubscriber s = subscribe(hub(), new SubscriptionRequest(topic, Set.of(5), new StartPosition.Live(),
                List.of(), 0));
        await().atMost(WAIT).until(() -> s.closedCause() != null);
        assertThat(s.closedCause()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("partitions 0-1, not 5");
        RecordingSubscriber badToken = subscribe(hub(), topic,
                new StartPosition.FromToken(new ResumeToken(Map.of(0, 1L, 7, 3L))));
        await().atMost(WAIT).until(() -> badToken.closedCause() != null);
        assertThat(badToken.closedCause()).hasMessageContaining("names partition 7");
    }

    @Test
    void malformedRequestsAreRefusedAtOnce() {
        KafkaTopicHub hub = hub();
        HubListener listener = quietListener();
        assertThatThrownBy(() -> hub.subscribe(new SubscriptionRequest("t", Set.of(-1), null, null, 0), listener))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> hub.subscribe(SubscriptionRequest.of("t", new StartPosition.AtOffset(-3)), listener))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-3");
        List<RecordFilter> tooMany = IntStream.range(0, 65)
                .mapToObj(i -> RecordFilter.of(new RecordFilter.KeyEquals(new byte[] {(byte) i}))).toList();
        assertThatThrownBy(() -> hub.subscribe(new SubscriptionRequest("t", Set.of(), null, tooMany, 0), listener))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 64 filters");
        assertThatThrownBy(() -> hub.subscribe(new SubscriptionRequest("t", Set.of(), null, List.of(), -1), listener))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queue capacity");
        assertThatThrownBy(() -> ResumeToken.decode("not a token!")).isInstanceOf(IllegalArgumentException.class);
        hub.close();
        assertThatThrownBy(() -> hub.subscribe(SubscriptionRequest.of("t", null), listener))
                .isInstanceOf(HubClosedException.class);
    }

    @Test
    void closingTheHubEndsEverySubscriptionAndEveryReader() {
        String topic = kafka.createTopic("hub-close", 2);
        KafkaTopicHub hub = hub();
        RecordingSubscriber s = subscribe(hub, topic, new StartPosition.Live());
        awaitAttached(s, 2);
        await().atMost(WAIT).until(() -> hub.stats().sharedReaders() == 2);
        hub.close();
        assertThat(s.closedCause()).isInstanceOf(HubClosedException.class);
        assertThat(hub.stats().sharedReaders()).isZero();
        assertThat(hub.stats().subscribers()).isZero();
    }

    @Test
    void aDeletedTopicEndsItsSubscriptions() {
        String topic = kafka.createTopic("hub-deleted", 1);
        KafkaTopicHub hub = hub();
        RecordingSubscriber s = subscribe(hub, topic, new StartPosition.Live());
        awaitAttached(s, 1);
        kafka.deleteTopics(Set.of(topic));
        await().atMost(WAIT).until(() -> s.closedCause() != null);
        assertThat(s.closedCause()).isInstanceOf(UnknownTopicException.class);
        await().atMost(WAIT).until(() -> hub.stats().sharedReaders() == 0);
    }

    static HubListener quietListener() {
        return new HubListener() {
            @Override
            public void eventsAvailable(Subscription subscription) {
            }

            @Override
            public void closed(Subscription subscription, Throwable cause) {
            }
        };
    }

    private static List<String> sorted(RecordingSubscriber s) {
        return s.values().stream().sorted().toList();
    }

    /** Values "p{p}-{i}" for partition a's [fromA, toA] and partition b's [fromB, toB] (inclusive), sorted. */
    private static List<String> range(int a, int fromA, int toA, int b, int fromB, int toB) {
        List<String> out = new ArrayList<>();
        for (int i = fromA; i <= toA; i++) {
            out.add("p" + a + "-" + i);
        }
        for (int i = fromB; i <= toB; i++) {
            out.add("p" + b + "-" + i);
        }
        return out.stream().sorted().toList();
    }
}
