package io.wharf.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.wharf.core.access.Principal;
import io.wharf.core.config.AuthSettings;
import io.wharf.core.config.JwtSettings;
import org.junit.jupiter.api.Test;

/** A JWT is a credential like the others: a principal with its roles, claims and expiry, and a failure counts. */
class CredentialsJwtTest {
    private static final String SECRET = "a-shared-secret-of-at-least-32-bytes!!";

    private static String token(String sub, Instant exp, Map<String, Object> claims) throws Exception {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().subject(sub).expirationTime(Date.from(exp))
                .claim("roles", List.of("customer"));
        claims.forEach(b::claim);
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), b.build());
        jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    @Test
    void aValidTokenIsAJwtPrincipalAsBearerAndAsAPassword() throws Exception {
        Instant exp = Instant.now().plusSeconds(600);
        try (Credentials credentials = new Credentials(new AuthSettings(null, Map.of(), List.of("static-token"))
                .withJwt(JwtSettings.hmac(SECRET)))) {
            assertThat(credentials.required()).isTrue();
            String token = token("alice", exp, Map.of("tenant", "a"));
            AuthOutcome bearer = credentials.attemptBearer("http", "10.0.0.1", token);
            assertThat(bearer).isInstanceOf(AuthOutcome.Accepted.class);
            Principal p = ((AuthOutcome.Accepted) bearer).principal();
            assertThat(p.name()).isEqualTo("alice");
            assertThat(p.kind()).isEqualTo(Principal.Kind.JWT);
            assertThat(p.roles()).containsExactly("customer");
            assertThat(p.value("claims.tenant")).isEqualTo("a");
            assertThat(p.expiresAt()).isEqualTo(Instant.ofEpochSecond(exp.getEpochSecond()));

            AuthOutcome password = credentials.attemptPassword("resp", "10.0.0.1", null, token);
            assertThat(((AuthOutcome.Accepted) password).principal().name()).isEqualTo("alice");
            AuthOutcome configured = credentials.attemptBearer("http", "10.0.0.1", "static-token");
            assertThat(((AuthOutcome.Accepted) configured).principal().name()).isEqualTo("token-1");
        }
    }

    @Test
    void anExpiredTokenIsRejectedWithItsReasonAndCountsAgainstTheAddress() throws Exception {
        try (Credentials credentials = new Credentials(new AuthSettings(null, Map.of(), List.of())
                .withJwt(JwtSettings.hmac(SECRET)).withFailureBudget(2, java.time.Duration.ofMinutes(1),
                        java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(10)))) {
            String expired = token("alice", Instant.now().minusSeconds(120), Map.of());
            AuthOutcome first = credentials.attemptBearer("http", "10.0.0.2", expired);
            assertThat(first).isInstanceOf(AuthOutcome.Rejected.class);
            assertThat(((AuthOutcome.Rejected) first).reason()).contains("expired").doesNotContain(expired);
            credentials.attemptPassword("resp", "10.0.0.2", "default", expired);
            assertThat(credentials.attemptBearer("http", "10.0.0.2", token("alice", Instant.now().plusSeconds(60),
                    Map.of()))).as("the address used up its budget").isInstanceOf(AuthOutcome.Refused.class);
        }
    }
}
