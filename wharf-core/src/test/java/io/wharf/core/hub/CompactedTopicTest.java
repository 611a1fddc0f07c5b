package io.wharf.core.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.wharf.core.config.HubSettings;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/** Compacted topics: the latest value per key first (tombstones remove keys), a SnapshotEnd, then live; conflation of laggards. */
class CompactedTopicTest extends HubTestBase {
    private static final Map<String, String> COMPACTED = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.CLEANUP_POLICY_COMPACT);

    /** Ten keys, three values each, keys k3 and k7 then deleted; returns the expected view. */
    private static Map<String, String> writeHistory(String topic, int partitions) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int round = 1; round <= 3; round++) {
            for (int k = 0; k < 10; k++) {
                records.add(record(topic, k % partitions, "k" + k, "k" + k + "-v" + round));
            }
        }
        records.add(record(topic, 3 % partitions, "k3", null));
        records.add(record(topic, 7 % partitions, "k7", null));
        produce(records);
        Map<String, String> view = new HashMap<>();
        for (int k = 0; k < 10; k++) {
            if (k != 3 && k != 7) {
                view.put("k" + k, "k" + k + "-v3");
            }
        }
        return view;
    }

    /** The events before the SnapshotEnd, as key to value, insisting each key appears once with a value. */
    private static Map<String, String> snapshotOf(List<HubEvent> events) {
        Map<String, String> snapshot = new LinkedHashMap<>();
        for (HubEvent e : events) {
            if (e instanceof HubEvent.SnapshotEnd) {
                return snapshot;
            }
            HubEvent.Record r = (HubEvent.Record) e;
            assertThat(r.value()).as("no tombstone in a snapshot").isNotNull();
            assertThat(snapshot.put(text(r.key()), text(r.value()))).as("one value per key").isNull();
        }
        throw new AssertionError("no SnapshotEnd in " + events);
    }

    private static List<HubEvent> afterSnapshot(List<HubEvent> events) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) instanceof HubEvent.SnapshotEnd) {
                return events.subList(i + 1, events.size());
            }
        }
        return List.of();
    }

    private static void awaitSnapshotEnd(RecordingSubscriber s) {
        await().atMost(WAIT).until(() -> s.events().stream().anyMatch(e -> e instanceof HubEvent.SnapshotEnd));
    }

    @Test
    void aNewSubscriberGetsTheLatestValueOfEveryKeyThenSnapshotEndThenLiveRecords() {
        String topic = kafka.createTopic("hub-compact", 2, COMPACTED);
        Map<String, String> view = writeHistory(topic, 2);
        KafkaTopicHub hub = hub();

        RecordingSubscriber first = subscribe(hub, topic, new StartPosition.Live());
        awaitSnapshotEnd(first);
        assertThat(snapshotOf(first.events())).isEqualTo(view);
        HubEvent.SnapshotEnd end = (HubEvent.SnapshotEnd) first.events().stream()
                .filter(e -> e instanceof HubEvent.SnapshotEnd).findFirst().orElseThrow();
        // partition 0 holds the even keys (15 records), partition 1 the odd ones and both tombstones (17)
        assertThat(end.next().nextOffsets()).isEqualTo(Map.of(0, 15L, 1, 17L));

        produce(List.of(record(topic, 0, "k0", "k0-v4"), record(topic, 1, "k1", null)));
        await().atMost(WAIT).until(() -> afterSnapshot(first.events()).size() == 2);
        List<HubEvent> live = afterSnapshot(first.events());
        assertThat(live).extracting(e -> text(((HubEvent.Record) e).key())).containsExactlyInAnyOrder("k0", "k1");
        assertThat(live).extracting(e -> text(((HubEvent.Record) e).value())).containsExactlyInAnyOrder("k0-v4", null);

        // a later subscriber sees the view as it is now, served from the cache without another Kafka read
        RecordingSubscriber late = subscribe(hub, topic, new StartPosition.Earliest());
        awaitSnapshotEnd(late);
        Map<String, String> now = new HashMap<>(view);
        now.put("k0", "k0-v4");
        now.remove("k1");
        assertThat(snapshotOf(late.events())).isEqualTo(now);
        assertThat(hub.stats().catchUpRecordsIn()).isZero();
        assertThat(hub.stats().sharedReaders()).isEqualTo(2);
    }

    @Test
    void aSnapshotBeyondTheCacheIsReadFromKafkaWithTheKeyIndexAndHandsOverToTheCache() {
        String topic = kafka.createTopic("hub-compact-big", 1, COMPACTED);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        String pad = "x".repeat(200);
        for (int round = 0; round < 20; round++) {
            for (int k = 0; k < 20; k++) {
                records.add(record(topic, 0, "k" + k, "k" + k + "-v" + round + pad));
            }
        }
        records.add(record(topic, 0, "k5", null));
        produce(records);
        // a cache of ~16 records: the snapshot of 401 must come from Kafka
        KafkaTopicHub hub = hub(HubSettings.defaults().withCache(16 * 330, Duration.ofMinutes(5), 1 << 20));

        RecordingSubscriber s = subscribe(hub, topic, new StartPosition.Earliest());
        awaitSnapshotEnd(s);
        Map<String, String> snapshot = snapshotOf(s.events());
        assertThat(snapshot).hasSize(19).doesNotContainKey("k5");
        snapshot.forEach((k, v) -> assertThat(v).isEqualTo(k + "-v19" + pad));
        assertThat(hub.stats().catchUpRecordsIn()).isPositive();
        await().atMost(WAIT).until(() -> hub.stats().catchUpReaders() == 0);

        produce(List.of(record(topic, 0, "k1", "fresh")));
        await().atMost(WAIT).until(() -> afterSnapshot(s.events()).size() == 1);
        assertThat(text(((HubEvent.Record) afterSnapshot(s.events()).get(0)).value())).isEqualTo("fresh");
    }

    @Test
    void pastTheKeyIndexLimitASnapshotBeyondTheCacheReplaysEveryRecordAndStillEndsRight() {
        String topic = kafka.createTopic("hub-compact-noindex", 1, COMPACTED);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int round = 0; round < 10; round++) {
            for (int k = 0; k < 10; k++) {
                records.add(record(topic, 0, "k" + k, "v" + round + "x".repeat(200)));
            }
        }
        records.add(record(topic, 0, "k2", null));
        produce(records);
        KafkaTopicHub hub = hub(HubSettings.defaults().withCache(10 * 330, Duration.ofMinutes(5), 1 << 20)
                .withKeyIndexMaxBytes(1));

        RecordingSubscriber s = subscribe(hub, topic, new StartPosition.Earliest());
        awaitSnapshotEnd(s);
        Map<String, String> applied = new HashMap<>();
        int delivered = 0;
        for (HubEvent e : s.events()) {
            if (e instanceof HubEvent.SnapshotEnd) {
                break;
            }
            HubEvent.Record r = (HubEvent.Record) e;
            delivered++;
            if (r.value() == null) {
                applied.remove(text(r.key()));
            } else {
                applied.put(text(r.key()), text(r.value()).substring(0, 2));
            }
        }
        assertThat(delivered).as("a full replay, not one value per key").isGreaterThan(10);
        Map<String, String> expected = new HashMap<>();
        for (int k = 0; k < 10; k++) {
            if (k != 2) {
                expected.put("k" + k, "v9");
            }
        }
        assertThat(applied).isEqualTo(expected);
    }

    @Test
    void aLaggingSubscriberIsConflatedToTheLatestValueOfEachKeyAndTheCountSaysSo() {
        String topic = kafka.createTopic("hub-conflate", 1, COMPACTED);
        KafkaTopicHub hub = hub();
        // the queue is the bound: behind by more than it, a subscriber of a compacted topic is conflated
        RecordingSubscriber keeping = subscribe(hub, new SubscriptionRequest(topic, null, new StartPosition.Live(),
                null, 100_000));
        RecordingSubscriber lagging = subscribe(hub, new SubscriptionRequest(topic, null, new StartPosition.Live(),
                null, 10));
        awaitSnapshotEnd(keeping);
        awaitSnapshotEnd(lagging);
        lagging.pause();

        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int round = 0; round < 50; round++) {
            for (int k = 0; k < 20; k++) {
                records.add(record(topic, 0, "k" + k, String.valueOf(round)));
            }
        }
        produce(records);
        await().atMost(WAIT).until(() -> hub.stats().sharedRecordsIn() == 1000);
        awaitRecords(keeping, 1000);
        lagging.resume();
        await().atMost(WAIT).until(() -> lagging.recordCount() == 20);

        // the subscriber that kept up got every record; the laggard skipped superseded values only
        assertThat(keeping.recordCount()).isEqualTo(1000);
        Map<String, String> latest = new HashMap<>();
        for (HubEvent.Record r : lagging.records()) {
            assertThat(latest.put(text(r.key()), text(r.value()))).isNull();
        }
        assertThat(latest).hasSize(20).allSatisfy((k, v) -> assertThat(v).isEqualTo("49"));
        assertThat(hub.stats().conflated()).isEqualTo(980);
        assertThat(hub.stats().gaps()).isZero();
        // and its position still covers everything: nothing is re-sent, nothing is owed
        assertThat(lagging.subscription().position().nextOffsets()).isEqualTo(Map.of(0, 1000L));
    }
}
