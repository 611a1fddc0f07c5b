package io.wharf.core.group;

import java.util.Collection;
import java.util.Map;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What a member tells its door. Every call runs on the member's poller thread (a lifecycle thread
 * for {@link #failed} before the member started, {@link #assigned} of an assigned partition and
 * {@link #closing}); the door decides where its work runs (e.g. hops to its event loop) and never
 * blocks here: the thread serves many members.
 */
public interface MemberListener {

    /** Records were queued: take them with {@link GroupMember#take}. */
    void recordsAvailable();

    /** Partitions were assigned (in assign mode: the one partition, once). */
    void assigned(Collection<TopicPartition> partitions);

    /**
     * Partitions are being taken away; their queued records are dropped already (another member
     * gets them). Returns offsets to commit before they go (committed synchronously, within the
     * close timeout), or an empty map.
     */
    Map<TopicPartition, OffsetAndMetadata> revoked(Collection<TopicPartition> partitions);

    /** Partitions were lost without a chance to commit; their queued records are dropped already. */
    void lost(Collection<TopicPartition> partitions);

    /** The member stopped because of an error; it closes itself. */
    void failed(MemberFailure failure);

    /** Whether the door waits for records now: the member then polls more often (up to the poll backoff). */
    default boolean waiting() {
        return true;
    }

    /** After each poll round: room for periodic work (e.g. asking for a commit of acknowledged offsets). */
    default void polled(long nowNanos) {
    }

    /** The member is closing: the last offsets to commit, after every commit asked for before. */
    default Map<TopicPartition, OffsetAndMetadata> closing() {
        return Map.of();
    }

    /** A commit finished (queued, on revoke or on close), with null or its error: for counters and logs. */
    default void committed(Map<TopicPartition, OffsetAndMetadata> offsets, Throwable error) {
    }
}
