package io.wharf.resp.consume;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What a consuming connection has been given and has acknowledged, per partition, and so which
 * offsets may be committed. Not thread-safe: its session guards it.
 */
sealed interface AckLedger permits AckLedger.Cumulative, AckLedger.Individual {

    /** A ledger for the mode. */
    static AckLedger create(AckMode mode, int maxUnacked) {
        return mode == AckMode.CUMULATIVE ? new Cumulative() : new Individual(maxUnacked);
    }

    /** The partitions were assigned to this consumer. */
    void assigned(Collection<TopicPartition> partitions);

    /** The partitions went to another consumer: their unacknowledged records will be redelivered there. */
    void revoked(Collection<TopicPartition> partitions);

    /** Whether the partition is assigned to this consumer now. */
    boolean owns(TopicPartition partition);

    /** How many more records may be delivered before acks are needed (individual mode's bound). */
    int room();

    /** A record was handed to the client. */
    void delivered(TopicPartition partition, long offset);

    /**
     * A record outside the principal's grant was skipped (never handed to the client): it counts as
     * acknowledged once every record delivered before it in its partition is, so it never holds the
     * commit back and is not fetched again by the group.
     */
    void skipped(TopicPartition partition, long offset);

    /** Whether every delivered offset must be recorded, or only the highest of a run of one partition. */
    boolean tracksEachRecord();

    /**
     * Applies an ack.
     *
     * @return null when accepted, otherwise why not (without the CONS prefix)
     */
    String ack(TopicPartition partition, long offset);

    /** Offsets to commit now (positions that advanced since the last call), marked as committed. */
    Map<TopicPartition, OffsetAndMetadata> takeCommits();

    /** A commit of these offsets failed: they will be retried with the next one. */
    void commitFailed(Map<TopicPartition, OffsetAndMetadata> offsets);

    /** Whether {@link #takeCommits()} would return anything. */
    boolean dirty();

    /** Rafka's semantics: acking offset N means everything up to N in that partition is done. */
    final class Cumulative implements AckLedger {
        /** Most runs of skipped records remembered per partition while the records before them await acks. */
        static final int MAX_SKIP_RUNS = 10_000;

        // {lastDelivered since assigned, ackedNext, committedNext}
        private final Map<TopicPartition, long[]> partitions = new HashMap<>();
        // per partition: a delivered offset not yet acked -> the last offset of the run of skipped records after it;
        // acking that offset acknowledges the run too. Past MAX_SKIP_RUNS the oldest is forgotten: its run is
        // then committed with the next ack after it (the records stay undelivered, only the commit waits)
        private final Map<TopicPartition, TreeMap<Long, Long>> skipRuns = new HashMap<>();
        // Kept across rebalances: after an eager rebalance gives a partition back, acks of records
        // delivered before it are still valid.
        private final Map<TopicPartition, long[]> lastDelivered = new HashMap<>();
        private boolean dirty;

        @Override
        public void assigned(Collection<TopicPartition> tps) {
            tps.forEach(tp -> partitions.putIfAbsent(tp, new long[] {-1, -1, -1}));
        }

        @Override
        public void revoked(Collection<TopicPartition> tps) {
            tps.forEach(partitions::remove);
            tps.forEach(skipRuns::remove);
        }

        @Override
        public boolean owns(TopicPartition tp) {
            return partitions.containsKey(tp);
        }

        @Override
        public int room() {
            return Integer.MAX_VALUE;
        }

        @Override
        public boolean tracksEachRecord() {
            return false;
        }

        @Override
        public void delivered(TopicPartition tp, long offset) {
            long[] last = lastDelivered.computeIfAbsent(tp, k -> new long[] {-1});
            last[0] = Math.max(last[0], offset);
            long[] p = partitions.get(tp);
            if (p != null) {
                p[0] = Math.max(p[0], offset);
            }
        }

        @Override
        public void skipped(TopicPartition tp, long offset) {
            long[] p = partitions.get(tp);
            if (p == null) {
                return;
            }
            if (p[0] < 0 || p[1] > p[0]) {
                // everything delivered since the assignment is acknowledged: the commit moves past the record
                advance(p, offset + 1);
                return;
            }
            TreeMap<Long, Long> runs = skipRuns.computeIfAbsent(tp, k -> new TreeMap<>());
            if (runs.size() >= MAX_SKIP_RUNS && !runs.containsKey(p[0])) {
                runs.pollFirstEntry();
            }
            runs.put(p[0], offset);
        }

        private void advance(long[] p, long next) {
            if (next > p[1]) {
                p[1] = next;
                dirty |= p[1] > p[2];
            }
        }

        @Override
        public String ack(TopicPartition tp, long offset) {
            long[] p = partitions.get(tp);
            if (p == null) {
                return notAssigned(tp);
            }
            long[] delivered = lastDelivered.get(tp);
            long last = delivered == null ? -1 : delivered[0];
            if (offset > last) {
                return notDelivered(tp, offset, last);
            }
            advance(p, offset + 1);
            TreeMap<Long, Long> runs = skipRuns.get(tp);
            if (runs != null) {
                // the skipped run right after the acked record (or containing the acked offset) is done too
                Map.Entry<Long, Long> run = runs.floorEntry(offset);
                if (run != null) {
                    advance(p, run.getValue() + 1);
                }
                runs.headMap(offset, true).clear();
            }
            return null;
        }

