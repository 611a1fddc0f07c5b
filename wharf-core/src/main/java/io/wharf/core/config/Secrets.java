package io.wharf.core.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Keeps secrets out of logs and error messages. */
public final class Secrets {
    private static final String MASK = "******";

    private Secrets() {
    }

    /** Whether a property name looks like it holds a secret (passwords, JAAS configs, keys, tokens). */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("jaas") || k.contains("secret") || k.contains("token")
                || k.endsWith(".key") || k.contains("credential");
    }

    /** A copy with secret-looking values masked. */
    public static Map<String, String> masked(Map<String, String> props) {
        Map<String, String> out = new LinkedHashMap<>();
        props.forEach((k, v) -> out.put(k, isSecret(k) ? MASK : v));
        return out;
    }

    /** The mask itself, or null for null. */
    public static String mask(String value) {
        return value == null ? null : MASK;
    }
}
