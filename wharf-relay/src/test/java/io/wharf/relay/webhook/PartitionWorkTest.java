package io.wharf.relay.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The per-partition bookkeeping that decides what may be sent and what a commit records. */
class PartitionWorkTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);

    private static ConsumerRecord<byte[], byte[]> rec(long offset, String key) {
        return new ConsumerRecord<>("t", 0, offset, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                ("v" + offset).getBytes(StandardCharsets.UTF_8));
    }

    private static PartitionWork fresh() {
        return new PartitionWork(TP, -1, "", OffsetRanges.EMPTY);
    }

    private static List<Long> drainReady(PartitionWork w) {
        List<Long> out = new ArrayList<>();
        WebhookEvent e;
        while ((e = w.pollReady()) != null) {
            e.state = WebhookEvent.State.IN_FLIGHT;
            out.add(e.offset);
        }
        return out;
    }

    /** Accepts {@code count} records, each with its own key, and takes every one of them in flight. */
    private static List<WebhookEvent> inFlight(PartitionWork w, int count) {
        List<WebhookEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(w.accept(rec(i, "k" + i), "id" + i));
        }
        drainReady(w);
        return events;
    }

    private static void deliver(PartitionWork w, WebhookEvent e, ProducerRecord<byte[], byte[]> output) {
        e.finish(output);
        w.finished(e);
    }

    @Test
    void onlyTheHeadOfEachKeyIsReadyAndTheNextFollowsWhenItFinishes() {
        PartitionWork w = fresh();
        List<WebhookEvent> events = new ArrayList<>();
        String[] keys = {"a", "b", "a", null, "b", "a", null};
        for (int i = 0; i < keys.length; i++) {
            events.add(w.accept(rec(i, keys[i]), "k" + i));
        }
        // a@0, b@1 and each keyless record are independent; a@2, b@4, a@5 wait for their key
        assertThat(drainReady(w)).containsExactly(0L, 1L, 3L, 6L);
        deliver(w, events.get(1), null);
        assertThat(drainReady(w)).containsExactly(4L);
        deliver(w, events.get(0), null);
        assertThat(drainReady(w)).containsExactly(2L);
        assertThat(w.prefix()).isEqualTo(2);
    }

    @Test
    void commitsTheContiguousFinishedPrefixAndRecordsFinishedOffsetsBeyondIt() {
        PartitionWork w = fresh();
        List<WebhookEvent> events = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            events.add(w.accept(rec(10 + i, "k" + i), "id" + i));
        }
        drainReady(w);
        deliver(w, events.get(0), null);
        deliver(w, events.get(2), null);
        deliver(w, events.get(3), null);
        deliver(w, events.get(5), null);
        CommitPlan plan = w.plan();
        assertThat(plan.offset()).isEqualTo(11);
        OffsetRanges recorded = CommitMetadata.decode(plan.offset(), plan.metadata());
        assertThat(recorded.toString()).isEqualTo("[12..13, 15..15]");
        w.committed(plan);
        assertThat(w.plan()).as("nothing changed since").isNull();
    }

    @Test
    void aNewOwnerSkipsWhatTheCommitMetadataRecordsAndCarriesItForward() {
        OffsetRanges restored = OffsetRanges.builder().add(12, 14).add(15, 16).build();
        PartitionWork w = new PartitionWork(TP, 11, CommitMetadata.encode(11, restored), restored);
        List<WebhookEvent> events = new ArrayList<>();
        for (long o = 11; o < 14; o++) {
            events.add(w.accept(rec(o, "k" + o), "id" + o));
        }
        assertThat(events.get(1).finished()).isTrue();
        assertThat(events.get(2).finished()).isTrue();
        assertThat(drainReady(w)).containsExactly(11L);
        // 14 and 15 not received yet: 15 must stay recorded as finished in every commit
        CommitPlan plan = w.plan();
        assertThat(plan).isNull();
        deliver(w, events.get(0), null);
        plan = w.plan();
        assertThat(plan.offset()).isEqualTo(14);
        assertThat(CommitMetadata.decode(14, plan.metadata()).toString()).isEqualTo("[15..15]");
    }

    @Test
    void outputsAreWrittenOnlyWithTheCommitThatRecordsTheirEvent() {
        PartitionWork w = fresh();
        List<WebhookEvent> events = inFlight(w, 3);
        ProducerRecord<byte[], byte[]> out2 = new ProducerRecord<>("responses", new byte[] {2});
        deliver(w, events.get(2), out2);
        CommitPlan plan = w.plan();
        assertThat(plan.outputs().values()).containsExactly(out2);
        assertThat(plan.offset()).isZero();
        // the transaction failed: nothing recorded, the output waits for the next attempt
        assertThat(w.plan().outputs().values()).containsExactly(out2);
        w.committed(w.plan());
        assertThat(w.pendingOutputs).isEmpty();
        assertThat(w.plan()).isNull();
    }

    @Test
    void whatACommitRecordedStaysRecordedWhenLaterMetadataWouldNotFit() {
        PartitionWork w = fresh();
        int n = 20_000;
        List<WebhookEvent> events = inFlight(w, n);
        // the last event finishes first: a tiny metadata records it, and its output goes out with it
        deliver(w, events.get(n - 1), new ProducerRecord<>("out", new byte[] {9}));
        CommitPlan first = w.plan();
        assertThat(first.outputs()).containsKey((long) n - 1);
        w.committed(first);
        // then every other earlier event: far more finished runs than the metadata can hold
        for (int i = 1; i < n - 1; i += 2) {
            deliver(w, events.get(i), null);
        }
        CommitPlan second = w.plan();
        assertThat(second.cut()).as("only some of the new runs fit").isLessThan(n - 1);
        assertThat(second.metadata().length()).isLessThanOrEqualTo(CommitMetadata.MAX_CHARS);
        // forgetting it would let the next owner deliver it again and write its output twice
        assertThat(CommitMetadata.decode(second.offset(), second.metadata()).contains(n - 1)).isTrue();
        assertThat(second.outputs()).doesNotContainKey((long) n - 1);
    }

    @Test
    void anOutputThatArrivesWhileACommitRunsWaitsForTheNextCommit() {
        PartitionWork w = fresh();
        List<WebhookEvent> events = inFlight(w, 3);
        ProducerRecord<byte[], byte[]> out2 = new ProducerRecord<>("responses", new byte[] {2});
        deliver(w, events.get(2), out2);
        CommitPlan running = w.plan();
        // event 1 finishes while that transaction is on the committer's thread
        ProducerRecord<byte[], byte[]> out1 = new ProducerRecord<>("responses", new byte[] {1});
        deliver(w, events.get(1), out1);
        w.committed(running);
        assertThat(w.pendingOutputs.values()).containsExactly(out1);
        CommitPlan next = w.plan();
        assertThat(next.outputs().values()).containsExactly(out1);
        assertThat(CommitMetadata.decode(next.offset(), next.metadata()).toString()).isEqualTo("[1..2]");
    }

    @Test
    void whenTheMetadataCannotHoldEverythingOutputsBeyondTheCutWait() {
        PartitionWork w = fresh();
        int n = 20_000;
        List<WebhookEvent> events = inFlight(w, n);
        // every other event finished, each with an output: far more runs than 4 KB can hold
        for (int i = 1; i < n; i += 2) {
            deliver(w, events.get(i), new ProducerRecord<>("out", new byte[] {1}));
        }
        CommitPlan plan = w.plan();
        assertThat(plan.metadata().length()).isLessThanOrEqualTo(CommitMetadata.MAX_CHARS);
        assertThat(plan.cut()).isBetween(1L, (long) n);
        OffsetRanges recorded = CommitMetadata.decode(plan.offset(), plan.metadata());
        assertThat(plan.outputs()).isNotEmpty().hasSizeLessThan(n / 2);
        long recordedEvents = events.stream().filter(e -> e.finished() && recorded.contains(e.offset)).count();
        assertThat(recordedEvents).as("every recorded event has its output in this commit")
                .isEqualTo(plan.outputs().size());
        assertThat(events.stream().filter(e -> e.finished() && e.offset < plan.cut()).allMatch(e -> recorded.contains(e.offset)))
                .isTrue();
        w.committed(plan);
        assertThat(w.pendingOutputs).hasSize(n / 2 - plan.outputs().size());
    }
}
