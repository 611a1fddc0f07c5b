package io.wharf.relay.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

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
        entries(key + ".routes", "route", routes, WebhookRouteSettings::name, problems);
        entries(key + ".pollers", "poller", pollers, PollerSettings::name, problems);
    }

    /** Each entry's problems, an empty entry, and a name used twice in one list. */
    private static <T extends Section> void entries(String key, String kind, List<T> entries, Function<T, String> name,
                                                    List<String> problems) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            T entry = entries.get(i);
            if (entry == null) {
                problems.add(key + "[" + i + "]: must be a mapping of keys to values");
                continue;
            }
            entry.problems(key + "[" + i + "]", problems);
            String entryName = name.apply(entry);
            if (entryName != null && !names.add(entryName)) {
                problems.add(key + "[" + i + "].name: '" + entryName + "' is used by another " + kind);
            }
        }
    }
}
