package io.wharf.core.kafka;

import java.util.Map;

/**
 * What Wharf knows of a topic from Kafka's metadata.
 *
 * @param name       topic name
 * @param partitions number of partitions
 * @param compacted  whether {@code cleanup.policy} includes {@code compact}
 * @param configs    the topic's non-default configs as Kafka reports them
 */
public record TopicInfo(String name, int partitions, boolean compacted, Map<String, String> configs) {
    public TopicInfo {
        configs = Map.copyOf(configs);
    }

    /** Why {@code partition} is not one of this topic's, or null when it is. */
    public String partitionProblem(int partition) {
        if (partition >= 0 && partition < partitions) {
            return null;
        }
        return "topic '" + name + "' has partitions 0-" + (partitions - 1) + ", not " + partition;
    }
}
