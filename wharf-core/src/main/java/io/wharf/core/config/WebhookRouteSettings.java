package io.wharf.core.config;

import java.net.URI;
import java.util.List;

/**
 * One webhook route: records of the source topics, consumed by a group, each become an HTTP call.
 *
 * @param name   the route's name, used in metrics and logs
 * @param topics source topics
 * @param group  consumer group (default {@code wharf-relay-<name>})
 * @param url    endpoint called once per record
 */
public record WebhookRouteSettings(String name, List<String> topics, String group, URI url) implements Section {
    public WebhookRouteSettings {
        topics = topics == null ? List.of() : List.copyOf(topics);
        group = group == null && name != null ? "wharf-relay-" + name : group;
    }

    @Override
    public void problems(String key, List<String> problems) {
        if (name == null || name.isBlank()) {
            problems.add(key + ".name: is required");
        }
        if (topics.isEmpty()) {
            problems.add(key + ".topics: at least one topic is required");
        }
        if (url == null) {
            problems.add(key + ".url: is required");
        }
    }
}
