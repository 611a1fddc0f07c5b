package io.wharf.core.hub;

import java.util.Arrays;
import java.util.List;

/**
 * One filter: every condition must hold (AND). A subscription's filters are OR-ed, and each
 * delivered record says which of them matched.
 *
 * @param conditions the conditions, all required
 */
public record RecordFilter(List<Condition> conditions) {
    public RecordFilter {
        conditions = List.copyOf(conditions);
    }

    /** A filter of these conditions, all required. */
    public static RecordFilter of(Condition... conditions) {
        return new RecordFilter(List.of(conditions));
    }

    /** Whether every condition holds for a record with this key and these headers. */
    public boolean matches(byte[] key, List<HubEvent.Header> headers) {
        for (Condition c : conditions) {
            if (!holds(c, key, headers)) {
                return false;
            }
        }
        return true;
    }

    private static boolean holds(Condition condition, byte[] key, List<HubEvent.Header> headers) {
        if (condition instanceof KeyEquals k) {
            return key != null && Arrays.equals(k.key(), key);
        }
        if (condition instanceof HeaderEquals h) {
            for (HubEvent.Header header : headers) {
                if (header.key().equals(h.name()) && Arrays.equals(header.value(), h.value())) {
                    return true;
                }
            }
            return false;
        }
        return !holds(((Not) condition).condition(), key, headers);
    }

    /** A condition on a record's key or headers. */
    public sealed interface Condition {
    }

    /** The record's key equals these bytes. */
    public record KeyEquals(byte[] key) implements Condition {
        public KeyEquals {
            java.util.Objects.requireNonNull(key, "key");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof KeyEquals k && Arrays.equals(key, k.key);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(key);
        }

        @Override
        public String toString() {
            return "key=" + new String(key, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** The record has a header with this name whose value equals these bytes. */
    public record HeaderEquals(String name, byte[] value) implements Condition {
        public HeaderEquals {
            java.util.Objects.requireNonNull(name, "header name");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof HeaderEquals h && name.equals(h.name) && Arrays.equals(value, h.value);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "header." + name + "=" + (value == null ? "null" : new String(value, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** The inner condition does not hold. */
    public record Not(Condition condition) implements Condition {
        public Not {
            java.util.Objects.requireNonNull(condition, "condition");
        }
    }
}
