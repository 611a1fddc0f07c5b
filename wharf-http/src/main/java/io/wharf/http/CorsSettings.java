package io.wharf.http;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonCreator;
import io.wharf.core.config.DurationText;
import io.wharf.core.config.Section;

/**
 * Which web pages of other origins may use the HTTP door from a browser ({@code http.cors}), and
 * which origins may open its WebSockets. Empty {@code allowedOrigins} (the default): no CORS header
 * is ever sent, preflights are refused, and WebSocket upgrades and state-changing requests are
 * accepted only from the door's own origin or from clients that send no {@code Origin} (non-browsers).
 *
 * @param allowedOrigins   exact origins, {@code https://*.example.com} wildcards, or {@code *}
 * @param allowedMethods   methods a preflight allows
 * @param allowedHeaders   request headers a preflight allows
 * @param exposedHeaders   response headers a page may read besides the CORS-safelisted ones
 * @param allowCredentials whether pages may send credentials ({@code fetch(..., {credentials: "include"})},
 *                         {@code new EventSource(url, {withCredentials: true})}); never together with {@code *}
 * @param maxAge           how long a browser may cache a preflight's answer
 */
public record CorsSettings(List<String> allowedOrigins, List<String> allowedMethods, List<String> allowedHeaders,
                           List<String> exposedHeaders, Boolean allowCredentials, Duration maxAge) implements Section {
    /** The headers Wharf's replies carry that a page may need to read. */
    static final List<String> DEFAULT_EXPOSED = List.of("Retry-After", "Idempotent-Replayed", "WWW-Authenticate", "Allow");

    @JsonCreator
    public CorsSettings {
        allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
        allowedMethods = allowedMethods == null ? List.of("GET", "POST", "PUT", "DELETE", "OPTIONS")
                : List.copyOf(allowedMethods);
        allowedHeaders = allowedHeaders == null ? List.of("Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID")
                : List.copyOf(allowedHeaders);
        exposedHeaders = exposedHeaders == null ? DEFAULT_EXPOSED : List.copyOf(exposedHeaders);
        allowCredentials = allowCredentials != null && allowCredentials;
        maxAge = maxAge == null ? Duration.ofMinutes(10) : maxAge;
    }

    /** Every default: no origin but the door's own. */
    public static CorsSettings defaults() {
        return new CorsSettings(null, null, null, null, null, null);
    }

    /** The defaults with these allowed origins. */
    public static CorsSettings allowing(String... origins) {
        return new CorsSettings(List.of(origins), null, null, null, null, null);
    }

    @Override
    public void problems(String key, List<String> problems) {
        for (int i = 0; i < allowedOrigins.size(); i++) {
            String problem = AllowedOrigins.problem(allowedOrigins.get(i));
            if (problem != null) {
                problems.add(key + ".allowed-origins[" + i + "]: " + problem);
            }
        }
        if (allowCredentials && allowedOrigins.stream().anyMatch(o -> o != null && o.trim().equals("*"))) {
            // reflecting every origin with credentials would let any site act as the signed-in user
            problems.add(key + ".allow-credentials: true with allowed-origins '*' would let every web site send the "
                    + "user's credentials and read the replies; list the origins instead");
        }
        tokens(problems, key + ".allowed-methods", allowedMethods);
        tokens(problems, key + ".allowed-headers", allowedHeaders);
        tokens(problems, key + ".exposed-headers", exposedHeaders);
        if (maxAge.isNegative()) {
            problems.add(key + ".max-age: " + DurationText.format(maxAge) + " must be 0 or more");
        }
    }

    /** Methods and header names are HTTP tokens: a typo like a comma inside one entry would break every preflight. */
    private static void tokens(List<String> problems, String key, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            if (v == null || v.isEmpty() || !v.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
                problems.add(key + "[" + i + "]: '" + v + "' is not a method or header name");
            }
        }
    }
}
