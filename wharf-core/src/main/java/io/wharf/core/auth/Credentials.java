package io.wharf.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import io.wharf.core.config.AuthSettings;

/**
 * Checks what clients present against the configured credentials, in constant time. Every front
 * door asks this one object, so auth means the same everywhere.
 */
public final class Credentials {
    /** The user a bare password belongs to, as in Redis. */
    public static final String DEFAULT_USER = "default";

    private final AuthSettings settings;

    public Credentials(AuthSettings settings) {
        this.settings = settings;
    }

    /** True when any credential is configured, so every front door must authenticate. */
    public boolean required() {
        return settings.enabled();
    }

    /**
     * Whether a user name and password match. A null, empty or {@code default} user means the
     * password of the default user.
     */
    public boolean checkPassword(String user, String password) {
        if (password == null) {
            return false;
        }
        if (user == null || user.isEmpty() || user.equals(DEFAULT_USER)) {
            if (settings.password() != null && same(settings.password(), password)) {
                return true;
            }
            if (user == null || user.isEmpty()) {
                return false;
            }
        }
        String expected = settings.users().get(user);
        return expected != null && same(expected, password);
    }

    /** Whether a bearer token is one of the configured tokens. */
    public boolean checkToken(String token) {
        if (token == null) {
            return false;
        }
        boolean match = false;
        for (String t : settings.tokens()) {
            match |= same(t, token);
        }
        return match;
    }

    /** Whether a raw shared secret (kafka-proxy's {@code basic <secret>}) is the default password or a token. */
    public boolean checkSecret(String secret) {
        return checkPassword(DEFAULT_USER, secret) || checkToken(secret);
    }

    private static boolean same(String expected, String presented) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }
}
