package io.wharf.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The web origins allowed to use the door from a browser ({@code http.cors.allowed-origins}): exact
 * origins ({@code https://app.example.com}), subdomain wildcards ({@code https://*.example.com}: one
 * or more labels before {@code example.com}, never {@code example.com} itself; scheme and port must
 * match) or {@code *} for any. Matching ignores case and treats a default port ({@code :443} for
 * https, {@code :80} for http) as absent, as browsers do. The opaque origin {@code null} (sandboxed
 * frames, {@code file:} pages) matches only {@code *}. Immutable, so shared by every connection.
 */
final class AllowedOrigins {
    /** Nothing allowed: the door's default. */
    static final AllowedOrigins NONE = new AllowedOrigins(false, List.of());

    private final boolean any;
    private final List<OriginPattern> patterns;

    private AllowedOrigins(boolean any, List<OriginPattern> patterns) {
        this.any = any;
        this.patterns = patterns;
    }

    /** The origins of the setting's entries; each must have no {@link #problem(String)}. */
    static AllowedOrigins of(List<String> entries) {
        boolean any = false;
        List<OriginPattern> patterns = new ArrayList<>();
        for (String entry : entries) {
            if (entry.trim().equals("*")) {
                any = true;
            } else {
                OriginPattern pattern = OriginPattern.parse(entry.trim());
                if (pattern == null) {
                    throw new IllegalArgumentException(problem(entry));
                }
                patterns.add(pattern);
            }
        }
        return new AllowedOrigins(any, List.copyOf(patterns));
    }

    /** Null when {@code entry} is a valid allowed-origins entry, else why not. */
    static String problem(String entry) {
        if (entry == null || entry.isBlank()) {
            return "an entry is empty";
        }
        String e = entry.trim();
        if (e.equals("*") || OriginPattern.parse(e) != null) {
            return null;
        }
        if (e.indexOf("://") > 0 && e.indexOf('/', e.indexOf("://") + 3) >= 0) {
            return "'" + e + "' has a path: an origin is scheme://host[:port], without even a trailing /";
        }
        return "'" + e + "' is not an origin like https://app.example.com, https://*.example.com or *";
    }

    /** Whether every origin is allowed ({@code *}). */
    boolean any() {
        return any;
    }

    /** Whether nothing is configured, so no origin but the door's own is allowed. */
    boolean none() {
        return !any && patterns.isEmpty();
    }

    /** Whether the {@code Origin} header's value is allowed (a malformed one never is, unless any is). */
    boolean allows(String origin) {
        if (any) {
            return true;
        }
        Origin parsed = Origin.parse(origin);
        if (parsed == null) {
            return false;
        }
        for (OriginPattern pattern : patterns) {
            if (pattern.matches(parsed)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the {@code Origin} is the door's own, {@code scheme://Host} of the request (https when
     * the connection is TLS): a page served by the door itself.
     */
    static boolean sameOrigin(String origin, String host, boolean tls) {
        if (host == null) {
            return false;
        }
        Origin parsed = Origin.parse(origin);
        Origin own = Origin.parse((tls ? "https://" : "http://") + host.trim());
        return parsed != null && parsed.equals(own);
    }

    /** A tuple origin: scheme, host, port (the scheme's default filled in, -1 if it has none). */
    record Origin(String scheme, String host, int port) {
        static Origin parse(String text) {
            if (text == null) {
                return null;
            }
            String t = text.trim().toLowerCase(Locale.ROOT);
            int sep = t.indexOf("://");
            if (sep < 1 || !validScheme(t.substring(0, sep))) {
                return null;
            }
            String scheme = t.substring(0, sep);
            String authority = t.substring(sep + 3);
            String host;
            String port = null;
            if (authority.startsWith("[")) {
                int close = authority.indexOf(']');
                if (close < 0) {
                    return null;
                }
                host = authority.substring(0, close + 1);
                String after = authority.substring(close + 1);
                if (!after.isEmpty()) {
                    if (!after.startsWith(":")) {
                        return null;
                    }
                    port = after.substring(1);
                }
                if (!host.substring(1, host.length() - 1).chars().allMatch(c -> c == ':' || c == '.'
                        || Character.digit(c, 16) >= 0)) {
                    return null;
                }
            } else {
                int colon = authority.indexOf(':');
                host = colon < 0 ? authority : authority.substring(0, colon);
                port = colon < 0 ? null : authority.substring(colon + 1);
                if (!validHost(host)) {
                    return null;
                }
            }
            int p;
            if (port == null) {
                p = defaultPort(scheme);
            } else {
                if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
                    return null;
                }
                p = Integer.parseInt(port);
                if (p > 65535) {
                    return null;
                }
            }
            return new Origin(scheme, host, p);
        }
    }

    /** One configured entry: an exact origin, or {@code scheme://*.suffix[:port]}. */
    private record OriginPattern(Origin origin, boolean subdomains) {
        static OriginPattern parse(String text) {
            String t = text.toLowerCase(Locale.ROOT);
            int sep = t.indexOf("://");
            if (sep > 0 && t.startsWith("*.", sep + 3)) {
                Origin suffix = Origin.parse(t.substring(0, sep + 3) + t.substring(sep + 5));
                // a wildcard over a bare top-level name (*.com) or an address is never meant
                return suffix == null || !suffix.host().contains(".") || suffix.host().startsWith("[")
                        ? null : new OriginPattern(suffix, true);
            }
            Origin exact = Origin.parse(t);
            return exact == null ? null : new OriginPattern(exact, false);
        }

        boolean matches(Origin o) {
            if (!subdomains) {
                return origin.equals(o);
            }
            String host = o.host();
            String suffix = "." + origin.host();
            // at least one non-empty label before the suffix; Origin.parse already refused empty labels
            return o.scheme().equals(origin.scheme()) && o.port() == origin.port()
                    && host.length() > suffix.length() && host.endsWith(suffix);
        }
    }

    private static boolean validScheme(String scheme) {
        if (scheme.isEmpty() || !Character.isLetter(scheme.charAt(0))) {
            return false;
        }
        return scheme.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-'
                || c == '.');
    }

    /** A DNS name or IPv4 address: non-empty labels of letters, digits and inner hyphens. */
    private static boolean validHost(String host) {
        if (host.isEmpty() || host.length() > 253) {
            return false;
        }
        for (String label : host.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            if (!label.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_')) {
                return false;
            }
        }
        return true;
    }

    private static int defaultPort(String scheme) {
        return switch (scheme) {
            case "http", "ws" -> 80;
            case "https", "wss" -> 443;
            default -> -1;
        };
    }
}
