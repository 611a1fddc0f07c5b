package io.wharf.core.config;

import java.util.List;

/**
 * The HTTP front door (REST, Server-Sent Events, WebSocket, health and metrics).
 *
 * @param enabled        whether to listen at all
 * @param maxBodyBytes   largest request body accepted (413 beyond)
 * @param maxConnections connections beyond this are refused with 503
 */
public record HttpSettings(Boolean enabled, Integer maxBodyBytes, Integer maxConnections) implements Section {
    public HttpSettings {
        enabled = enabled == null || enabled;
        maxBodyBytes = maxBodyBytes == null ? 8 * 1024 * 1024 : maxBodyBytes;
        maxConnections = maxConnections == null ? 20_000 : maxConnections;
    }

    /** Every default. */
    public static HttpSettings defaults() {
        return new HttpSettings(null, null, null);
    }

    @Override
    public void problems(String key, List<String> problems) {
        if (maxBodyBytes < 1) {
            problems.add(key + ".max-body-bytes: " + maxBodyBytes + " must be positive");
        }
        if (maxConnections < 1) {
            problems.add(key + ".max-connections: " + maxConnections + " must be positive");
        }
    }
}
