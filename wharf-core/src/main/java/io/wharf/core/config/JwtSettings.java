package io.wharf.core.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * JSON Web Tokens accepted as credentials ({@code auth.jwt}): where the signing keys come from and
 * which claims a token must carry.
 *
 * @param issuer             the {@code iss} a token must carry; not checked when null
 * @param audience           a token's {@code aud} (a text or a list) must contain one of these; not checked when empty
 * @param hmacSecret         shared secrets for HS256/384/512 (UTF-8 bytes, each at least 32 bytes); several while rotating
 * @param jwksFile           a JWKS document with the public keys (RSA, EC); re-read when it changes
 * @param jwksUrl            an http(s) URL serving the JWKS document; cached, refreshed every {@code refreshInterval}
 *                           and on a token with an unknown {@code kid}
 * @param refreshInterval    how often the key set at {@code jwksUrl} is fetched again
 * @param minRefreshInterval the shortest time between two fetches of {@code jwksUrl}, so tokens with made-up
 *                           {@code kid}s cannot make Wharf hammer the identity provider
 * @param jwksTimeout        connect timeout, and time for the whole answer, of one fetch of {@code jwksUrl}
 * @param maxJwksBytes       the largest JWKS document read from {@code jwksUrl}
 * @param algorithms         the JWS algorithms accepted; default HS256/384/512 when a secret is set and
 *                           RS/PS 256/384/512 and ES256/384/512 when keys are set; {@code none} never
 * @param rolesClaim         the claim holding the roles: a list of texts or a space-separated text (like
 *                           {@code scope}); a dotted path ({@code realm_access.roles}) reaches into objects
 * @param subjectClaim       the claim naming the principal (a dotted path too)
 * @param clockSkew          how far the {@code exp} and {@code nbf} checks tolerate clocks apart
 * @param maxTokenBytes      longer tokens are refused before they are parsed
 * @param requireExpiry      refuse tokens without {@code exp}
 */
