package io.wharf.core.hub;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A subscription's OR-ed filters as one unit, with the filters its access grant binds: subscribers
 * asking for equal filters share one evaluation per record. The result is a bit mask (bit i set
 * when filter i matched), 0 for a record outside the bound filters whatever the client's match.
 */
final class FilterSet {
    /** Most filters one subscription may give (one bit each in a {@code long}). */
    static final int MAX_FILTERS = 64;
    private static final int MAX_INTERNED_MASKS = 1024;

    /** The mask of a record a subscription without filters of its own receives. */
    private static final long UNFILTERED = 1L;

    private final List<RecordFilter> filters;
    private final List<RecordFilter> bound;
    private final ConcurrentHashMap<Long, List<Integer>> matchedLists = new ConcurrentHashMap<>();

    FilterSet(List<RecordFilter> filters) {
        this(filters, List.of());
    }

    /**
     * @param filters the client's OR-ed filters (empty: every record the bound filters admit)
     * @param bound   the access grant's OR-ed filters (empty: none); a record must match one of them
     */
    FilterSet(List<RecordFilter> filters, List<RecordFilter> bound) {
        if (filters.isEmpty() && bound.isEmpty() || filters.size() > MAX_FILTERS) {
            throw new IllegalArgumentException("a subscription takes 1 to " + MAX_FILTERS + " filters, not "
                    + filters.size());
        }
        this.filters = List.copyOf(filters);
        this.bound = List.copyOf(bound);
    }

    List<RecordFilter> filters() {
        return filters;
    }

    /** The mask of filters matching a record; 0 when none does. */
    long evaluate(byte[] key, List<HubEvent.Header> headers) {
        if (!bound.isEmpty() && !anyMatches(bound, key, headers)) {
            return 0;
        }
        if (filters.isEmpty()) {
            return UNFILTERED;
        }
        long mask = 0;
        for (int i = 0; i < filters.size(); i++) {
            if (filters.get(i).matches(key, headers)) {
                mask |= 1L << i;
            }
        }
        return mask;
    }

    private static boolean anyMatches(List<RecordFilter> any, byte[] key, List<HubEvent.Header> headers) {
        for (int i = 0, n = any.size(); i < n; i++) {
            if (any.get(i).matches(key, headers)) {
                return true;
            }
        }
        return false;
    }

    /** The filter indexes in a mask, as the immutable list a delivered record carries. */
    List<Integer> matched(long mask) {
        if (filters.isEmpty()) {
            return List.of();
        }
        List<Integer> list = matchedLists.get(mask);
        if (list != null) {
            return list;
        }
        List<Integer> indexes = new ArrayList<>(Long.bitCount(mask));
        for (long m = mask; m != 0; m &= m - 1) {
            indexes.add(Long.numberOfTrailingZeros(m));
        }
        list = Collections.unmodifiableList(indexes);
        if (matchedLists.size() < MAX_INTERNED_MASKS) {
            matchedLists.putIfAbsent(mask, list);
        }
        return list;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FilterSet f && f.filters.equals(filters) && f.bound.equals(bound);
    }

    @Override
    public int hashCode() {
        return filters.hashCode() * 31 + bound.hashCode();
    }
}
