package io.wharf.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * One HTTP poller: GET a URL on a schedule and write what changed into a topic.
 *
 * @param name     the poller's name, used in metrics, logs and its stored state
 * @param url      what to GET
 * @param topic    where the records go
 * @param interval time between polls
 */
public record PollerSettings(String name, URI url, String topic, Duration interval) implements Section {
    public PollerSettings {
        interval = interval == null ? Duration.ofSeconds(30) : interval;
    }

    @Override
    public void problems(String key, List<String> problems) {
        if (name == null || name.isBlank()) {
            problems.add(key + ".name: is required");
        }
        if (url == null) {
            problems.add(key + ".url: is required");
        }
        if (topic == null || topic.isBlank()) {
            problems.add(key + ".topic: is required");
        }
        if (interval.isNegative() || interval.isZero()) {
            problems.add(key + ".interval: must be positive");
        }
    }
}
