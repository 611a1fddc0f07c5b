package io.wharf.core.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.wharf.core.hub.RecordFilter.HeaderEquals;
import io.wharf.core.hub.RecordFilter.KeyEquals;
import io.wharf.core.hub.RecordFilter.Not;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Key and header equality, AND within a filter, OR across filters, negation, and shared evaluation. */
class FilterTest extends HubTestBase {
    private static final String[] KEYS = {"a", "b", "c"};
    private static final String[] COLORS = {"red", "blue", "green"};
    private static final String[] SIZES = {"big", "small"};

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** 36 records: every key x color x size, twice; the value names them. */
    private static List<ProducerRecord<byte[], byte[]>> catalogue(String topic) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (String key : KEYS) {
                for (String color : COLORS) {
                    for (String size : SIZES) {
                        ProducerRecord<byte[], byte[]> r = record(topic, 0, key, key + "/" + color + "/" + size);
                        r.headers().add("color", b(color)).add("size", b(size));
                        records.add(r);
                    }
                }
            }
        }
        return records;
    }

    private static final List<RecordFilter> FILTERS = List.of(
            RecordFilter.of(new KeyEquals(b("a"))),
            RecordFilter.of(new HeaderEquals("color", b("red")), new HeaderEquals("size", b("big"))),
            RecordFilter.of(new Not(new HeaderEquals("color", b("blue"))), new Not(new KeyEquals(b("a")))));

    /** What the filters should say about a value "key/color/size", computed independently of the hub. */
    private static List<Integer> expectedMatches(String value) {
        String[] parts = value.split("/");
        List<Integer> matched = new ArrayList<>();
        if (parts[0].equals("a")) {
            matched.add(0);
        }
        if (parts[1].equals("red") && parts[2].equals("big")) {
            matched.add(1);
        }
        if (!parts[1].equals("blue") && !parts[0].equals("a")) {
            matched.add(2);
        }
        return matched;
    }

    @Test
    void deliversRecordsMatchingAnyFilterAndSaysWhichMatched() {
        String topic = kafka.createTopic("hub-filter", 1);
        List<ProducerRecord<byte[], byte[]>> catalogue = catalogue(topic);
        produce(catalogue);
        KafkaTopicHub hub = hub();
        RecordingSubscriber s = subscribe(hub, new SubscriptionRequest(topic, Set.of(), new StartPosition.Earliest(),
                FILTERS, 0));
        RecordingSubscriber notBlue = subscribe(hub, new SubscriptionRequest(topic, Set.of(),
                new StartPosition.Earliest(), List.of(RecordFilter.of(new Not(new HeaderEquals("color", b("blue"))))), 0));

        List<String> expected = catalogue.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .filter(v -> !expectedMatches(v).isEmpty()).toList();
        awaitRecords(s, expected.size());
        awaitRecords(notBlue, 24);
        await().atMost(WAIT).until(() -> s.subscription().position().nextOffsets().get(0) == 36L);
        assertThat(s.values()).containsExactlyElementsOf(expected);
        for (HubEvent.Record r : s.records()) {
            assertThat(r.matchedFilters()).as(text(r.value())).isEqualTo(expectedMatches(text(r.value())));
        }
        assertThat(notBlue.values()).hasSize(24).noneMatch(v -> v.contains("/blue/"));
        assertThat(notBlue.records()).allSatisfy(r -> assertThat(r.matchedFilters()).containsExactly(0));
    }

    @Test
    void subscribersSharingAFilterSetShareOneEvaluationPerRecord() {
        String topic = kafka.createTopic("hub-filter-shared", 1);
        KafkaTopicHub hub = hub();
        List<RecordingSubscriber> same = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            // equal filters built separately, as ten clients would send them
            List<RecordFilter> filters = List.of(RecordFilter.of(new KeyEquals(b("a"))),
                    RecordFilter.of(new HeaderEquals("color", b("red")), new HeaderEquals("size", b("big"))),
                    RecordFilter.of(new Not(new HeaderEquals("color", b("blue"))), new Not(new KeyEquals(b("a")))));
            same.add(subscribe(hub, new SubscriptionRequest(topic, Set.of(), new StartPosition.Live(), filters, 0)));
        }
        RecordingSubscriber other = subscribe(hub, new SubscriptionRequest(topic, Set.of(), new StartPosition.Live(),
                List.of(RecordFilter.of(new KeyEquals(b("b")))), 0));
        RecordingSubscriber unfiltered = subscribe(hub, topic, new StartPosition.Live());
        same.forEach(s -> awaitAttached(s, 1));
        awaitAttached(other, 1);
        awaitAttached(unfiltered, 1);

        produce(catalogue(topic));
        awaitRecords(unfiltered, 36);
        same.forEach(s -> awaitRecords(s, 28));
        awaitRecords(other, 12);
        // 36 records x 2 distinct filter sets, however many subscribers share them
        assertThat(hub.stats().filterEvaluations()).isEqualTo(72);
        assertThat(same).allSatisfy(s -> assertThat(s.recordCount()).isEqualTo(28));
        assertThat(other.values()).allMatch(v -> v.startsWith("b/"));
    }

    @Test
    void boundFiltersNarrowEveryClientFilterAndCannotBeWidened() {
        String topic = kafka.createTopic("hub-filter-bound", 1);
        List<ProducerRecord<byte[], byte[]>> catalogue = catalogue(topic);
        produce(catalogue);
        KafkaTopicHub hub = hub();
        List<RecordFilter> tenantA = List.of(RecordFilter.of(new KeyEquals(b("a"))));
        // no filter of its own: only the bound ones
        RecordingSubscriber bare = subscribe(hub, new SubscriptionRequest(topic, Set.of(), new StartPosition.Earliest(),
                List.of(), 0).boundTo(tenantA));
        // a client filter asking for everything of key b gets nothing: AND with the bound filter
        RecordingSubscriber widening = subscribe(hub, new SubscriptionRequest(topic, Set.of(),
                new StartPosition.Earliest(), List.of(RecordFilter.of(new KeyEquals(b("b")))), 0).boundTo(tenantA));
        // the client's own filters keep their indexes within the bound
        RecordingSubscriber narrowed = subscribe(hub, new SubscriptionRequest(topic, Set.of(),
                new StartPosition.Earliest(), FILTERS, 0).boundTo(tenantA));

        List<String> expected = catalogue.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .filter(v -> v.startsWith("a/") && !expectedMatches(v).isEmpty()).toList();
        awaitRecords(bare, 12);
        awaitRecords(narrowed, expected.size());
        // one more record, of key a and matching no client filter of the others, marks the end for all three
        ProducerRecord<byte[], byte[]> last = record(topic, 0, "a", "a/end");
        produce(List.of(last));
        awaitRecords(bare, 13);
        assertThat(bare.values().subList(0, 12)).allMatch(v -> v.startsWith("a/"));
        assertThat(bare.records()).allSatisfy(r -> assertThat(r.matchedFilters()).isEmpty());
        assertThat(widening.values()).isEmpty();
        awaitRecords(narrowed, expected.size() + 1);
        assertThat(narrowed.values()).containsExactlyElementsOf(concat(expected, "a/end"));
        for (HubEvent.Record r : narrowed.records()) {
            assertThat(r.matchedFilters()).isEqualTo(expectedMatches(text(r.value())));
        }
    }

    private static List<String> concat(List<String> head, String last) {
        List<String> all = new ArrayList<>(head);
        all.add(last);
        return all;
    }
}
