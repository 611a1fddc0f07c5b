package io.wharf.core.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.wharf.core.config.HubSettings;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/**
 * Subscribers that fall behind: they catch up from Kafka and rejoin the shared read without loss or
 * repeat, are told of every record Kafka deleted before they got it, and never hold more than their
 * queue or slow anyone else down.
 */
class SlowSubscriberTest extends HubTestBase {
    private static final String PAD = "x".repeat(200);
    /** About 50 records of ~330 heap bytes per partition. */
    private static final long SMALL_CACHE = 16 * 1024;

    private static HubSettings smallCache(long cap) {
        return HubSettings.defaults().withCache(SMALL_CACHE, Duration.ofMinutes(5), cap);
    }

    private static void producePadded(String topic, int partitions, int from, int count) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            records.add(record(topic, i % partitions, "k" + i, i + ":" + PAD));
        }
        produce(records);
    }

    /** Asserts the subscriber got exactly offsets [from, to) of each partition, each once, in order. */
    private static void assertExactly(RecordingSubscriber s, int partitions, long from, long to) {
        long[] next = new long[partitions];
        java.util.Arrays.fill(next, from);
        for (HubEvent.Record r : s.records()) {
            assertThat(r.offset()).as("partition %d", r.partition()).isEqualTo(next[r.partition()]);
            next[r.partition()]++;
        }
        for (int p = 0; p < partitions; p++) {
            assertThat(next[p]).as("partition %d complete", p).isEqualTo(to);
        }
    }

    @Test
    void aSubscriberOutsideTheCacheCatchesUpFromKafkaThenRejoinsTheSharedReadWithoutLossOrRepeat() {
        String topic = kafka.createTopic("hub-catchup", 2);
        long cap = 2 * SMALL_CACHE;
        KafkaTopicHub hub = hub(smallCache(cap));
        RecordingSubscriber active = subscribe(hub, topic, new StartPosition.Live());
        RecordingSubscriber stalled = subscribe(hub, new SubscriptionRequest(topic, Set.of(), new StartPosition.Live(),
                List.of(), 64));
        awaitAttached(active, 2);
        awaitAttached(stalled, 2);
        stalled.pause();

        producePadded(topic, 2, 0, 2000);
        awaitRecords(active, 2000);
        assertExactly(active, 2, 0, 1000);
        // the stalled subscriber held nothing: it is only a position, and the cache stayed within its cap
        assertThat(hub.stats().cacheBytes()).isLessThanOrEqualTo(cap);
        assertThat(((HubSubscription) stalled.subscription()).queuedEvents()).isZero();

        stalled.resume();
        awaitRecords(stalled, 2000);
        assertExactly(stalled, 2, 0, 1000);
        assertThat(hub.stats().catchUpRecordsIn()).isPositive();
        await().atMost(WAIT).until(() -> hub.stats().catchUpReaders() == 0);

        // back on the shared read: new records reach both without another private read
        long privateReads = hub.stats().catchUpRecordsIn();
        producePadded(topic, 2, 2000, 20);
        awaitRecords(active, 2020);
        awaitRecords(stalled, 2020);
        assertExactly(stalled, 2, 0, 1010);
        assertThat(hub.stats().catchUpRecordsIn()).isEqualTo(privateReads);
        assertThat(hub.stats().gaps()).isZero();
    }

    @Test
    void aStalledSubscriberHoldsAtMostItsQueueFreesItsReaderAndNeverStallsTheOthers() {
        String topic = kafka.createTopic("hub-stall", 1);
        producePadded(topic, 1, 0, 1000);
        long cap = SMALL_CACHE;
        KafkaTopicHub hub = hub(smallCache(cap).withIdleGrace(Duration.ofMillis(500)));
        RecordingSubscriber stalled = subscribe(hub, new SubscriptionRequest(topic, Set.of(),
                new StartPosition.AtOffset(0), List.of(), 50));
        stalled.pause();
        await().atMost(WAIT).until(() -> hub.stats().sharedRecordsIn() == 1000);
        HubSubscription handle = (HubSubscription) stalled.subscription();

        // it takes a few events, then stops taking: its catch-up read fills the queue and waits
        await().atMost(WAIT).until(() -> !stalled.pollNow(5).isEmpty());
        await().atMost(WAIT).until(() -> handle.queuedEvents() >= 25);
        RecordingSubscriber active = subscribe(hub, topic, new StartPosition.Live());
        awaitAttached(active, 1);
        producePadded(topic, 1, 1000, 500);
        awaitRecords(active, 500);
        assertThat(active.records().get(0).offset()).isEqualTo(1000);
        // bounded however long it stalls; after the idle grace it does not even hold a Kafka reader
        await().atMost(WAIT).until(() -> hub.stats().catchUpReaders() == 0);
        assertThat(handle.queuedEvents()).isBetween(25, 50);
        assertThat(hub.stats().cacheBytes()).isLessThanOrEqualTo(cap);
        assertThat(hub.stats().lagging()).isEqualTo(1);

        stalled.resume();
        awaitRecords(stalled, 1500);
        assertExactly(stalled, 1, 0, 1500);
        assertThat(hub.stats().gaps()).isZero();
        await().atMost(WAIT).until(() -> hub.stats().lagging() == 0);
    }

    @Test
    void recordsKafkaDeletedBeforeASubscriberGotThemBecomeAnExplicitGap() throws Exception {
        String topic = kafka.createTopic("hub-gap", 1);
        KafkaTopicHub hub = hub(smallCache(SMALL_CACHE));
        RecordingSubscriber slow = subscribe(hub, topic, new StartPosition.Earliest());
        awaitAttached(slow, 1);
        slow.pause();
        producePadded(topic, 1, 0, 1000);
        await().atMost(WAIT).until(() -> hub.stats().sharedRecordsIn() == 1000);
        TopicPartition tp = new TopicPartition(topic, 0);
        kafka.admin().deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(600))).all().get();

        slow.resume();
        awaitRecords(slow, 400);
        List<HubEvent> events = slow.events();
        assertThat(events.get(0)).isInstanceOf(HubEvent.Gap.class);
        HubEvent.Gap gap = (HubEvent.Gap) events.get(0);
        assertThat(gap.topic()).isEqualTo(topic);
        assertThat(gap.partition()).isZero();
        assertThat(gap.fromOffset()).isZero();
        assertThat(gap.toOffset()).isEqualTo(600);
        assertThat(gap.next().nextOffsets()).isEqualTo(Map.of(0, 600L));
        assertThat(events.subList(1, events.size())).allMatch(e -> e instanceof HubEvent.Record);
        assertThat(slow.records().get(0).offset()).isEqualTo(600);
        assertThat(slow.records().get(399).offset()).isEqualTo(999);
        assertThat(slow.recordCount()).isEqualTo(400);
        assertThat(hub.stats().gaps()).isEqualTo(1);
    }

    @Test
    void retentionDeletingRecordsUnderASlowSubscriberIsAnExplicitGapToo() throws Exception {
        // the embedded broker checks retention every 5 s; segments roll every 100 ms of record time
        String topic = kafka.createTopic("hub-retention", 1, Map.of(TopicConfig.RETENTION_MS_CONFIG, "1000",
                TopicConfig.SEGMENT_MS_CONFIG, "100"));
        KafkaTopicHub hub = hub(smallCache(SMALL_CACHE));
        RecordingSubscriber slow = subscribe(hub, topic, new StartPosition.Earliest());
        awaitAttached(slow, 1);
        slow.pause();
        producePadded(topic, 1, 0, 200);
        Thread.sleep(1_200);
        producePadded(topic, 1, 200, 1);
        await().atMost(Duration.ofSeconds(40)).until(() -> logStartOffset(topic, 0) >= 200);

        slow.resume();
        await().atMost(WAIT).until(() -> !slow.events().isEmpty());
        HubEvent.Gap gap = (HubEvent.Gap) slow.events().get(0);
        assertThat(gap.fromOffset()).isZero();
        assertThat(gap.toOffset()).isGreaterThanOrEqualTo(200);
        producePadded(topic, 1, 201, 1);
        await().atMost(WAIT).until(() -> slow.records().stream().anyMatch(r -> r.offset() == 201));
        // after the gap, exactly the records Kafka still had, in order
        long expected = gap.toOffset();
        for (HubEvent.Record r : slow.records()) {
            assertThat(r.offset()).isEqualTo(expected++);
        }
        assertThat(expected).isEqualTo(202);
        assertThat(slow.events().stream().filter(e -> e instanceof HubEvent.Gap)).hasSize(1);
    }

    @Test
    void subscribersBeyondTheCatchUpReaderLimitWaitTheirTurnAndAllFinish() {
        String topic = kafka.createTopic("hub-catchup-limit", 1);
        producePadded(topic, 1, 0, 600);
        HubSettings oneReader = new HubSettings(null, Duration.ofMillis(500), SMALL_CACHE, Duration.ofMinutes(5),
                SMALL_CACHE, 100, 1, null);
        KafkaTopicHub hub = hub(oneReader);
        RecordingSubscriber feedOwner = subscribe(hub, topic, new StartPosition.Live());
        awaitAttached(feedOwner, 1);
        List<RecordingSubscriber> replays = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            replays.add(subscribe(hub, topic, new StartPosition.Earliest()));
        }
        await().atMost(WAIT).until(() -> {
            assertThat(hub.stats().catchUpReaders()).isLessThanOrEqualTo(1);
            return replays.stream().allMatch(s -> s.recordCount() == 600);
        });
        for (RecordingSubscriber s : replays) {
            assertExactly(s, 1, 0, 600);
        }
        await().atMost(WAIT).until(() -> hub.stats().catchUpReaders() == 0);
    }
}
