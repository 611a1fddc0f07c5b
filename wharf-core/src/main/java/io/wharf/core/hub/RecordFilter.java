package io.wharf.core.hub;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One filter: every condition must hold (AND). A subscription's filters are OR-ed, and each
 * delivered record says which of them matched. Doors build filters with {@link FilterGrammar}.
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
            if (!c.test(key, headers)) {
                return false;
            }
        }
        return true;
    }

    /** A condition on a record's key or headers; each kind tests itself, so a filter cannot meet a kind it does not know. */
    public sealed interface Condition permits KeyEquals, HeaderEquals, Not {
        /** Whether the condition holds for a record with this key (null when it has none) and these headers. */
        boolean test(byte[] key, List<HubEvent.Header> headers);
    }

    /** The record's key equals these bytes (a record without a key never matches). */
    public record KeyEquals(byte[] key) implements Condition {
        public KeyEquals {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public boolean test(byte[] recordKey, List<HubEvent.Header> headers) {
            return recordKey != null && Arrays.equals(key, recordKey);
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
            return "key=" + new String(key, StandardCharsets.UTF_8);
        }
    }

    /** The record has a header with this name whose value equals these bytes (null matches a null-valued header). */
    public record HeaderEquals(String name, byte[] value) implements Condition {
        public HeaderEquals {
            Objects.requireNonNull(name, "header name");
        }

        @Override
        public boolean test(byte[] key, List<HubEvent.Header> headers) {
            for (int i = 0, n = headers.size(); i < n; i++) {
                HubEvent.Header header = headers.get(i);
                if (header.key().equals(name) && Arrays.equals(header.value(), value)) {
                    return true;
                }
            }
            return false;
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
            return "header." + name + "=" + (value == null ? "null" : new String(value, StandardCharsets.UTF_8));
        }
    }

    /** The inner condition does not hold. */
    public record Not(Condition condition) implements Condition {
        public Not {
            Objects.requireNonNull(condition, "condition");
        }

        @Override
        public boolean test(byte[] key, List<HubEvent.Header> headers) {
            return !condition.test(key, headers);
        }
    }
}
