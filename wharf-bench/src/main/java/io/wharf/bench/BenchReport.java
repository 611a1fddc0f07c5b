package io.wharf.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a scenario writes: progress lines as it goes, then result rows printed as an aligned table
 * (and as Markdown, ready for {@code docs/benchmarks.md}).
 */
public final class BenchReport {
    private final PrintStream out;
    private final List<String[]> rows = new ArrayList<>();
    private String[] header;

    public BenchReport(PrintStream out) {
        this.out = out;
    }

    /** A progress line, prefixed with the time. */
    public void progress(String format, Object... args) {
        out.printf(Locale.ROOT, "[%s] %s%n", Instant.now().toString().substring(11, 19), String.format(Locale.ROOT, format, args));
        out.flush();
    }

    /** The result table's column names. */
    public void columns(String... names) {
        header = names;
    }

    /** One result row. */
    public void row(Object... cells) {
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = cells[i] instanceof Double d ? String.format(Locale.ROOT, "%,.2f", d)
                    : cells[i] instanceof Long l ? String.format(Locale.ROOT, "%,d", l)
                    : cells[i] instanceof Integer n ? String.format(Locale.ROOT, "%,d", n)
                    : String.valueOf(cells[i]);
        }
        rows.add(r);
    }

    /** Prints the machine line, the table and its Markdown form. */
    public void print(String title) {
        out.println();
        out.println("== " + title);
        out.println(machine());
        if (header == null) {
            return;
        }
        int[] widths = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            widths[i] = header[i].length();
            for (String[] r : rows) {
                widths[i] = Math.max(widths[i], i < r.length ? r[i].length() : 0);
            }
        }
        printRow(header, widths);
        for (String[] r : rows) {
            printRow(r, widths);
        }
        out.println();
        out.println("| " + String.join(" | ", header) + " |");
        out.println("|" + "---|".repeat(header.length));
        for (String[] r : rows) {
            out.println("| " + String.join(" | ", r) + " |");
        }
        out.flush();
    }

    private void printRow(String[] r, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            String cell = i < r.length ? r[i] : "";
            line.append(String.format(Locale.ROOT, "%-" + widths[i] + "s  ", cell));
        }
        out.println(line.toString().stripTrailing());
    }

    /** Cores, JDK and heap of this JVM. */
    public static String machine() {
        Runtime rt = Runtime.getRuntime();
        return String.format(Locale.ROOT, "machine: %d cores, JDK %s (%s), max heap %d MiB, %s",
                rt.availableProcessors(), System.getProperty("java.version"), System.getProperty("java.vm.name"),
                rt.maxMemory() >> 20, ManagementFactory.getRuntimeMXBean().getName());
    }
}
