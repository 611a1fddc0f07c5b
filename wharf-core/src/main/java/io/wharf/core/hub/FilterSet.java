package io.wharf.core.hub;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A subscription's OR-ed filters as one unit: subscribers asking for equal filters share one
 * evaluation per record. The result is a bit mask (bit i set when filter i matched).
 */
final class FilterSet {
    /** Most filters one subscription may give (one bit each in a {@code long}). */
    static final int MAX_FILTERS = 64;
    private static final int MAX_INTERNED_MASKS = 1024;

    private final List<RecordFilter> filters;
    private final ConcurrentHashMap<Long, List<Integer>> matchedLists = new ConcurrentHashMap<>();

    FilterSet(List<RecordFilter> filters) {
        if (filters.isEmpty() || filters.size() > MAX_FILTERS) {
            throw new IllegalArgumentException("a subscription takes 1 to " + MAX_FILTERS + " filters, not "
                    + filters.size());
        }
        this.filters = List.copyOf(filters);
    }

    List<RecordFilter> filters() {
        return filters;
    }

    /** The mask of filters matching a record; 0 when none does. */
    long evaluate(byte[] key, List<HubEvent.Header> headers) {
        long mask = 0;
        for (int i = 0; i < filters.size(); i++) {
            if (filters.get(i).matches(key, headers)) {
                mask |= 1L << i;
            }
        }
        return mask;
    }

    /** The filter indexes in a mask, as the immutable list a delivered record carries. */
    List<Integer> matched(long mask) {
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
        return o instanceof FilterSet f && f.filters.equals(filters);
    }

    @Override
    public int hashCode() {
        return filters.hashCode();
    }
}
