package io.wharf.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and memory of a running process, read from Linux's /proc; -1 where /proc is missing. */
public final class ProcessStats {
    private ProcessStats() {
    }

    /** User plus system CPU time so far, nanoseconds (clock ticks of 10 ms). */
    public static long cpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // utime, stime
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Resident set size now (VmRSS), bytes. */
    public static long rssBytes(long pid) {
        return statusBytes(pid, "VmRSS:");
    }

    /** Peak resident set size (VmHWM), bytes. */
    public static long peakRssBytes(long pid) {
        return statusBytes(pid, "VmHWM:");
    }

    private static long statusBytes(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
