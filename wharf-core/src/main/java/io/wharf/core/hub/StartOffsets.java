package io.wharf.core.hub;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import io.wharf.core.kafka.KafkaAccess;
import io.wharf.core.kafka.TopicInfo;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/** Turns a subscription's start position into an offset per partition, asking Kafka without blocking. */
final class StartOffsets {
    private StartOffsets() {
    }

    /**
     * Where each chosen partition starts.
     *
     * @param info       the topic
     * @param partitions the chosen partitions, ascending
     * @param starts     first offset to deliver, per partition
     * @param earliest   the partition's first offset
     * @param latest     the partition's end (last stable offset)
     * @param snapshot   whether a compacted topic's latest-value-per-key snapshot comes first (it ends at {@code latest})
     */
    record Resolved(TopicInfo info, int[] partitions, long[] starts, long[] earliest, long[] latest, boolean snapshot) {
    }

    private record Bounds(Map<TopicPartition, Long> earliest, Map<TopicPartition, Long> latest) {
    }

    static CompletableFuture<Resolved> resolve(Admin admin, OffsetLookups lookups, TopicInfo info,
                                               SubscriptionRequest request) {
        int[] partitions;
        try {
            partitions = partitionsOf(info, request);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        StartPosition start = request.start();
        ListOffsetsOptions options = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
        CompletableFuture<Map<TopicPartition, Long>> earliest = ends(lookups, OffsetLookups.End.EARLIEST, info,
                partitions);
        CompletableFuture<Map<TopicPartition, Long>> latest = ends(lookups, OffsetLookups.End.LATEST, info,
                partitions);
        CompletableFuture<Map<TopicPartition, ListOffsetsResultInfo>> byTime = start instanceof StartPosition.AtTimestamp t
                ? list(admin, info, partitions, OffsetSpec.forTimestamp(t.epochMillis()), options)
                : CompletableFuture.completedFuture(Map.of());
        return earliest.thenCombine(latest, Bounds::new).thenCombine(byTime, (bounds, times) -> {
            Map<TopicPartition, Long> e = bounds.earliest();
            Map<TopicPartition, Long> l = bounds.latest();
            int n = partitions.length;
            long[] first = new long[n];
            long[] end = new long[n];
            long[] starts = new long[n];
            boolean snapshot = info.compacted()
                    && (start instanceof StartPosition.Live || start instanceof StartPosition.Earliest);
            for (int i = 0; i < n; i++) {
                TopicPartition tp = new TopicPartition(info.name(), partitions[i]);
                first[i] = e.get(tp);
                end[i] = Math.max(first[i], l.get(tp));
                starts[i] = startOf(start, snapshot, first[i], end[i], partitions[i], times.get(tp));
            }
            return new Resolved(info, partitions, starts, first, end, snapshot);
        });
    }

    private static long startOf(StartPosition start, boolean snapshot, long first, long end, int partition,
                                ListOffsetsResultInfo byTime) {
        if (snapshot || start instanceof StartPosition.Earliest) {
            return first;
        }
        if (start instanceof StartPosition.Live) {
            return end;
        }
        if (start instanceof StartPosition.AtOffset at) {
            return at.offset();
        }
        if (start instanceof StartPosition.AtTimestamp) {
            return byTime == null || byTime.offset() < 0 ? end : byTime.offset();
        }
        Long next = ((StartPosition.FromToken) start).token().nextOffsets().get(partition);
        // a partition the token does not know (the topic grew since) starts at its beginning: all of it is new
        return next == null ? first : next;
    }

    private static int[] partitionsOf(TopicInfo info, SubscriptionRequest request) {
        int count = info.partitions();
        TreeSet<Integer> chosen = new TreeSet<>(request.partitions());
        for (int p : chosen) {
            if (p >= count) {
                throw new IllegalArgumentException("topic '" + info.name() + "' has partitions 0-" + (count - 1)
                        + ", not " + p);
            }
        }
        if (request.start() instanceof StartPosition.FromToken t) {
            for (int p : t.token().nextOffsets().keySet()) {
                if (p >= count) {
                    throw new IllegalArgumentException("the resume token names partition " + p + " but topic '"
                            + info.name() + "' has partitions 0-" + (count - 1));
                }
            }
        }
        if (chosen.isEmpty()) {
            int[] all = new int[count];
            Arrays.setAll(all, i -> i);
            return all;
        }
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    private static CompletableFuture<Map<TopicPartition, Long>> ends(OffsetLookups lookups, OffsetLookups.End end,
                                                                      TopicInfo info, int[] partitions) {
        Map<TopicPartition, CompletableFuture<Long>> answers = new HashMap<>();
        for (int p : partitions) {
            TopicPartition tp = new TopicPartition(info.name(), p);
            answers.put(tp, lookups.lookup(end, tp));
        }
        return CompletableFuture.allOf(answers.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<TopicPartition, Long> offsets = new HashMap<>();
            answers.forEach((tp, f) -> offsets.put(tp, f.join()));
            return offsets;
        });
    }

    private static CompletableFuture<Map<TopicPartition, ListOffsetsResultInfo>> list(
            Admin admin, TopicInfo info, int[] partitions, OffsetSpec spec, ListOffsetsOptions options) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p : partitions) {
            request.put(new TopicPartition(info.name(), p), spec);
        }
        return KafkaAccess.toCompletable(admin.listOffsets(request, options).all());
    }
}
