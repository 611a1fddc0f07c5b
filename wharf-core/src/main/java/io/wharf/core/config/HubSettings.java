package io.wharf.core.config;

import java.time.Duration;
import java.util.List;

/**
 * The shared topic hub.
 *
 * @param bootstrapTopics topics read from start-up instead of on first interest
 * @param idleGrace       how long a shared reader lives on with no subscriber
 */
public record HubSettings(List<String> bootstrapTopics, Duration idleGrace) implements Section {
    public HubSettings {
        bootstrapTopics = bootstrapTopics == null ? List.of() : List.copyOf(bootstrapTopics);
        idleGrace = idleGrace == null ? Duration.ofSeconds(30) : idleGrace;
    }

    /** Every default. */
    public static HubSettings defaults() {
        return new HubSettings(null, null);
    }

    @Override
    public void problems(String key, List<String> problems) {
        if (idleGrace.isNegative()) {
            problems.add(key + ".idle-grace: must not be negative");
        }
    }
}
