package io.wharf.relay.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.wharf.core.kafka.TopicNames;

/** The value rules shared by webhook routes and pollers; each check adds a line naming the key. */
final class RelayRules {
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** Headers the HTTP client or the relay itself sets; a configured value would break framing or the guarantees. */
    private static final Set<String> RESERVED = Set.of("host", "content-length", "transfer-encoding", "connection",
            "keep-alive", "upgrade", "te", "trailer", "expect", "proxy-connection", "idempotency-key");

    private RelayRules() {
    }

    static void name(List<String> problems, String key, String name) {
        if (name == null || name.isBlank()) {
            problems.add(key + ": is required");
        } else if (!TOPIC.matcher(name).matches()) {
            problems.add(key + ": '" + name + "' may only hold letters, digits, '.', '_' and '-'");
        }
    }

    static void topic(List<String> problems, String key, String topic, boolean required) {
        if (topic == null || topic.isBlank()) {
            if (required) {
                problems.add(key + ": is required");
            }
        } else if (TopicNames.problem(topic) != null) {
            problems.add(key + ": '" + topic + "' is not a valid Kafka topic name (" + TopicNames.problem(topic) + ")");
        }
    }

    static void url(List<String> problems, String key, URI url) {
        if (url == null) {
            problems.add(key + ": is required");
            return;
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            problems.add(key + ": '" + url + "' must be an absolute http:// or https:// URL");
        } else if (url.getHost() == null || url.getHost().isBlank()) {
            problems.add(key + ": '" + url + "' has no host");
        } else if (url.getRawUserInfo() != null) {
            problems.add(key + ": credentials in the URL are not supported (put them in headers)");
        } else if (url.getRawFragment() != null) {
            problems.add(key + ": '" + url + "' must not have a #fragment");
        }
    }

    static void headers(List<String> problems, String key, Map<String, String> headers) {
        headers.forEach((name, value) -> {
            if (name == null || !TOKEN.matcher(name).matches()) {
                problems.add(key + ": '" + name + "' is not a valid HTTP header name");
            } else if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
                problems.add(key + "." + name + ": is set by Wharf and cannot be configured");
            } else if (name.toLowerCase(Locale.ROOT).startsWith("wharf-")) {
                problems.add(key + "." + name + ": names starting with Wharf- are reserved for the relay's own headers");
            } else if (value == null || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
                problems.add(key + "." + name + ": the value must be one line of text");
            }
        });
    }

    static void positive(List<String> problems, String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            problems.add(key + ": must be positive");
        }
    }

    static void range(List<String> problems, String key, long value, long min, long max) {
        if (value < min || value > max) {
            problems.add(key + ": " + value + " is out of range (" + min + "-" + max + ")");
        }
    }

    /** Header values may carry secrets (Authorization, API keys): logs only ever see their names. */
    static String maskedHeaders(Map<String, String> headers) {
        StringBuilder out = new StringBuilder("{");
        headers.keySet().forEach(name -> out.append(out.length() > 1 ? ", " : "").append(name).append("=******"));
        return out.append('}').toString();
    }
}
