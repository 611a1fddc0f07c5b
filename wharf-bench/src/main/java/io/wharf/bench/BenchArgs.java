package io.wharf.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** Scenario options given as {@code --name value} (or {@code --name=value}) after the scenario name. */
public final class BenchArgs {
    private final Map<String, String> values = new LinkedHashMap<>();

    public BenchArgs(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got '" + a + "'");
            }
            String name = a.substring(2);
            int eq = name.indexOf('=');
            if (eq >= 0) {
                values.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                values.put(name, args[++i]);
            } else {
                values.put(name, "true");
            }
        }
    }

    /** A text option. */
    public String text(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** A whole-number option; accepts 1000000, 1_000_000, 1M and 10k. */
    public long number(String name, long fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        String t = v.replace("_", "").trim().toLowerCase();
        long scale = 1;
        if (t.endsWith("k")) {
            scale = 1_000;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            scale = 1_000_000;
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t) * scale;
    }

    /** An int option. */
    public int integer(String name, int fallback) {
        return Math.toIntExact(number(name, fallback));
    }

    /** A boolean flag. */
    public boolean flag(String name) {
        return Boolean.parseBoolean(values.getOrDefault(name, "false"));
    }

    /** Every option given, for the report header. */
    public Map<String, String> all() {
        return values;
    }
}
