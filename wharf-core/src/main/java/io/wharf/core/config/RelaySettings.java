package io.wharf.core.config;

import java.util.List;

/**
 * The exactly-once relay: webhook routes (Kafka to HTTP) and pollers (HTTP to Kafka).
 *
 * @param routes  webhook routes
 * @param pollers HTTP pollers
 */
public record RelaySettings(List<WebhookRouteSettings> routes, List<PollerSettings> pollers) implements Section {
    public RelaySettings {
        routes = routes == null ? List.of() : List.copyOf(routes);
        pollers = pollers == null ? List.of() : List.copyOf(pollers);
    }

    /** No routes, no pollers. */
    public static RelaySettings defaults() {
        return new RelaySettings(null, null);
    }

    @Override
    public void problems(String key, List<String> problems) {
        for (int i = 0; i < routes.size(); i++) {
            routes.get(i).problems(key + ".routes[" + i + "]", problems);
        }
        for (int i = 0; i < pollers.size(); i++) {
            pollers.get(i).problems(key + ".pollers[" + i + "]", problems);
        }
    }
}
