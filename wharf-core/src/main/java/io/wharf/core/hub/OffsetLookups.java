package io.wharf.core.hub;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * First and last offsets of partitions, looked up for many subscriptions at once: at most one
 * lookup of each kind is in flight, and every request arriving meanwhile joins the next one. A
 * thousand clients reconnecting together cost Kafka a handful of requests, not two thousand. Each
 * answer is at least as new as the request, so "live" still means "from when you asked".
 */
final class OffsetLookups {
    /** Which end of a partition. */
    enum End {
        EARLIEST, LATEST
    }

    private final Admin admin;
    private final ListOffsetsOptions options = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
    /** Guards {@link #waiting} and {@link #inFlight}. */
    private final Object lock = new Object();
    private final EnumMap<End, Map<TopicPartition, List<CompletableFuture<Long>>>> waiting = new EnumMap<>(End.class);
    private final EnumMap<End, Boolean> inFlight = new EnumMap<>(End.class);

    OffsetLookups(Admin admin) {
        this.admin = admin;
    }

    /** The partition's first offset, or its end (last stable offset). */
    CompletableFuture<Long> lookup(End end, TopicPartition partition) {
        CompletableFuture<Long> answer = new CompletableFuture<>();
        boolean send;
        synchronized (lock) {
            waiting.computeIfAbsent(end, e -> new HashMap<>())
                    .computeIfAbsent(partition, p -> new ArrayList<>()).add(answer);
            send = !inFlight.getOrDefault(end, false);
            if (send) {
                inFlight.put(end, true);
            }
        }
        if (send) {
            send(end);
        }
        return answer;
    }

    private void send(End end) {
        Map<TopicPartition, List<CompletableFuture<Long>>> batch;
        synchronized (lock) {
            batch = waiting.remove(end);
            if (batch == null || batch.isEmpty()) {
                inFlight.put(end, false);
                return;
            }
        }
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        OffsetSpec spec = end == End.EARLIEST ? OffsetSpec.earliest() : OffsetSpec.latest();
        batch.keySet().forEach(tp -> request.put(tp, spec));
        ListOffsetsResult result;
        try {
            result = admin.listOffsets(request, options);
        } catch (RuntimeException e) {
            batch.values().forEach(list -> list.forEach(f -> f.completeExceptionally(e)));
            send(end);
            return;
        }
        List<KafkaFuture<ListOffsetsResult.ListOffsetsResultInfo>> all = new ArrayList<>();
        batch.forEach((tp, answers) -> {
            KafkaFuture<ListOffsetsResult.ListOffsetsResultInfo> one = result.partitionResult(tp);
            all.add(one);
            one.whenComplete((info, error) -> answers.forEach(f -> {
                if (error != null) {
                    f.completeExceptionally(error);
                } else {
                    f.complete(info.offset());
                }
            }));
        });
        // whatever queued up meanwhile goes out as soon as this one is answered
        KafkaFuture.allOf(all.toArray(KafkaFuture[]::new)).whenComplete((v, e) -> send(end));
    }
}
