package io.wharf.http;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

import io.netty.channel.Channel;
import io.wharf.core.group.GroupMember;
import io.wharf.core.group.MemberFailure;
import io.wharf.core.group.MemberListener;
import io.wharf.core.group.MemberReading;
import io.wharf.core.group.MemberSpec;
import io.wharf.core.group.NotAssignedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A WebSocket's consumer-group member (core {@link GroupMember}, polled by the door's few poller
 * threads): every event it reports is handed to the connection's event loop, where the socket owns
 * all its state.
 */
final class SocketMember {

    /** What the member tells its socket; every call arrives on the connection's event loop. */
    interface Listener {
        /** Records are waiting in {@link #take}. */
        void recordsAvailable();

        /** Partitions were assigned (group mode) or the single partition is being read (assign mode). */
        void assigned(Collection<TopicPartition> partitions);

        /** Partitions were taken away: records of them not yet taken are dropped (another member gets them). */
        void revoked(Collection<TopicPartition> partitions);

        /** The member stopped because of an error. */
        void failed(Throwable error);
    }

    private final GroupMember member;
    private final String topic;
    private final Channel channel;
    private final Listener listener;
    // one records-available task queued on the event loop at a time
    private final AtomicBoolean scheduled = new AtomicBoolean();

    private SocketMember(DoorContext door, String group, Map<String, Object> overrides, MemberReading reading,
                         String topic, Channel channel, Listener listener, int maxRecords, long maxBytes) {
        this.topic = topic;
        this.channel = channel;
        this.listener = listener;
        MemberSpec spec = new MemberSpec("http " + group + " " + topic + " " + channel.remoteAddress(),
                () -> door.kafka().newGroupConsumer(group, overrides), reading, maxRecords, maxBytes,
                DoorContext.GROUP_POLL_BACKOFF, DoorContext.GROUP_CLOSE_TIMEOUT);
        this.member = door.groups().member(spec, new Events());
        // the topic (and partition) were checked before the socket asked for its member
        member.start(CompletableFuture.completedFuture(null));
    }

    /** Joins the group on the topic; partitions come and go with rebalances. */
    static SocketMember subscribed(DoorContext door, String group, Map<String, Object> overrides, String topic,
                                   Channel channel, Listener listener, int maxRecords, long maxBytes) {
        return new SocketMember(door, group, overrides, new MemberReading.Subscribe(List.of(topic)), topic, channel,
                listener, maxRecords, maxBytes);
    }

    /** Reads one partition from an offset (or the group's committed offset when null), without joining the group. */
    static SocketMember assigned(DoorContext door, String group, Map<String, Object> overrides, TopicPartition partition,
                                 Long offset, Channel channel, Listener listener, int maxRecords, long maxBytes) {
        return new SocketMember(door, group, overrides, new MemberReading.Assign(partition, offset), partition.topic(),
                channel, listener, maxRecords, maxBytes);
    }

    /** Takes up to {@code max} queued records (at least one if any, then up to {@code maxBytes}). */
    List<ConsumerRecord<byte[], byte[]>> take(int max, long maxBytes) {
        return member.take(max, maxBytes);
    }

    /**
     * Commits offsets (each the next offset to read) on the member's poller thread; the callback
     * runs on the event loop with null or the error. In group mode partitions not owned any more fail.
     */
    void commit(Map<TopicPartition, Long> offsets, BiConsumer<Map<TopicPartition, Long>, Throwable> callback) {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        offsets.forEach((tp, offset) -> commit.put(tp, new OffsetAndMetadata(offset)));
        member.commit(commit).whenComplete((ok, error) -> {
            Throwable reported = error instanceof NotAssignedException
                    ? new IllegalStateException("partition no longer assigned to this subscription") : error;
            channel.eventLoop().execute(() -> callback.accept(offsets, reported));
        });
    }

    /** The topic read. */
    String topic() {
        return topic;
    }

    /** Stops reading; the consumer commits what was asked and leaves its group on a lifecycle thread. */
    void close() {
        member.close();
    }

    /** Hands each member event to the event loop (the member's poller thread calls these). */
    private final class Events implements MemberListener {
        @Override
        public void recordsAvailable() {
            if (scheduled.compareAndSet(false, true)) {
                channel.eventLoop().execute(() -> {
                    scheduled.set(false);
                    listener.recordsAvailable();
                });
            }
        }

        @Override
        public void assigned(Collection<TopicPartition> partitions) {
            channel.eventLoop().execute(() -> listener.assigned(partitions));
        }

        @Override
        public Map<TopicPartition, OffsetAndMetadata> revoked(Collection<TopicPartition> partitions) {
            channel.eventLoop().execute(() -> listener.revoked(partitions));
            return Map.of(); // acks are committed as they come; nothing waits to be committed here
        }

        @Override
        public void lost(Collection<TopicPartition> partitions) {
            channel.eventLoop().execute(() -> listener.revoked(partitions));
        }

        @Override
        public void failed(MemberFailure failure) {
            channel.eventLoop().execute(() -> listener.failed(failure.cause()));
        }
    }
}