public record JwtSettings(String issuer, List<String> audience, List<String> hmacSecret, Path jwksFile, String jwksUrl,
                          Duration refreshInterval, Duration minRefreshInterval, Duration jwksTimeout,
                          Integer maxJwksBytes, List<String> algorithms, String rolesClaim, String subjectClaim,
                          Duration clockSkew, Integer maxTokenBytes, Boolean requireExpiry) implements Section {
    /** The HMAC algorithms, accepted by default when a secret is set. */
    public static final List<String> HMAC_ALGORITHMS = List.of("HS256", "HS384", "HS512");
    /** The public-key algorithms, accepted by default when keys are set. */
    public static final List<String> KEY_ALGORITHMS = List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "ES512");
    /** The shortest HMAC secret accepted: HS256's 256 bits (RFC 7518 section 3.2). */
    public static final int MIN_SECRET_BYTES = 32;

    @JsonCreator
    public JwtSettings {
        audience = audience == null ? List.of() : List.copyOf(audience);
        hmacSecret = hmacSecret == null ? List.of() : List.copyOf(hmacSecret);
        refreshInterval = refreshInterval == null ? Duration.ofMinutes(10) : refreshInterval;
        minRefreshInterval = minRefreshInterval == null ? Duration.ofSeconds(30) : minRefreshInterval;
        jwksTimeout = jwksTimeout == null ? Duration.ofSeconds(5) : jwksTimeout;
        maxJwksBytes = maxJwksBytes == null ? 1024 * 1024 : maxJwksBytes;
        if (algorithms == null || algorithms.isEmpty()) {
            List<String> defaults = new ArrayList<>();
            if (!hmacSecret.isEmpty()) {
                defaults.addAll(HMAC_ALGORITHMS);
            }
            if (jwksFile != null || jwksUrl != null) {
                defaults.addAll(KEY_ALGORITHMS);
            }
            algorithms = defaults;
        }
        algorithms = List.copyOf(algorithms);
        rolesClaim = rolesClaim == null ? "roles" : rolesClaim;
        subjectClaim = subjectClaim == null ? "sub" : subjectClaim;
        clockSkew = clockSkew == null ? Duration.ofSeconds(30) : clockSkew;
        maxTokenBytes = maxTokenBytes == null ? 8 * 1024 : maxTokenBytes;
        requireExpiry = requireExpiry == null || requireExpiry;
    }

    /** Tokens signed with these shared secrets (HS256/384/512), every other setting at its default. */
    public static JwtSettings hmac(String... secrets) {
        return new JwtSettings(null, null, List.of(secrets), null, null, null, null, null, null, null, null, null, null,
                null, null);
    }

    /** Whether a key source is set (any of {@code hmac-secret}, {@code jwks-file}, {@code jwks-url}). */
    public boolean hasKeys() {
        return !hmacSecret.isEmpty() || jwksFile != null || jwksUrl != null;
    }

    @Override
    public void problems(String key, List<String> problems) {
        if (!hasKeys()) {
            problems.add(key + ": set hmac-secret, jwks-file or jwks-url (where the token's signing keys come from)");
        }
        if (issuer != null && issuer.isBlank()) {
            problems.add(key + ".issuer: is empty; remove the key to accept any issuer");
        }
        for (int i = 0; i < audience.size(); i++) {
            if (audience.get(i) == null || audience.get(i).isBlank()) {
                problems.add(key + ".audience[" + i + "]: is empty");
            }
        }
        for (int i = 0; i < hmacSecret.size(); i++) {
            String secret = hmacSecret.get(i);
            int bytes = secret == null ? 0 : secret.getBytes(StandardCharsets.UTF_8).length;
            if (bytes < MIN_SECRET_BYTES) {
                // the length only, never the secret
                problems.add(key + ".hmac-secret[" + i + "]: is " + bytes + " bytes; HS256 needs at least "
                        + MIN_SECRET_BYTES + " bytes (256 bits)");
            }
        }
        if (jwksFile != null && jwksUrl != null) {
            problems.add(key + ": set one of jwks-file and jwks-url, not both");
        }
        if (jwksFile != null && (!Files.isRegularFile(jwksFile) || !Files.isReadable(jwksFile))) {
            problems.add(key + ".jwks-file: '" + jwksFile + "' is not a readable file");
        }
        if (jwksUrl != null) {
            urlProblem(jwksUrl).ifPresent(p -> problems.add(key + ".jwks-url: '" + jwksUrl + "' " + p));
        }
        Set<String> known = new HashSet<>(HMAC_ALGORITHMS);
        known.addAll(KEY_ALGORITHMS);
        for (String alg : algorithms) {
            if (alg == null || alg.equalsIgnoreCase("none")) {
                problems.add(key + ".algorithms: none is never accepted (unsigned tokens)");
            } else if (!known.contains(alg)) {
                problems.add(key + ".algorithms: '" + alg + "' is not one of " + String.join(", ", known.stream().sorted().toList()));
            } else if (HMAC_ALGORITHMS.contains(alg) && hmacSecret.isEmpty()) {
                problems.add(key + ".algorithms: " + alg + " needs " + key + ".hmac-secret");
            } else if (KEY_ALGORITHMS.contains(alg) && jwksFile == null && jwksUrl == null) {
                problems.add(key + ".algorithms: " + alg + " needs " + key + ".jwks-file or " + key + ".jwks-url");
            }
        }
        positive(problems, key + ".refresh-interval", refreshInterval);
        positive(problems, key + ".min-refresh-interval", minRefreshInterval);
        positive(problems, key + ".jwks-timeout", jwksTimeout);
        if (clockSkew.isNegative()) {
            problems.add(key + ".clock-skew: must not be negative");
        }
        if (maxJwksBytes < 1) {
            problems.add(key + ".max-jwks-bytes: " + maxJwksBytes + " must be at least 1");
        }
        if (maxTokenBytes < 1) {
            problems.add(key + ".max-token-bytes: " + maxTokenBytes + " must be at least 1");
        }
        if (rolesClaim.isBlank()) {
            problems.add(key + ".roles-claim: is empty");
        }
        if (subjectClaim.isBlank()) {
            problems.add(key + ".subject-claim: is empty");
        }
    }

    private static Optional<String> urlProblem(String url) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http")) {
                return Optional.of("is not an http or https URL");
            }
            if (uri.getHost() == null) {
                return Optional.of("has no host");
            }
            return Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.of("is not a URL: " + e.getReason());
        }
    }

    private static void positive(List<String> problems, String key, Duration d) {
        if (d.isNegative() || d.isZero()) {
            problems.add(key + ": must be positive");
        }
    }

    @Override
    public String toString() {
        return "JwtSettings[issuer=" + issuer + ", audience=" + audience + ", hmacSecret=" + hmacSecret.size()
                + " secret(s), jwksFile=" + jwksFile + ", jwksUrl=" + jwksUrl + ", refreshInterval=" + refreshInterval
                + ", minRefreshInterval=" + minRefreshInterval + ", jwksTimeout=" + jwksTimeout + ", maxJwksBytes="
                + maxJwksBytes + ", algorithms=" + algorithms + ", rolesClaim=" + rolesClaim + ", subjectClaim="
                + subjectClaim + ", clockSkew=" + clockSkew + ", maxTokenBytes=" + maxTokenBytes + ", requireExpiry="
                + requireExpiry + "]";
    }
}
