package io.wharf.relay.webhook;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable set of offsets held as sorted, disjoint, non-adjacent half-open ranges
 * {@code [start, end)}: what a partition has finished beyond its committed offset.
 */
final class OffsetRanges {
    static final OffsetRanges EMPTY = new OffsetRanges(new long[0]);

    // start0, end0, start1, end1, ... ascending
    private final long[] bounds;

    private OffsetRanges(long[] bounds) {
        this.bounds = bounds;
    }

    /** Builds a set from ranges given in ascending order; touching or overlapping ranges are merged. */
    static final class Builder {
        private final List<long[]> ranges = new ArrayList<>();

        Builder add(long start, long end) {
            if (end <= start) {
                return this;
            }
            if (!ranges.isEmpty()) {
                long[] last = ranges.get(ranges.size() - 1);
                if (start < last[0]) {
                    throw new IllegalArgumentException("ranges must be added in ascending order");
                }
                if (start <= last[1]) {
                    last[1] = Math.max(last[1], end);
                    return this;
                }
            }
            ranges.add(new long[] {start, end});
            return this;
        }

        OffsetRanges build() {
            long[] b = new long[ranges.size() * 2];
            for (int i = 0; i < ranges.size(); i++) {
                b[2 * i] = ranges.get(i)[0];
                b[2 * i + 1] = ranges.get(i)[1];
            }
            return b.length == 0 ? EMPTY : new OffsetRanges(b);
        }
    }

    static Builder builder() {
        return new Builder();
    }

    /** Number of ranges. */
    int size() {
        return bounds.length / 2;
    }

    long start(int i) {
        return bounds[2 * i];
    }

    long end(int i) {
        return bounds[2 * i + 1];
    }

    boolean isEmpty() {
        return bounds.length == 0;
    }

    /** Whether the offset is in one of the ranges. */
    boolean contains(long offset) {
        int lo = 0;
        int hi = size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (offset < start(mid)) {
                hi = mid - 1;
            } else if (offset >= end(mid)) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** The part at or above {@code from}. */
    OffsetRanges from(long from) {
        Builder b = builder();
        for (int i = 0; i < size(); i++) {
            if (end(i) > from) {
                b.add(Math.max(start(i), from), end(i));
            }
        }
        return b.build();
    }

    /** The union of two sets. */
    OffsetRanges union(OffsetRanges other) {
        Builder b = builder();
        int i = 0;
        int j = 0;
        while (i < size() || j < other.size()) {
            if (j >= other.size() || (i < size() && start(i) <= other.start(j))) {
                b.add(start(i), end(i));
                i++;
            } else {
                b.add(other.start(j), other.end(j));
                j++;
            }
        }
        return b.build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OffsetRanges r && Arrays.equals(bounds, r.bounds);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bounds);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < size(); i++) {
            s.append(i == 0 ? "" : ", ").append(start(i)).append("..").append(end(i) - 1);
        }
        return s.append(']').toString();
    }
}
