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

    /** A condition on a record's key or headers. */
    public sealed interface Condition {
    }

    /** The record's key equals these bytes. */
    public record KeyEquals(byte[] key) implements Condition {
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
            return "header." + name + "=" + new String(value, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** The inner condition does not hold. */
    public record Not(Condition condition) implements Condition {
    }
}
