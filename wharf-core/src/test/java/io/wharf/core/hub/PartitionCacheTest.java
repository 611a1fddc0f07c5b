package io.wharf.core.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cache on its own: it locks itself, so an appender, an evictor, slot users and readers can work
 * on it at once without corrupting the ring, the byte count or the match masks.
 */
class PartitionCacheTest {
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    static CachedEntry entry(long offset, String key, String value, long nowNanos) {
        return CachedEntry.of(new ConsumerRecord<>("t", 0, offset, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8)), nowNanos);
    }

    static PartitionCache cache(boolean compacted, long maxBytes, MemoryBudget budget) {
        return new PartitionCache(compacted, maxBytes, TimeUnit.MINUTES.toNanos(10), budget, new HubCounters());
    }

    static PartitionCursor cursor(PartitionCache cache, PartitionCache.FilterSlot slot, long start) {
        return new PartitionCursor(null, 0, 0, null, cache, slot, start, PartitionCursor.NO_SNAPSHOT);
    }

    private static final FilterSet EVEN_KEYS = new FilterSet(List.of(
            RecordFilter.of(FilterGrammar.key("k0")), RecordFilter.of(FilterGrammar.key("k2")),
            RecordFilter.of(FilterGrammar.key("k4")), RecordFilter.of(FilterGrammar.key("k6")),
            RecordFilter.of(FilterGrammar.key("k8"))));

    /** Keys cycle k0..k9, so even-key filters match every other record. */
    private static String keyOf(long offset) {
        return "k" + (offset % 10);
    }

    @Test
    void appendReadAndEvictConcurrentlyKeepTheCacheConsistent() throws Exception {
        MemoryBudget budget = new MemoryBudget(Long.MAX_VALUE);
        PartitionCache cache = cache(false, 400_000, budget);
        cache.position(0);
        int total = 60_000;
        AtomicBoolean appending = new AtomicBoolean(true);
        CountDownLatch go = new CountDownLatch(1);

        Future<?> appender = threads.submit(() -> {
            go.await();
            long offset = 0;
            while (offset < total) {
                int n = 1 + ThreadLocalRandom.current().nextInt(50);
                List<CachedEntry> batch = new ArrayList<>(n);
                for (int i = 0; i < n && offset < total; i++, offset++) {
                    batch.add(entry(offset, keyOf(offset), "v" + offset, System.nanoTime()));
                }
                cache.append(batch, offset, null, System.nanoTime());
            }
            appending.set(false);
            return null;
        });
        Future<?> evictor = threads.submit(() -> {
            go.await();
            while (appending.get()) {
                cache.evict(ThreadLocalRandom.current().nextInt(5_000));
                cache.evictOlderThan(System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(5));
                Thread.yield();
            }
            return null;
        });
        // slot users come and go while entries arrive: each new slot computes masks for what is cached
        Future<?> slotChurn = threads.submit(() -> {
            go.await();
            while (appending.get()) {
                PartitionCache.FilterSlot slot = cache.acquireSlot(new FilterSet(List.of(RecordFilter.of(
                        FilterGrammar.header("h", "x")))));
                cache.releaseSlot(slot);
            }
            return null;
        });
        List<Future<List<Long>>> readers = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            boolean filtered = r % 2 == 1;
            readers.add(reader(cache, filtered, total, go, (cursor, batch, seen) -> {
                PartitionCursor.Scan scan = cursor.scan(batch, 1 + ThreadLocalRandom.current().nextInt(300), 1024);
                if (scan == PartitionCursor.Scan.BEHIND) {
                    cursor.nextOffset++; // evicted under it: a real cursor would catch up from Kafka here
                    return;
                }
                for (PartitionCursor.Queued q : batch) {
                    seen.add(q.entry().offset);
                    if (filtered) {
                        assertThat(q.mask()).as("mask of offset %d", q.entry().offset).isNotZero();
                        assertThat(EVEN_KEYS.evaluate(q.entry().key, q.entry().headers)).isEqualTo(q.mask());
                    }
                }
            }));
        }
        go.countDown();
        appender.get(60, TimeUnit.SECONDS);
        evictor.get(60, TimeUnit.SECONDS);
        slotChurn.get(60, TimeUnit.SECONDS);
        for (int r = 0; r < readers.size(); r++) {
            List<Long> seen = readers.get(r).get(60, TimeUnit.SECONDS);
            assertThat(seen).as("reader %d saw offsets in order, each once", r).isSorted().doesNotHaveDuplicates();
            if (r % 2 == 1) {
                assertThat(seen).allMatch(o -> o % 2 == 0);
            }
        }
        // the byte count matches what is left, and the budget agrees
        long left = 0;
        PartitionCursor all = cursor(cache, null, 0);
        List<PartitionCursor.Queued> rest = new ArrayList<>();
        while (all.scan(rest, Integer.MAX_VALUE, Integer.MAX_VALUE) == PartitionCursor.Scan.BEHIND) {
            all.nextOffset++;
        }
        for (PartitionCursor.Queued q : rest) {
            left += q.entry().bytes;
        }
        assertThat(cache.bytes()).isEqualTo(left).isEqualTo(budget.used()).isLessThanOrEqualTo(400_000);
        cache.evictAll();
        assertThat(cache.bytes()).isZero();
        assertThat(budget.used()).isZero();
    }

    @Test
    void withoutEvictionEveryReaderSeesEveryRecordWhileTheAppenderRuns() throws Exception {
        PartitionCache cache = cache(false, Long.MAX_VALUE, new MemoryBudget(Long.MAX_VALUE));
        cache.position(0);
        int total = 40_000;
        CountDownLatch go = new CountDownLatch(1);
        Future<?> appender = threads.submit(() -> {
            go.await();
            for (long offset = 0; offset < total; offset += 10) {
                List<CachedEntry> batch = new ArrayList<>(10);
                for (long o = offset; o < offset + 10; o++) {
                    batch.add(entry(o, keyOf(o), "v", System.nanoTime()));
                }
                cache.append(batch, offset + 10, null, System.nanoTime());
            }
            return null;
        });
        List<Future<List<Long>>> readers = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            boolean filtered = r == 2;
            readers.add(reader(cache, filtered, total, go, (cursor, batch, seen) -> {
                assertThat(cursor.scan(batch, 7, 1024)).isEqualTo(PartitionCursor.Scan.SCANNED);
                batch.forEach(q -> seen.add(q.entry().offset));
            }));
        }
        go.countDown();
        appender.get(60, TimeUnit.SECONDS);
        List<Long> every = new ArrayList<>();
        List<Long> even = new ArrayList<>();
        for (long o = 0; o < total; o++) {
            every.add(o);
            if (o % 2 == 0) {
                even.add(o);
            }
        }
        assertThat(readers.get(0).get(60, TimeUnit.SECONDS)).isEqualTo(every);
        assertThat(readers.get(1).get(60, TimeUnit.SECONDS)).isEqualTo(every);
        assertThat(readers.get(2).get(60, TimeUnit.SECONDS)).isEqualTo(even);
    }

    @Test
    void anEntryLargerThanTheLimitIsNotCachedAndMovesTheCompleteMark() {
        MemoryBudget budget = new MemoryBudget(Long.MAX_VALUE);
        PartitionCache cache = cache(false, 1_000, budget);
        cache.position(0);
        long now = System.nanoTime();
        cache.append(List.of(entry(0, "a", "small", now), entry(1, "b", "x".repeat(2_000), now),
                entry(2, "c", "small", now)), 3, null, now);
        assertThat(cache.covers(0)).isFalse();
        assertThat(cache.covers(1)).isFalse();
        assertThat(cache.covers(2)).isTrue();
        assertThat(cache.nextSeq()).isEqualTo(2); // 0 was cached, then evicted with everything when 1 arrived
        assertThat(cache.bytes()).isEqualTo(budget.used()).isEqualTo(entry(2, "c", "small", now).bytes);
    }

    @Test
    void agingEvictsByAppendTime() {
        PartitionCache cache = cache(false, Long.MAX_VALUE, new MemoryBudget(Long.MAX_VALUE));
        cache.position(10);
        long t0 = System.nanoTime();
        cache.append(List.of(entry(10, "a", "1", t0), entry(11, "a", "2", t0)), 12, null, t0);
        cache.append(List.of(entry(12, "a", "3", t0 + 1_000)), 13, null, t0 + 1_000);
        cache.evictOlderThan(t0 + 500);
        assertThat(cache.covers(11)).isFalse();
        assertThat(cache.covers(12)).isTrue();
        assertThat(cache.reached(13)).isTrue();
        assertThat(cache.reached(14)).isFalse();
    }

    /** One scan of a reader: fills {@code batch} (cleared before) and adds what it takes to {@code seen}. */
    private interface ReaderStep {
        void scan(PartitionCursor cursor, List<PartitionCursor.Queued> batch, List<Long> seen);
    }

    /**
     * A reader on its own thread: once {@code go} opens, scans with its own cursor from offset 0 to
     * {@code total} (filtered: through a slot for {@link #EVEN_KEYS}, released after), returning the offsets seen.
     */
    private Future<List<Long>> reader(PartitionCache cache, boolean filtered, int total, CountDownLatch go, ReaderStep step) {
        return threads.submit(() -> {
            PartitionCache.FilterSlot slot = filtered ? cache.acquireSlot(EVEN_KEYS) : null;
            PartitionCursor cursor = cursor(cache, slot, 0);
            List<Long> seen = new ArrayList<>();
            List<PartitionCursor.Queued> batch = new ArrayList<>();
            go.await();
            while (cursor.nextOffset < total) {
                batch.clear();
                step.scan(cursor, batch, seen);
            }
            if (slot != null) {
                cache.releaseSlot(slot);
            }
            return seen;
        });
    }
}
