package io.wharf.core.config;

import java.util.List;
import java.util.Map;

/**
 * The embedded broker, used when no {@code bootstrap-servers} is given.
 *
 * @param autoCreateTopics off by default so a typo in a topic name is an error, not a new topic
 * @param partitions       partitions of topics created without a count
 * @param advertisedHost   host clients are told to connect to (default: the bind address)
 * @param properties       any further broker property, applied last
 */
public record EmbeddedSettings(Boolean autoCreateTopics, Integer partitions, String advertisedHost,
                               Map<String, String> properties) implements Section {
    public EmbeddedSettings {
        autoCreateTopics = autoCreateTopics != null && autoCreateTopics;
        partitions = partitions == null ? 1 : partitions;
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    @Override
    public void problems(String key, List<String> problems) {
        if (partitions < 1) {
            problems.add(key + ".partitions: " + partitions + " must be at least 1");
        }
    }
}
