package io.wharf.core.auth.jwt;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.wharf.core.auth.jwt.JwtCheck.Invalid;
import io.wharf.core.auth.jwt.JwtCheck.KeysPending;
import io.wharf.core.auth.jwt.JwtCheck.Verified;
import io.wharf.core.config.ConfigException;
import io.wharf.core.config.JwtSettings;
import io.wharf.core.logging.LogValue;

/**
 * Verifies JSON Web Tokens as {@code auth.jwt} says, never blocking its caller: with HMAC secrets, a
 * JWKS file or an already fetched JWKS URL the answer is there at once; only a token whose {@code kid}
 * is not known yet waits for the key set to be fetched, on the verifier's own daemon thread
 * ({@code wharf-jwks}), which also re-reads a changed JWKS file and refreshes the URL's keys.
 *
 * <p>Policy, besides nimbus-jose-jwt's parsing and signature checks: only the configured algorithms
 * ({@code none} never); HS tokens only against the configured secrets and RS/PS/ES tokens only against
 * JWKS keys of the matching type and curve, so a token cannot pick its own kind of key (algorithm
 * confusion); {@code exp} required unless {@code require-expiry} is off; {@code exp} and {@code nbf}
 * with the clock skew; {@code iss} and {@code aud} when configured. Thread-safe: any thread may call.
 */
