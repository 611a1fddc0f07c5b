package io.wharf.core.access;

import java.util.List;

import io.wharf.core.hub.HubEvent;
import io.wharf.core.hub.RecordFilter;

/**
 * The records a grant covers: every record, or only those matching one of the filters bound by
 * the rules that granted it (built from the principal's claims). Composed with a client's own
 * filters by AND, so no client filter can widen it.
 *
 * @param anyOf the bound filters, OR-ed; empty means every record
 */
public record StreamScope(List<RecordFilter> anyOf) {
    private static final StreamScope ALL = new StreamScope(List.of());

    public StreamScope {
        anyOf = List.copyOf(anyOf);
    }

    /** Every record. */
    public static StreamScope all() {
        return ALL;
    }

    /** Whether the scope covers every record. */
    public boolean unrestricted() {
        return anyOf.isEmpty();
    }

    /** Whether a record with this key and these headers is in scope. */
    public boolean admits(byte[] key, List<HubEvent.Header> headers) {
        if (anyOf.isEmpty()) {
            return true;
        }
        for (int i = 0, n = anyOf.size(); i < n; i++) {
            if (anyOf.get(i).matches(key, headers)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return anyOf.isEmpty() ? "all" : anyOf.toString();
    }
}
