package io.wharf.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Median, min and max of repeated measurements, as the reports want them. */
public final class Stats {
    private final List<Double> values = new ArrayList<>();

    /** Adds one measurement. */
    public void add(double value) {
        values.add(value);
    }

    /** The median (mean of the middle two for an even count). */
    public double median() {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The smallest measurement. */
    public double min() {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    /** The largest measurement. */
    public double max() {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** {@code median (min–max)} with the given number format. */
    public String format(String numberFormat) {
        return String.format(Locale.ROOT, numberFormat + " (" + numberFormat + "–" + numberFormat + ")", median(), min(), max());
    }
}
