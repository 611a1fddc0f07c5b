package io.wharf.core.access;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who a client is, whatever credential it presented: a name, its roles, the claims of its token
 * (empty for other credentials) and when its authorization ends.
 *
 * @param name      the principal's name: a user name, {@code token-<n>}, a JWT's subject, a
 *                  certificate's subject, or {@code anonymous}
 * @param kind      what credential it presented
 * @param roles     its roles: from the token's roles claim, or {@code access.roles}
 * @param claims    a JWT's claims; empty for other credentials
 * @param expiresAt when the credential stops being valid (a JWT's {@code exp}); null for never
 */
public record Principal(String name, Kind kind, Set<String> roles, Map<String, Object> claims, Instant expiresAt) {
    /** The name of the principal of clients that present no credentials. */
    public static final String ANONYMOUS = "anonymous";

    /** What credential a principal presented. */
    public enum Kind {
        /** No credentials (auth off, or {@code access.anonymous}). */
        ANONYMOUS,
        /** A configured user and its password. */
        USER,
        /** A configured bearer token. */
        TOKEN,
        /** A verified JSON Web Token. */
        JWT,
        /** A TLS client certificate. */
        CERTIFICATE
    }

    public Principal {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        roles = roles == null ? Set.of() : Set.copyOf(roles);
        claims = claims == null ? Map.of() : Map.copyOf(claims);
    }

    /** The principal of a client without credentials. */
    public static Principal anonymous() {
        return new Principal(ANONYMOUS, Kind.ANONYMOUS, Set.of(), Map.of(), null);
    }

    /** Whether the credential has expired at {@code now}. */
    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    /** A copy with these roles added (from {@code access.roles}). */
    public Principal withRoles(Set<String> more) {
        if (more.isEmpty() || roles.containsAll(more)) {
            return this;
        }
        java.util.HashSet<String> all = new java.util.HashSet<>(roles);
        all.addAll(more);
        return new Principal(name, kind, all, claims, expiresAt);
    }

    /**
     * A value a template names: {@code sub} and {@code name} are the principal's name;
     * {@code claims.a.b} walks the claims. Null when absent or not a single value.
     */
    public String value(String path) {
        if (path.equals("sub") || path.equals("name")) {
            return name;
        }
        if (!path.startsWith("claims.")) {
            return null;
        }
        Object at = claims;
        for (String part : path.substring("claims.".length()).split("\\.", -1)) {
            if (!(at instanceof Map<?, ?> map)) {
                return null;
            }
            at = map.get(part);
        }
        if (at instanceof String || at instanceof Number || at instanceof Boolean) {
            return String.valueOf(at);
        }
        if (at instanceof List<?> list && list.size() == 1 && !(list.get(0) instanceof Map<?, ?>)
                && !(list.get(0) instanceof List<?>)) {
            return String.valueOf(list.get(0));
        }
        return null;
    }

    @Override
    public String toString() {
        // claims may hold personal data; a principal's log form is its name and kind
        return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + name;
    }
}
