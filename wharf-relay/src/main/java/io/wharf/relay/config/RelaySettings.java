package io.wharf.relay.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.wharf.core.config.Section;

/**
 * The exactly-once relay: webhook routes (Kafka to HTTP) and pollers (HTTP to Kafka).
 *
 * @param instanceId this instance's stable identity among the instances sharing the routes: its Kafka
 *                   static group membership and transactional ids derive from it, so a restarted
 *                   instance takes over its own work at once. Default: derived from the host name and
 *                   the data directory. Two instances running at the same time must differ.
 * @param routes     webhook routes
 * @param pollers    HTTP pollers
 */
public record RelaySettings(String instanceId, List<WebhookRouteSettings> routes, List<PollerSettings> pollers)
        implements Section {
    public RelaySettings {
        instanceId = instanceId == null || instanceId.isBlank() ? null : instanceId.trim();
        // nulls survive to problems(), which names the empty entry instead of failing the bind
        routes = routes == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(routes));
        pollers = pollers == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(pollers));
    }

    /** No routes, no pollers. */
    public static RelaySettings defaults() {
        return new RelaySettings(null, null, null);
    }

    /** Whether there is anything to run. */
    @JsonIgnore
    public boolean isEmpty() {
        return routes.isEmpty() && pollers.isEmpty();
    }

    @Override
    public void problems(String key, List<String> problems) {
        if (instanceId != null) {
            RelayRules.name(problems, key + ".instance-id", instanceId);
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < routes.size(); i++) {
            WebhookRouteSettings route = routes.get(i);
            if (route == null) {
                problems.add(key + ".routes[" + i + "]: must be a mapping of keys to values");
                continue;
            }
            route.problems(key + ".routes[" + i + "]", problems);
            if (route.name() != null && !names.add(route.name())) {
                problems.add(key + ".routes[" + i + "].name: '" + route.name() + "' is used by another route");
            }
        }
        Set<String> pollerNames = new HashSet<>();
        for (int i = 0; i < pollers.size(); i++) {
            PollerSettings poller = pollers.get(i);
            if (poller == null) {
                problems.add(key + ".pollers[" + i + "]: must be a mapping of keys to values");
                continue;
            }
            poller.problems(key + ".pollers[" + i + "]", problems);
            if (poller.name() != null && !pollerNames.add(poller.name())) {
                problems.add(key + ".pollers[" + i + "].name: '" + poller.name() + "' is used by another poller");
            }
        }
    }
}
