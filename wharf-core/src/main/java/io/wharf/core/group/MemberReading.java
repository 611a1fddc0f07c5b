package io.wharf.core.group;

import java.util.List;

import org.apache.kafka.common.TopicPartition;

/** What a member reads: a group subscription to topics, or one partition assigned by the door. */
public sealed interface MemberReading permits MemberReading.Subscribe, MemberReading.Assign {

    /**
     * Joins the consumer's group on these topics; partitions come and go with rebalances.
     *
     * @param topics the topics
     */
    record Subscribe(List<String> topics) implements MemberReading {
        public Subscribe {
            topics = List.copyOf(topics);
        }
    }

    /**
     * Reads one partition without joining the group (the group id is used for commits only).
     *
     * @param partition the partition
     * @param offset    the first offset to read, or null for the group's committed offset (else the reset policy)
     */
    record Assign(TopicPartition partition, Long offset) implements MemberReading {
    }
}
