package io.wharf.core.config;

import java.util.List;

/**
 * The Redis-protocol front door.
 *
 * @param enabled        whether to listen at all
 * @param maxBulkBytes   largest bulk string accepted (Rafka's 32,768,000 by default)
 * @param maxConnections connections beyond this are refused with an error
 */
public record RespSettings(Boolean enabled, Integer maxBulkBytes, Integer maxConnections) implements Section {
    public RespSettings {
        enabled = enabled == null || enabled;
        maxBulkBytes = maxBulkBytes == null ? 32_768_000 : maxBulkBytes;
        maxConnections = maxConnections == null ? 10_000 : maxConnections;
    }

    /** Every default. */
    public static RespSettings defaults() {
        return new RespSettings(null, null, null);
    }

    @Override
    public void problems(String key, List<String> problems) {
        if (maxBulkBytes < 1) {
            problems.add(key + ".max-bulk-bytes: " + maxBulkBytes + " must be positive");
        }
        if (maxConnections < 1) {
            problems.add(key + ".max-connections: " + maxConnections + " must be positive");
        }
    }
}
