package io.wharf.bench.hostile;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Named counts that hostile clients add to from many threads (replies seen, closes, bytes sent). */
final class Tally {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    void add(String what) {
        add(what, 1);
    }

    void add(String what, long n) {
        counts.computeIfAbsent(what, k -> new LongAdder()).add(n);
    }

    long get(String what) {
        LongAdder a = counts.get(what);
        return a == null ? 0 : a.sum();
    }

    /** {@code name n, name n} in name order; empty when nothing was counted. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        new TreeMap<>(counts).forEach((k, v) -> out.append(out.length() == 0 ? "" : ", ")
                .append(k).append(' ').append(String.format(java.util.Locale.ROOT, "%,d", v.sum())));
        return out.toString();
    }
}
