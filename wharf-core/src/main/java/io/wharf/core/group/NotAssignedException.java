package io.wharf.core.group;

import java.util.Set;

import org.apache.kafka.common.TopicPartition;

/** A commit named partitions that a rebalance took from the member: their records go to another member now. */
public final class NotAssignedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Set<TopicPartition> partitions;

    public NotAssignedException(Set<TopicPartition> partitions) {
        super("partitions no longer assigned to this member: " + partitions, null, false, false);
        this.partitions = Set.copyOf(partitions);
    }

    /** The partitions not assigned any more. */
    public Set<TopicPartition> partitions() {
        return partitions;
    }
}
