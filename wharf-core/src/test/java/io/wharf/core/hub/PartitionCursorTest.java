package io.wharf.core.hub;

import static io.wharf.core.hub.PartitionCacheTest.cache;
import static io.wharf.core.hub.PartitionCacheTest.cursor;
import static io.wharf.core.hub.PartitionCacheTest.entry;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import io.wharf.core.hub.PartitionCursor.Queued;
import io.wharf.core.hub.PartitionCursor.Scan;
import org.junit.jupiter.api.Test;

/** The cursor's iteration over a cache: quotas, filters, gaps, the head, conflation, snapshots and the scan limit. */
class PartitionCursorTest {
    private final MemoryBudget budget = new MemoryBudget(Long.MAX_VALUE);
    private final List<Queued> into = new ArrayList<>();

    private static List<Long> offsets(List<Queued> queued) {
        return queued.stream().map(q -> q.entry().offset).toList();
    }

    private void append(PartitionCache cache, long from, long to, long head) {
        List<CachedEntry> batch = new ArrayList<>();
        for (long o = from; o < to; o++) {
            batch.add(entry(o, "k" + (o % 3), "v" + o, System.nanoTime()));
        }
        cache.append(batch, head, null, System.nanoTime());
    }

    private List<Long> scan(PartitionCursor cursor, int quota, Scan expected) {
        into.clear();
        assertThat(cursor.scan(into, quota, 1024)).isEqualTo(expected);
        return offsets(into);
    }

    @Test
    void readsInQuotasAndContinuesWhereItStopped() {
        PartitionCache cache = cache(false, Long.MAX_VALUE, budget);
        PartitionCursor cursor = cursor(cache, null, 0);
        assertThat(scan(cursor, 10, Scan.NOT_POSITIONED)).isEmpty();
        cache.position(0);
        append(cache, 0, 10, 10);
        assertThat(scan(cursor, 4, Scan.SCANNED)).containsExactly(0L, 1L, 2L, 3L);
        assertThat(cursor.nextOffset).isEqualTo(4);
        assertThat(cursor.nothingNew()).isFalse();
        assertThat(scan(cursor, 4, Scan.SCANNED)).containsExactly(4L, 5L, 6L, 7L);
        assertThat(scan(cursor, 4, Scan.SCANNED)).containsExactly(8L, 9L);
        assertThat(cursor.nextOffset).isEqualTo(10);
        assertThat(cursor.nothingNew()).isTrue();
        assertThat(cursor.lag()).isZero();
        append(cache, 10, 12, 12);
        assertThat(cursor.nothingNew()).isFalse();
        assertThat(cursor.cacheChanged()).isTrue();
        assertThat(scan(cursor, 4, Scan.SCANNED)).containsExactly(10L, 11L);
        assertThat(cursor.cacheChanged()).isFalse();
    }

    @Test
    void startsAtAnOffsetInsideTheCacheAndMovesToTheHeadPastRecordsKafkaSkipped() {
        PartitionCache cache = cache(false, Long.MAX_VALUE, budget);
        cache.position(100);
        // a transaction marker or aborted records: the head moves past offsets no record holds
        cache.append(List.of(entry(100, "a", "1", System.nanoTime()), entry(101, "a", "2", System.nanoTime()),
                entry(105, "a", "3", System.nanoTime())), 108, null,
                System.nanoTime());
        PartitionCursor cursor = cursor(cache, null, 101);
        assertThat(scan(cursor, 10, Scan.SCANNED)).containsExactly(101L, 105L);
        assertThat(cursor.nextOffset).isEqualTo(108);
    }

    @Test
    void aFilteredCursorTakesOnlyMatchesButMovesPastEverything() {
        PartitionCache cache = cache(false, Long.MAX_VALUE, budget);
        cache.position(0);
        PartitionCache.FilterSlot slot = cache.acquireSlot(new FilterSet(List.of(RecordFilter.of(FilterGrammar.key("k1")),
                RecordFilter.of(FilterGrammar.not(FilterGrammar.key("k0"))))));
        append(cache, 0, 9, 9);
        PartitionCursor cursor = cursor(cache, slot, 0);
        assertThat(scan(cursor, 100, Scan.SCANNED)).containsExactly(1L, 2L, 4L, 5L, 7L, 8L);
        assertThat(into.stream().map(Queued::mask).toList()).containsExactly(3L, 2L, 3L, 2L, 3L, 2L);
        assertThat(cursor.nextOffset).isEqualTo(9);
    }