public final class JwtVerifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JwtVerifier.class);
    /** Keys tried for a token without {@code kid}: bounds the work a token can cause. */
    static final int MAX_KEYS_TRIED = 10;

    private final JwtSettings settings;
    private final Set<JWSAlgorithm> allowed = new LinkedHashSet<>();
    private final List<JWSVerifier> secrets = new ArrayList<>();
    private final ScheduledThreadPoolExecutor keyThread;
    private final PublicKeySource keys;
    private final Clock clock;
    private final Counter verifiedCounter;
    private final Map<JwtRejection, Counter> rejectedCounters = new EnumMap<>(JwtRejection.class);

    /**
     * A verifier for valid settings; a JWKS file is read now, a JWKS URL's first fetch starts now.
     *
     * @param registry where to count outcomes ({@code wharf.jwt.verifications{outcome=...}}), or null
     * @throws ConfigException when the JWKS file cannot be used
     */
    public JwtVerifier(JwtSettings settings, MeterRegistry registry) {
        this(settings, registry, Clock.systemUTC(), System::nanoTime);
    }

    JwtVerifier(JwtSettings settings, MeterRegistry registry, Clock clock, LongSupplier nanoClock) {
        List<String> problems = new ArrayList<>();
        settings.problems("auth.jwt", problems);
        if (!problems.isEmpty()) {
            throw new ConfigException("invalid configuration: " + String.join("; ", problems));
        }
        this.settings = settings;
        this.clock = clock;
        settings.algorithms().forEach(name -> allowed.add(JWSAlgorithm.parse(name)));
        for (String secret : settings.hmacSecret()) {
            try {
                secrets.add(new MACVerifier(secret.getBytes(StandardCharsets.UTF_8)));
            } catch (JOSEException e) {
                throw new ConfigException("invalid configuration: auth.jwt.hmac-secret: " + e.getMessage());
            }
        }
        if (settings.jwksFile() != null || settings.jwksUrl() != null) {
            keyThread = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "wharf-jwks");
                t.setDaemon(true);
                return t;
            });
            keyThread.setRemoveOnCancelPolicy(true);
            try {
                keys = settings.jwksFile() != null
                        ? new JwksFile(settings.jwksFile(), "auth.jwt.jwks-file", keyThread)
                        : new JwksUrl(URI.create(settings.jwksUrl()), settings.refreshInterval(),
                        settings.minRefreshInterval(), settings.jwksTimeout(), settings.maxJwksBytes(), keyThread,
                        nanoClock);
            } catch (RuntimeException e) {
                keyThread.shutdownNow();
                throw e;
            }
        } else {
            keyThread = null;
            keys = null;
        }
        if (registry != null) {
            verifiedCounter = counter(registry, "verified");
            for (JwtRejection r : JwtRejection.values()) {
                rejectedCounters.put(r, counter(registry, r.tag()));
            }
        } else {
            verifiedCounter = null;
        }
    }

    private static Counter counter(MeterRegistry registry, String outcome) {
        return Counter.builder("wharf.jwt.verifications").tag("outcome", outcome)
                .description("JSON Web Tokens checked, by outcome").register(registry);
    }

    /**
     * Verifies a token. The future is complete on return unless the token names a key the JWKS URL has
     * not served yet; then it completes on the key thread once the key set is fetched (within
     * {@code jwks-timeout}). It fails with an {@link InvalidJwtException} whose message is the
     * client-safe reason.
     */
    public CompletableFuture<VerifiedJwt> verify(String token) {
        JwtCheck check = verifyNow(token);
        if (check instanceof KeysPending pending) {
            return pending.result().thenCompose(JwtVerifier::asFuture);
        }
        return asFuture(check);
    }

    private static CompletableFuture<VerifiedJwt> asFuture(JwtCheck check) {
        if (check instanceof Verified verified) {
            return CompletableFuture.completedFuture(verified.jwt());
        }
        if (check instanceof Invalid invalid) {
            return CompletableFuture.failedFuture(new InvalidJwtException(invalid));
        }
        throw new IllegalStateException("a re-check after a key fetch is never pending again");
    }

    /**
     * Verifies a token without waiting for anything: {@link Verified}, {@link Invalid}, or
     * {@link KeysPending} when the key set is being fetched for it.
     */
    public JwtCheck verifyNow(String token) {
        return counted(check(token));
    }

    private JwtCheck counted(JwtCheck check) {
        if (check instanceof KeysPending pending) {
            return new KeysPending(pending.result().thenApply(this::counted));
        }
        if (check instanceof Verified && verifiedCounter != null) {
            verifiedCounter.increment();
        } else if (check instanceof Invalid invalid && verifiedCounter != null) {
            rejectedCounters.get(invalid.rejection()).increment();
        }
        return check;
    }

    private JwtCheck check(String token) {
        if (token == null || token.isEmpty()) {
            return invalid(JwtRejection.MALFORMED, "no token was given");
        }
        // JWTs are ASCII, so characters are bytes; anything else fails to parse below
        if (token.length() > settings.maxTokenBytes()) {
            return invalid(JwtRejection.TOO_LONG, "the token is longer than " + settings.maxTokenBytes()
                    + " bytes (auth.jwt.max-token-bytes)");
        }
        try {
            JWT jwt;
            try {
                jwt = JWTParser.parse(token);
            } catch (ParseException e) {
                return invalid(JwtRejection.MALFORMED, "the token is not a well-formed JWT");
            }
            if (jwt instanceof PlainJWT) {
                return invalid(JwtRejection.ALGORITHM, "the token is not signed (alg none), which is never accepted");
            }
            if (!(jwt instanceof SignedJWT signed)) {
                return invalid(JwtRejection.ALGORITHM, "encrypted tokens (JWE) are not accepted");
            }
            JWSAlgorithm alg = signed.getHeader().getAlgorithm();
            if (!allowed.contains(alg)) {
                return invalid(JwtRejection.ALGORITHM, "the token's algorithm " + LogValue.of(alg.getName())
                        + " is not allowed");
            }
            return checkSignature(signed, true);
        } catch (RuntimeException e) {
            // nimbus refusing odd input in a way not declared; the token stays out of the log
            LOG.debug("event=jwt_unreadable reason={}", LogValue.of(e.toString()));
            return invalid(JwtRejection.MALFORMED, "the token is not a well-formed JWT");
        }
    }

    private JwtCheck checkSignature(SignedJWT signed, boolean mayFetch) {
        JWSAlgorithm alg = signed.getHeader().getAlgorithm();
        if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
            // only the configured secrets: never a JWKS key, whatever the token's kid says
            for (JWSVerifier secret : secrets) {
                if (verifies(signed, secret)) {
                    return checkClaims(signed);
                }
            }
            return invalid(JwtRejection.SIGNATURE, "the token's signature is not valid");
        }
        String kid = signed.getHeader().getKeyID();
        KeyRing ring = keys.keys();
        List<KeyRing.Entry> candidates = ring.candidates(alg, kid);
        if (candidates.isEmpty()) {
            if (kid != null && ring.hasKid(kid)) {
                return invalid(JwtRejection.UNKNOWN_KEY, "the key with kid \"" + LogValue.of(kid)
                        + "\" is not for algorithm " + alg.getName());
            }
            if (mayFetch) {
                Optional<CompletableFuture<Void>> fetch = keys.refreshForUnknownKey();
                if (fetch.isPresent()) {
                    return new KeysPending(fetch.get().thenApply(done -> checkSignature(signed, false)));
                }
            }
            String unknown = kid == null ? "no key for algorithm " + alg.getName() + " is known"
                    : "no key with kid \"" + LogValue.of(kid) + "\" is known";
            String failure = keys.lastFailure();
            if (failure != null) {
                return invalid(JwtRejection.KEYS_UNAVAILABLE, unknown + ", and " + failure);
            }
            return invalid(JwtRejection.UNKNOWN_KEY, unknown);
        }
        int tried = 0;
        for (KeyRing.Entry candidate : candidates) {
            if (tried++ == MAX_KEYS_TRIED) {
                break;
            }
            if (verifies(signed, candidate.verifier())) {
                return checkClaims(signed);
            }
        }
        return invalid(JwtRejection.SIGNATURE, "the token's signature is not valid");
    }

    private static boolean verifies(SignedJWT signed, JWSVerifier verifier) {
        try {
            // the signing input and signature, not the stateful SignedJWT.verify: one token, several keys
            return verifier.verify(signed.getHeader(), signed.getSigningInput(), signed.getSignature());
        } catch (JOSEException e) {
            return false;
        }
    }

    private JwtCheck checkClaims(SignedJWT signed) {
        JWTClaimsSet set;
        try {
            set = signed.getJWTClaimsSet();
        } catch (ParseException e) {
            return invalid(JwtRejection.MALFORMED, "the token's claims are not a JSON object with valid exp, nbf, iat"
                    + " (numbers), iss, sub (texts) and aud (a text or a list)");
        }
        Instant now = clock.instant();
        Instant expiresAt = instant(set.getExpirationTime());
        Instant notBefore = instant(set.getNotBeforeTime());
        if (expiresAt == null && settings.requireExpiry()) {
            return invalid(JwtRejection.EXPIRED, "the token has no expiry (exp), which auth.jwt.require-expiry asks for");
        }
        if (expiresAt != null && !now.isBefore(expiresAt.plus(settings.clockSkew()))) {
            return invalid(JwtRejection.EXPIRED, "the token has expired");
        }
        if (notBefore != null && now.plus(settings.clockSkew()).isBefore(notBefore)) {
            return invalid(JwtRejection.NOT_YET_VALID, "the token is not valid yet (nbf)");
        }
        if (settings.issuer() != null && !settings.issuer().equals(set.getIssuer())) {
            return invalid(JwtRejection.ISSUER, set.getIssuer() == null ? "the token has no issuer (iss)"
                    : "the token's issuer is not the configured one");
        }
        if (!settings.audience().isEmpty()
                && (set.getAudience() == null || Collections.disjoint(set.getAudience(), settings.audience()))) {
            return invalid(JwtRejection.AUDIENCE, "the token's audience does not include the configured one");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> claims = (Map<String, Object>) immutable(set.toJSONObject());
        Object subject = claim(claims, settings.subjectClaim());
        if (!(subject instanceof String || subject instanceof Long) || subject.toString().isEmpty()) {
            return invalid(JwtRejection.CLAIMS, "the token has no subject (" + settings.subjectClaim() + " is "
                    + (subject == null ? "missing" : "not a text") + ")");
        }
        Object rolesValue = claim(claims, settings.rolesClaim());
        Set<String> roles = new LinkedHashSet<>();
        if (rolesValue instanceof String text) {
            for (String role : text.trim().split("\\s+")) {
                if (!role.isEmpty()) {
                    roles.add(role);
                }
            }
        } else if (rolesValue instanceof List<?> list) {
            for (Object role : list) {
                if (!(role instanceof String text)) {
                    return invalid(JwtRejection.CLAIMS, "the token's roles claim (" + settings.rolesClaim()
                            + ") holds something that is not a text");
                }
                roles.add(text);
            }
        } else if (rolesValue != null) {
            return invalid(JwtRejection.CLAIMS, "the token's roles claim (" + settings.rolesClaim()
                    + ") is neither a list of texts nor a space-separated text");
        }
        return new Verified(new VerifiedJwt(subject.toString(), roles, claims, expiresAt, notBefore));
    }

    private static Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }

    /**
     * The value of a claim: the claim of that exact name if there is one (namespaced claims such as
     * {@code https://example.com/roles} hold dots), else the dotted path into nested objects.
     */
    static Object claim(Map<String, Object> claims, String path) {
        if (claims.containsKey(path)) {
            return claims.get(path);
        }
        Object node = claims;
        for (String part : path.split("\\.", -1)) {
            if (!(node instanceof Map<?, ?> map)) {
                return null;
            }
            node = map.get(part);
        }
        return node;
    }

    /** A deep immutable copy of parsed JSON (maps keep their order; nulls kept); dates become epoch seconds. */
    private static Object immutable(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), immutable(v)));
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(immutable(v)));
            return Collections.unmodifiableList(copy);
        }
        if (value instanceof Date date) {
            return date.getTime() / 1000;
        }
        return value;
    }

    private static Invalid invalid(JwtRejection rejection, String reason) {
        return new Invalid(rejection, reason);
    }

    /** Stops watching the JWKS file or refreshing the URL; a fetch still running ends its waiters with a cancellation. */
    @Override
    public void close() {
        if (keys != null) {
            keys.close();
        }
        if (keyThread != null) {
            keyThread.shutdownNow();
        }
    }
}
