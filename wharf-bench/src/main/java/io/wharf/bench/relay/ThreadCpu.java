package io.wharf.bench.relay;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** CPU time of this JVM's threads grouped by what they do, to say what limited a run. */
final class ThreadCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ThreadCpu() {
    }

    /** CPU nanoseconds per thread id. */
    static Map<Long, Long> snapshot() {
        Map<Long, Long> out = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long t = THREADS.getThreadCpuTime(id);
            if (t > 0) {
                out.put(id, t);
            }
        }
        return out;
    }

    /** CPU seconds spent since {@code before}, by thread group, largest first. */
    static String since(Map<Long, Long> before) {
        Map<String, Double> groups = new TreeMap<>();
        for (Map.Entry<Long, Long> e : snapshot().entrySet()) {
            ThreadInfo info = THREADS.getThreadInfo(e.getKey());
            if (info == null) {
                continue;
            }
            double seconds = (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 1e9;
            groups.merge(group(info.getThreadName()), seconds, Double::sum);
        }
        StringBuilder s = new StringBuilder();
        groups.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                .filter(e -> e.getValue() >= 0.05)
                .forEach(e -> s.append(s.length() == 0 ? "" : ", ").append(e.getKey())
                        .append(String.format(Locale.ROOT, " %.1f s", e.getValue())));
        return s.toString();
    }

    private static String group(String name) {
        if (name.startsWith("wharf-io")) {
            return "HTTP client event loops";
        }
        if (name.startsWith("wharf-relay-")) {
            return "relay route thread";
        }
        if (name.startsWith("kafka-producer-network-thread")) {
            return "Kafka producer I/O";
        }
        if (name.startsWith("data-plane-kafka") || name.startsWith("kafka-") || name.contains("Txn")
                || name.contains("group-coordinator") || name.contains("quorum") || name.contains("raft")
                || name.startsWith("ExpirationReaper") || name.contains("log-cleaner") || name.contains("replica")) {
            return "Kafka broker";
        }
        if (name.startsWith("main")) {
            return "benchmark driver";
        }
        return "other";
    }
}