        @Override
        public Map<TopicPartition, OffsetAndMetadata> takeCommits() {
            Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
            partitions.forEach((tp, p) -> {
                if (p[1] > p[2]) {
                    out.put(tp, new OffsetAndMetadata(p[1]));
                    p[2] = p[1];
                }
            });
            dirty = false;
            return out;
        }

        @Override
        public void commitFailed(Map<TopicPartition, OffsetAndMetadata> offsets) {
            offsets.forEach((tp, o) -> {
                long[] p = partitions.get(tp);
                if (p != null && p[2] == o.offset()) {
                    p[2] = -1;
                    dirty = true;
                }
            });
        }

        @Override
        public boolean dirty() {
            return dirty;
        }
    }

    /**
     * Opt-in: each ack marks one record done, and the commit position is the first record still
     * unacknowledged, so processing out of order never commits past an unprocessed record.
     */
    final class Individual implements AckLedger {
        private static final class Partition {
            final TreeSet<Long> outstanding = new TreeSet<>();
            long lastDelivered = -1;
            long committedNext = -1;

            long commitPosition() {
                return outstanding.isEmpty() ? lastDelivered + 1 : outstanding.first();
            }
        }

        private final int maxUnacked;
        private final Map<TopicPartition, Partition> partitions = new HashMap<>();
        private final Map<TopicPartition, Long> lastDeliveredEver = new HashMap<>();
        private int unacked;
        private boolean dirty;

        Individual(int maxUnacked) {
            this.maxUnacked = maxUnacked;
        }

        @Override
        public void assigned(Collection<TopicPartition> tps) {
            tps.forEach(tp -> partitions.putIfAbsent(tp, new Partition()));
        }

        @Override
        public void revoked(Collection<TopicPartition> tps) {
            for (TopicPartition tp : tps) {
                Partition p = partitions.remove(tp);
                if (p != null) {
                    unacked -= p.outstanding.size();
                }
            }
        }

        @Override
        public boolean owns(TopicPartition tp) {
            return partitions.containsKey(tp);
        }

        @Override
        public int room() {
            return Math.max(0, maxUnacked - unacked);
        }

        @Override
        public boolean tracksEachRecord() {
            return true;
        }

        @Override
        public void delivered(TopicPartition tp, long offset) {
            Partition p = partitions.get(tp);
            if (p != null && p.outstanding.add(offset)) {
                unacked++;
                p.lastDelivered = Math.max(p.lastDelivered, offset);
            }
            lastDeliveredEver.merge(tp, offset, Math::max);
        }

        @Override
        public void skipped(TopicPartition tp, long offset) {
            Partition p = partitions.get(tp);
            // a skipped record is delivered and acknowledged at once: the commit position is the first
            // record still outstanding, else the one after the last handled (delivered or skipped)
            if (p != null && offset > p.lastDelivered) {
                p.lastDelivered = offset;
                dirty |= p.commitPosition() > p.committedNext;
            }
        }

        @Override
        public String ack(TopicPartition tp, long offset) {
            Partition p = partitions.get(tp);
            if (p == null) {
                return notAssigned(tp);
            }
            long last = lastDeliveredEver.getOrDefault(tp, -1L);
            if (offset > last) {
                return notDelivered(tp, offset, last);
            }
            // acking twice, or a record delivered before a rebalance gave the partition back, changes nothing
            if (p.outstanding.remove(offset)) {
                unacked--;
                dirty |= p.lastDelivered >= 0 && p.commitPosition() > p.committedNext;
            }
            return null;
        }

        @Override
        public Map<TopicPartition, OffsetAndMetadata> takeCommits() {
            Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
            partitions.forEach((tp, p) -> {
                if (p.lastDelivered < 0) {
                    return;
                }
                long position = p.commitPosition();
                if (position > p.committedNext) {
                    out.put(tp, new OffsetAndMetadata(position));
                    p.committedNext = position;
                }
            });
            dirty = false;
            return out;
        }

        @Override
        public void commitFailed(Map<TopicPartition, OffsetAndMetadata> offsets) {
            offsets.forEach((tp, o) -> {
                Partition p = partitions.get(tp);
                if (p != null && p.committedNext == o.offset()) {
                    p.committedNext = -1;
                    dirty = true;
                }
            });
        }

        @Override
        public boolean dirty() {
            return dirty;
        }
    }

    private static String notAssigned(TopicPartition tp) {
        return "Partition " + tp.topic() + ":" + tp.partition()
                + " is not assigned to this consumer (a rebalance moved it; its unacknowledged records are redelivered)";
    }

    private static String notDelivered(TopicPartition tp, long offset, long last) {
        return "Offset " + offset + " of " + tp.topic() + ":" + tp.partition() + " was not delivered on this connection"
                + (last < 0 ? "" : " (last delivered: " + last + ")");
    }
}
