package io.wharf.testkit.gateway;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.wharf.core.config.JwtSettings;

/** HS256 tokens for door tests, signed with one shared secret that {@link #settings()} accepts. */
public final class TestJwt {
    /** The shared secret (32 bytes). */
    public static final String SECRET = "wharf-test-secret-of-32-bytes-at-least!";

    private TestJwt() {
    }

    /** {@code auth.jwt} accepting tokens signed with {@link #SECRET}. */
    public static JwtSettings settings() {
        return JwtSettings.hmac(SECRET);
    }

    /**
     * A token for {@code subject} with these roles ({@code roles} claim) and other claims, expiring at
     * {@code expiresAt}.
     */
    public static String token(String subject, List<String> roles, Map<String, Object> claims, Instant expiresAt) {
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder().subject(subject).claim("roles", roles)
                .expirationTime(Date.from(expiresAt)).issueTime(new Date());
        claims.forEach(builder::claim);
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), builder.build());
        try {
            jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /** A token for {@code subject} with these roles, valid for an hour. */
    public static String token(String subject, String... roles) {
        return token(subject, List.of(roles), Map.of(), Instant.now().plusSeconds(3600));
    }
}
