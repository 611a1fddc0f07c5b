package io.wharf.core.auth.jwt;

import java.util.Locale;

/** Why a token was refused, in a word fit for a metric tag; the sentence for people is in {@link JwtCheck.Invalid}. */
public enum JwtRejection {
    /** Empty, not three Base64URL parts, or not JSON. */
    MALFORMED,
    /** Longer than {@code auth.jwt.max-token-bytes}. */
    TOO_LONG,
    /** Unsigned ({@code alg: none}), encrypted, or signed with an algorithm not allowed. */
    ALGORITHM,
    /** No configured key has the token's {@code kid} (or fits its algorithm). */
    UNKNOWN_KEY,
    /** The key set at {@code jwks-url} could not be fetched. */
    KEYS_UNAVAILABLE,
    /** The signature does not match any key that fits. */
    SIGNATURE,
    /** Past {@code exp} (beyond the clock skew), or without {@code exp} when one is required. */
    EXPIRED,
    /** Before {@code nbf} (beyond the clock skew). */
    NOT_YET_VALID,
    /** {@code iss} is not the configured issuer. */
    ISSUER,
    /** {@code aud} does not contain the configured audience. */
    AUDIENCE,
    /** A claim Wharf reads (subject, roles, times) is missing or of the wrong type. */
    CLAIMS;

    /** The lower-case name, e.g. {@code unknown_key}: the {@code outcome} tag of the verification counter. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
