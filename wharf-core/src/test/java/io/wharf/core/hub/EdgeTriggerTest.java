package io.wharf.core.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.wharf.core.config.HubSettings;
import io.wharf.core.kafka.TopicInfo;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;

/**
 * The hub's edge trigger under contention: publishers append as fast as they can while subscribers
 * drain only when signalled (as a door's event loop does, with no timer), so every race between an
 * append, a signal and a drain happens many times. If one transition to "records available" went
 * unsignalled, that subscriber would stall with records left, and the test would time out on it.
 *
 * <p>The feeds are the hub's own, driven by the test in place of their Kafka reader threads (the
 * hub itself runs against the shared embedded broker but is not asked to read).
 */
class EdgeTriggerTest extends HubTestBase {
    private static final int RECORDS = 8_000;
    private final List<ExecutorService> loops = new ArrayList<>();

    @AfterEach
    void stopThreads() {
        loops.forEach(ExecutorService::shutdownNow);
    }

    /** A door-like subscriber: on a signal it hops to its own loop and polls until a poll returns fewer than it asked. */
    private final class Drainer implements HubListener {
        final ExecutorService loop = Executors.newSingleThreadExecutor();
        final int max;
        final int partitions;
        final boolean evenOnly;
        final long[] next;
        final AtomicInteger records = new AtomicInteger();
        final AtomicLong signals = new AtomicLong();
        volatile String failure;
        HubSubscription subscription;

        Drainer(int max, int partitions, boolean evenOnly) {
            this.max = max;
            this.partitions = partitions;
            this.evenOnly = evenOnly;
            this.next = new long[partitions];
            loops.add(loop);
        }

        /** Records due once the partitions were published up to these offsets. */
        int expectedUpTo(long[] offsets) {
            long due = 0;
            for (int p = 0; p < partitions; p++) {
                due += evenOnly ? (offsets[p] + 1) / 2 : offsets[p];
            }
            return (int) due;
        }

        @Override
        public void eventsAvailable(Subscription s) {
            signals.incrementAndGet();
            loop.execute(this::drain);
        }

        @Override
        public void closed(Subscription s, Throwable cause) {
            failure = "closed: " + cause;
        }

        private void drain() {
            while (true) {
                List<HubEvent> batch = subscription.poll(max);
                for (HubEvent e : batch) {
                    HubEvent.Record r = (HubEvent.Record) e;
                    long offset = r.offset();
                    if (offset != next[r.partition()]) {
                        failure = "partition " + r.partition() + ": offset " + offset + " after " + next[r.partition()];
                    }
                    next[r.partition()] = evenOnly ? offset + 2 : offset + 1;
                    records.incrementAndGet();
                }
                if (ThreadLocalRandom.current().nextInt(8) == 0) {
                    Thread.yield(); // widen the window between a poll and the next
                }
                if (batch.size() < max) {
                    return;
                }
            }
        }
    }

    /** Record {@code offset} of a partition, with a header saying whether its offset is even. */
    private static CachedEntry entry(int partition, long offset) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("parity", (offset % 2 == 0 ? "even" : "odd").getBytes(StandardCharsets.UTF_8));
        return CachedEntry.of(new ConsumerRecord<>("edge", partition, offset, 0L, TimestampType.CREATE_TIME, 2, 1,
                ("k" + offset).getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8), headers,
                Optional.empty()), System.nanoTime());
    }

    private static void attach(KafkaTopicHub hub, Drainer d, PartitionFeed[] feeds) {
        // the filtered subscribers are woken only by appends their shared filter slot matched
        List<RecordFilter> filters = d.evenOnly
                ? List.of(RecordFilter.of(FilterGrammar.header("parity", "even"))) : List.of();
        SubscriptionRequest request = new SubscriptionRequest("edge", Set.of(), new StartPosition.Earliest(), filters, 0);
        d.subscription = new HubSubscription(hub, request, d, filters.isEmpty() ? null : new FilterSet(filters), 1024);
        int n = feeds.length;
        int[] partitions = new int[n];
        long[] zeros = new long[n];
        long[] latest = new long[n];
        for (int i = 0; i < n; i++) {
            partitions[i] = i;
            latest[i] = RECORDS;
        }
        StartOffsets.Resolved start = new StartOffsets.Resolved(new TopicInfo("edge", n, false, Map.of()), partitions,
                zeros, zeros, latest, false);
        assertThat(d.subscription.attach(feeds, start)).isTrue();
    }

    @RepeatedTest(3)
    void noAppendIsLeftUndeliveredWithoutASignal() throws Exception {
        KafkaTopicHub hub = hub(HubSettings.defaults());
        PartitionFeed[] feeds = {
                new PartitionFeed(hub, new TopicPartition("edge", 0), false, 0, false),
                new PartitionFeed(hub, new TopicPartition("edge", 1), false, 0, false)};
        List<Drainer> drainers = new ArrayList<>();
        int[] maxes = {1, 3, 64, 500};
        for (int i = 0; i < 8; i++) {
            int partitions = i % 3 == 0 ? 1 : 2;
            Drainer d = new Drainer(maxes[i % maxes.length], partitions, i % 3 == 1);
            attach(hub, d, partitions == 1 ? new PartitionFeed[] {feeds[0]} : feeds);
            drainers.add(d);
        }
        for (PartitionFeed feed : feeds) {
            feed.reposition(0);
        }
        // bursts of appends, each followed by a wait until every subscriber has all of it: only the last
        // append of a burst has no later one to cover for a lost signal, so each burst is one more chance
        // to catch it, and its appends land while the subscribers are still draining the burst's first
        long[] offsets = new long[feeds.length];
        int round = 0;
        while (offsets[0] < RECORDS || offsets[1] < RECORDS) {
            round++;
            int burst = 1 + ThreadLocalRandom.current().nextInt(6);
            for (int i = 0; i < burst; i++) {
                int p = ThreadLocalRandom.current().nextInt(feeds.length);
                if (offsets[p] >= RECORDS) {
                    p = 1 - p;
                }
                CachedEntry e = entry(p, offsets[p]++);
                feeds[p].publish(List.of(e), offsets[p], e.bytes);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (Drainer d : drainers) {
                int want = d.expectedUpTo(offsets);
                while (d.records.get() < want && d.failure == null && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                // nothing polls on a timer: a subscriber short of its records here missed a signal
                assertThat(d.failure).as("drainer of %d partition(s), max %d", d.partitions, d.max).isNull();
                assertThat(d.records.get()).as("round %d: records of a drainer of %d partition(s), max %d%s, after %d "
                        + "signals", round, d.partitions, d.max, d.evenOnly ? ", filtered" : "", d.signals.get())
                        .isEqualTo(want);
            }
        }
        for (Drainer d : drainers) {
            // and once drained, there is nothing it was not told about
            d.loop.submit(() -> assertThat(d.subscription.poll(10)).isEmpty()).get(10, TimeUnit.SECONDS);
            d.subscription.close();
        }
    }
}