    @Test
    void aGapIsDeliveredFromTheCursorsPosition() {
        PartitionCache cache = cache(false, Long.MAX_VALUE, budget);
        cache.position(0);
        cache.append(List.of(CachedEntry.gap(0, 50, System.nanoTime()), entry(50, "a", "x", System.nanoTime())), 51, null,
                System.nanoTime());
        PartitionCursor cursor = cursor(cache, null, 20);
        assertThat(scan(cursor, 10, Scan.SCANNED)).containsExactly(0L, 50L);
        assertThat(into.get(0).entry().gap).isTrue();
        assertThat(into.get(0).from()).isEqualTo(20);
        assertThat(cursor.nextOffset).isEqualTo(51);
    }

    @Test
    void aCursorBelowTheCacheIsBehind() {
        PartitionCache cache = cache(false, Long.MAX_VALUE, budget);
        cache.position(0);
        append(cache, 0, 10, 10);
        cache.evict(1); // the oldest record leaves
        PartitionCursor cursor = cursor(cache, null, 0);
        assertThat(scan(cursor, 10, Scan.BEHIND)).isEmpty();
        assertThat(cursor.nextOffset).isZero();
        PartitionCursor later = cursor(cache, null, 1);
        assertThat(scan(later, 10, Scan.SCANNED)).hasSize(9);
    }

    @Test
    void aLaggingCursorOfACompactedTopicSkipsSupersededRecords() {
        PartitionCache cache = cache(true, Long.MAX_VALUE, budget);
        cache.position(0);
        append(cache, 0, 9, 9); // keys k0,k1,k2 three times: 0-5 are superseded
        PartitionCursor close = cursor(cache, null, 0);
        into.clear();
        assertThat(close.scan(into, 100, 100)).isEqualTo(Scan.SCANNED);
        assertThat(offsets(into)).hasSize(9);
        assertThat(close.takeConflated()).isZero();

        PartitionCursor lagging = cursor(cache, null, 0);
        into.clear();
        assertThat(lagging.scan(into, 100, 4)).isEqualTo(Scan.SCANNED);
        assertThat(offsets(into)).containsExactly(6L, 7L, 8L);
        assertThat(lagging.takeConflated()).isEqualTo(6);
        assertThat(lagging.takeConflated()).isZero();
        assertThat(lagging.nextOffset).isEqualTo(9);
    }

    @Test
    void aSnapshotTakesLatestValuesUpToItsEndAndSaysSo() {
        PartitionCache cache = cache(true, Long.MAX_VALUE, budget);
        cache.position(0);
        long now = System.nanoTime();
        cache.append(List.of(entry(0, "a", "1", now), entry(1, "b", "1", now), entry(2, "a", "2", now),
                entry(3, "b", null, now), entry(4, "c", "1", now), entry(5, "a", "3", now)), 6, null, now);
        PartitionCursor cursor = new PartitionCursor(null, 0, 0, null, cache, null, 0, 5);
        assertThat(cursor.snapshotReady()).isTrue();
        into.clear();
        assertThat(cursor.scan(into, 100, 1024)).isEqualTo(Scan.SNAPSHOT_REACHED);
        // a's older values are superseded (its latest, 5, comes live after the snapshot); b ends in a
        // tombstone and is left out; c's only value is delivered
        assertThat(offsets(into)).containsExactly(4L);
        assertThat(cursor.nextOffset).isEqualTo(5);
        assertThat(cursor.snapshotReached).isTrue();

        PartitionCursor waiting = new PartitionCursor(null, 0, 0, null, cache, null, 0, 7);
        assertThat(waiting.snapshotReady()).isFalse();
    }

    @Test
    void oneScanExaminesAtMostTheScanLimit() {
        PartitionCache cache = cache(false, Long.MAX_VALUE, budget);
        cache.position(0);
        PartitionCache.FilterSlot nothing = cache.acquireSlot(new FilterSet(List.of(RecordFilter.of(
                FilterGrammar.key("none")))));
        int total = PartitionCursor.SCAN_LIMIT + 100;
        append(cache, 0, total, total);
        PartitionCursor cursor = cursor(cache, nothing, 0);
        assertThat(scan(cursor, 10, Scan.SCANNED)).isEmpty();
        assertThat(cursor.nextOffset).isEqualTo(PartitionCursor.SCAN_LIMIT);
        assertThat(cursor.atHead).isFalse();
        assertThat(scan(cursor, 10, Scan.SCANNED)).isEmpty();
        assertThat(cursor.nextOffset).isEqualTo(total);
        assertThat(cursor.atHead).isTrue();
    }
}
