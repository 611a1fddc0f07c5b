package io.wharf.core.auth.jwt;

import static io.wharf.core.auth.jwt.TestTokens.EC_1;
import static io.wharf.core.auth.jwt.TestTokens.ISSUER;
import static io.wharf.core.auth.jwt.TestTokens.RSA_1;
import static io.wharf.core.auth.jwt.TestTokens.RSA_2;
import static io.wharf.core.auth.jwt.TestTokens.SECRET_64;
import static io.wharf.core.auth.jwt.TestTokens.claims;
import static io.wharf.core.auth.jwt.TestTokens.hmac;
import static io.wharf.core.auth.jwt.TestTokens.settings;
import static io.wharf.core.auth.jwt.TestTokens.signed;
import static io.wharf.core.auth.jwt.TestTokens.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.PlainJWT;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wharf.core.config.JwtSettings;

class JwtVerifierTest {
    @TempDir
    Path dir;

    private final List<JwtVerifier> verifiers = new ArrayList<>();

    @AfterEach
    void close() {
        verifiers.forEach(JwtVerifier::close);
    }

    private JwtVerifier verifier(JwtSettings settings) {
        JwtVerifier v = new JwtVerifier(settings, null);
        verifiers.add(v);
        return v;
    }

    private JwtVerifier hmacVerifier(String... extra) {
        List<String> lines = new ArrayList<>(List.of("hmac-secret: " + SECRET_64, "issuer: " + ISSUER, "audience: wharf"));
        lines.addAll(List.of(extra));
        return verifier(settings(lines.toArray(String[]::new)));
    }

    private JwtVerifier fileVerifier(String jwks, String... extra) throws Exception {
        Path file = dir.resolve("jwks.json");
        Files.writeString(file, jwks);
        List<String> lines = new ArrayList<>(List.of("jwks-file: " + file, "issuer: " + ISSUER));
        lines.addAll(List.of(extra));
        return verifier(settings(lines.toArray(String[]::new)));
    }

    private static VerifiedJwt verified(JwtCheck check) {
        assertThat(check).isInstanceOf(JwtCheck.Verified.class);
        return ((JwtCheck.Verified) check).jwt();
    }

    private static JwtCheck.Invalid invalid(JwtCheck check, JwtRejection rejection) {
        assertThat(check).isInstanceOf(JwtCheck.Invalid.class);
        JwtCheck.Invalid invalid = (JwtCheck.Invalid) check;
        assertThat(invalid.rejection()).isEqualTo(rejection);
        return invalid;
    }

    @Test
    void hs256Hs384AndHs512TokensVerifyAtOnceWithTheirClaims() throws Exception {
        JwtVerifier v = hmacVerifier();
        for (JWSAlgorithm alg : List.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512)) {
            String token = hmac(alg, SECRET_64, with(b -> b.claim("tenant", "acme")
                    .claim("nested", Map.of("level", 2L, "flags", List.of(true, false)))));
            CompletableFuture<VerifiedJwt> future = v.verify(token);
            assertThat(future).isCompleted(); // known keys: no waiting at all
            VerifiedJwt jwt = future.get();
            assertThat(jwt.subject()).isEqualTo("alice");
            assertThat(jwt.roles()).containsExactly("reader");
            assertThat(jwt.claims()).containsEntry("tenant", "acme").containsEntry("iss", ISSUER)
                    .containsEntry("nested", Map.of("level", 2L, "flags", List.of(true, false)));
            assertThat(jwt.claims().get("exp")).isInstanceOf(Long.class);
            assertThat(jwt.expiresAt()).isEqualTo(Instant.ofEpochSecond((Long) jwt.claims().get("exp")));
            assertThat(jwt.notBefore()).isNull();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> jwt.claims().put("x", 1))
                    .isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void aSecondSecretVerifiesDuringRotationAndAWrongSecretIsASignatureFailure() {
        String next = "another-secret-of-at-least-thirty-two-bytes!";
        JwtVerifier v = verifier(settings("hmac-secret: [" + SECRET_64 + ", " + next + "]"));
        verified(v.verifyNow(hmac(JWSAlgorithm.HS256, next, claims().build())));
        JwtCheck.Invalid wrong = invalid(v.verifyNow(hmac(JWSAlgorithm.HS256, "x".repeat(40), claims().build())),
                JwtRejection.SIGNATURE);
        assertThat(wrong.reason()).isEqualTo("the token's signature is not valid");
    }

    @Test
    void rs256Ps256AndEs256TokensVerifyWithKeysFromAJwksFile() throws Exception {
        JwtVerifier v = fileVerifier(TestTokens.jwks(RSA_1, EC_1));
        assertThat(verified(v.verifyNow(signed(JWSAlgorithm.RS256, RSA_1, claims().build()))).subject()).isEqualTo("alice");
        verified(v.verifyNow(signed(JWSAlgorithm.PS256, RSA_1, claims().build())));
        verified(v.verifyNow(signed(JWSAlgorithm.ES256, EC_1, claims().build())));
        verified(v.verifyNow(signed(JWSAlgorithm.RS512, RSA_1, null, claims().build()))); // no kid: every RSA key is tried
        assertThat(v.verify(signed(JWSAlgorithm.ES256, EC_1, claims().build()))).isCompleted();
    }

    @Test
    void aTokenSignedByAnotherKeyUnderAKnownKidIsASignatureFailure() throws Exception {
        JwtVerifier v = fileVerifier(TestTokens.jwks(RSA_1));
        invalid(v.verifyNow(signed(JWSAlgorithm.RS256, RSA_2, "rsa-1", claims().build())), JwtRejection.SIGNATURE);
        JwtCheck.Invalid unknown = invalid(v.verifyNow(signed(JWSAlgorithm.RS256, RSA_2, "rsa-\n2", claims().build())),
                JwtRejection.UNKNOWN_KEY);
        assertThat(unknown.reason()).isEqualTo("no key with kid \"rsa-\\n2\" is known");
        invalid(v.verifyNow(signed(JWSAlgorithm.ES256, EC_1, "rsa-1", claims().build())), JwtRejection.UNKNOWN_KEY);
    }

    @Test
    void anUnsignedTokenIsNeverAccepted() {
        JwtVerifier v = hmacVerifier();
        String none = new PlainJWT(claims().build()).serialize();
        assertThat(invalid(v.verifyNow(none), JwtRejection.ALGORITHM).reason())
                .isEqualTo("the token is not signed (alg none), which is never accepted");
        // "none" in the header but a signature part kept, as some attacks send it
        String[] parts = hmac(JWSAlgorithm.HS256, SECRET_64, claims().build()).split("\\.");
        String header = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes());
        assertThat(v.verifyNow(header + "." + parts[1] + "." + parts[2])).isInstanceOf(JwtCheck.Invalid.class);
        String upper = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"NONE\"}".getBytes());
        assertThat(invalid(v.verifyNow(upper + "." + parts[1] + "." + parts[2]), JwtRejection.ALGORITHM).reason())
                .isEqualTo("the token's algorithm NONE is not allowed");
    }

    @Test
    void anHmacTokenMadeWithThePublicKeyIsRefused() throws Exception {
        // algorithm confusion: the attacker MACs with the RSA public key, hoping it is used as a secret
        byte[] publicKey = RSA_1.toRSAPublicKey().getEncoded();
        String forged = TestTokens.sign(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(),
                new MACSigner(publicKey), claims().build());
        JwtVerifier keysOnly = fileVerifier(TestTokens.jwks(RSA_1));
        assertThat(invalid(keysOnly.verifyNow(forged), JwtRejection.ALGORITHM).reason())
                .isEqualTo("the token's algorithm HS256 is not allowed");
        // even where HS256 is allowed (a secret too), the RSA key is never used as its secret
        JwtVerifier both = fileVerifier(TestTokens.jwks(RSA_1), "hmac-secret: " + SECRET_64,
                "algorithms: [HS256, RS256]");
        invalid(both.verifyNow(forged), JwtRejection.SIGNATURE);
        verified(both.verifyNow(signed(JWSAlgorithm.RS256, RSA_1, claims().build())));
        invalid(both.verifyNow(signed(JWSAlgorithm.PS256, RSA_1, claims().build())), JwtRejection.ALGORITHM);
    }

    @Test
    void expiryIsCheckedWithTheClockSkew() {
        JwtVerifier v = hmacVerifier();
        Instant now = Instant.now();
        String expiredLongAgo = hmac(JWSAlgorithm.HS256, SECRET_64, with(b -> b.expirationTime(Date.from(now.minusSeconds(60)))));
        assertThat(invalid(v.verifyNow(expiredLongAgo), JwtRejection.EXPIRED).reason()).isEqualTo("the token has expired");
        String expiredJustNow = hmac(JWSAlgorithm.HS256, SECRET_64, with(b -> b.expirationTime(Date.from(now.minusSeconds(10)))));
        verified(v.verifyNow(expiredJustNow)); // within the default 30s skew
        String noExpiry = hmac(JWSAlgorithm.HS256, SECRET_64, with(b -> b.expirationTime(null)));
        invalid(v.verifyNow(noExpiry), JwtRejection.EXPIRED);
        assertThat(verified(hmacVerifier("require-expiry: false").verifyNow(noExpiry)).expiresAt()).isNull();
        invalid(hmacVerifier("clock-skew: 5s").verifyNow(expiredJustNow), JwtRejection.EXPIRED);
    }

    @Test
    void aTokenNotValidYetIsRefused() {
        JwtVerifier v = hmacVerifier();
        Instant now = Instant.now();
        String later = hmac(JWSAlgorithm.HS256, SECRET_64, with(b -> b.notBeforeTime(Date.from(now.plusSeconds(300)))));
        assertThat(invalid(v.verifyNow(later), JwtRejection.NOT_YET_VALID).reason()).isEqualTo("the token is not valid yet (nbf)");
        String soon = hmac(JWSAlgorithm.HS256, SECRET_64, with(b -> b.notBeforeTime(Date.from(now.plusSeconds(10)))));
        assertThat(verified(v.verifyNow(soon)).notBefore()).isEqualTo(Instant.ofEpochSecond(now.plusSeconds(10).getEpochSecond()));
    }

    @Test
    void issuerAndAudienceAreChecked() {
        JwtVerifier v = hmacVerifier();
        assertThat(invalid(v.verifyNow(hmac(JWSAlgorithm.HS256, SECRET_64, with(b -> b.issuer("https://evil.example/")))),
                JwtRejection.ISSUER).reason()).isEqualTo("the token's issuer is not the configured one");
        invalid(v.verifyNow(hmac(JWSAlgorithm.HS256, SECRET_64, with(b -> b.issuer(null)))), JwtRejection.ISSUER);
        assertThat(invalid(v.verifyNow(hmac(JWSAlgorithm.HS256, SECRET_64, with(b -> b.audience("other")))),
                JwtRejection.AUDIENCE).reason()).isEqualTo("the token's audience does not include the configured one");
        invalid(v.verifyNow(hmac(JWSAlgorithm.HS256, SECRET_64, with(b -> b.audience((String) null)))), JwtRejection.AUDIENCE);
        verified(v.verifyNow(hmac(JWSAlgorithm.HS256, SECRET_64, with(b -> b.audience(List.of("account", "wharf"))))));
        // neither set: any issuer and audience
        verified(verifier(JwtSettings.hmac(SECRET_64)).verifyNow(
                hmac(JWSAlgorithm.HS256, SECRET_64, with(b -> b.issuer("https://any/").audience("any")))));
    }

    @Test
    void rolesComeFromTheConfiguredClaimAListATextOrANestedPath() {
        String token = hmac(JWSAlgorithm.HS256, SECRET_64, with(b -> b.claim("scope", "read:orders  write:orders")
                .claim("realm_access", Map.of("roles", List.of("analyst", "admin")))
                .claim("https://wharf.example.com/roles", List.of("tenant-a"))
                .claim("azp", "dashboard")));
        assertThat(verified(hmacVerifier().verifyNow(token)).roles()).containsExactly("reader");
        assertThat(verified(hmacVerifier("roles-claim: scope").verifyNow(token)).roles())
                .containsExactlyInAnyOrder("read:orders", "write:orders");
        assertThat(verified(hmacVerifier("roles-claim: realm_access.roles").verifyNow(token)).roles())
                .containsExactlyInAnyOrder("analyst", "admin");
        assertThat(verified(hmacVerifier("roles-claim: https://wharf.example.com/roles").verifyNow(token)).roles())
                .containsExactly("tenant-a");
        assertThat(verified(hmacVerifier("roles-claim: realm_access.missing").verifyNow(token)).roles()).isEmpty();
        assertThat(verified(hmacVerifier("subject-claim: azp").verifyNow(token)).subject()).isEqualTo("dashboard");
        invalid(hmacVerifier("roles-claim: realm_access").verifyNow(token), JwtRejection.CLAIMS);
        invalid(hmacVerifier("subject-claim: nobody").verifyNow(token), JwtRejection.CLAIMS);
    }

    @Test
    void anOversizeTokenIsRefusedBeforeParsing() {
        JwtVerifier v = hmacVerifier("max-token-bytes: 1024");
        String big = hmac(JWSAlgorithm.HS256, SECRET_64, with(b -> b.claim("padding", "x".repeat(2000))));
        assertThat(invalid(v.verifyNow(big), JwtRejection.TOO_LONG).reason())
                .isEqualTo("the token is longer than 1024 bytes (auth.jwt.max-token-bytes)");
        invalid(hmacVerifier().verifyNow("a".repeat(9000)), JwtRejection.TOO_LONG); // the default 8 KiB
    }

    @Test
    void garbageIsAMalformedToken() {
        JwtVerifier v = hmacVerifier();
        for (String garbage : List.of("", "not-a-jwt", "a.b.c", "....", "\u0000\n.x.y")) {
            JwtCheck.Invalid invalid = invalid(v.verifyNow(garbage), JwtRejection.MALFORMED);
            assertThat(invalid.reason()).doesNotContain("\n");
        }
        // a well-formed header: the signature is checked before anything of the payload is read
        invalid(v.verifyNow("eyJhbGciOiJIUzI1NiJ9.!!!.sig"), JwtRejection.SIGNATURE);
        ExecutionException failure = org.assertj.core.api.Assertions.catchThrowableOfType(ExecutionException.class,
                () -> v.verify("not-a-jwt").get());
        assertThat(failure.getCause()).isInstanceOf(InvalidJwtException.class)
                .hasMessage("the token is not a well-formed JWT");
    }

    @Test
    void aChangedJwksFileIsReadAgain() throws Exception {
        JwtVerifier v = fileVerifier(TestTokens.jwks(RSA_1));
        String second = signed(JWSAlgorithm.RS256, RSA_2, claims().build());
        invalid(v.verifyNow(second), JwtRejection.UNKNOWN_KEY);
        Path file = dir.resolve("jwks.json");
        FileTime before = Files.getLastModifiedTime(file);
        Files.writeString(file, TestTokens.jwks(RSA_1, RSA_2));
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 5_000));
        await().atMost(Duration.ofSeconds(15)).until(() -> v.verifyNow(second) instanceof JwtCheck.Verified);
        verified(v.verifyNow(signed(JWSAlgorithm.RS256, RSA_1, claims().build())));
        // a broken rewrite keeps the last good keys
        Files.writeString(file, "{not json");
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 10_000));
        await().atMost(Duration.ofSeconds(15)).until(() -> fileFailureSeen(v));
        verified(v.verifyNow(second));
    }

    private static boolean fileFailureSeen(JwtVerifier v) throws Exception {
        // the watch runs on the key thread; once it has failed, an unknown kid says the keys could not be read
        JwtCheck check = v.verifyNow(signed(JWSAlgorithm.RS256, RSA_2, "rsa-9", claims().build()));
        return check instanceof JwtCheck.Invalid invalid && invalid.rejection() == JwtRejection.KEYS_UNAVAILABLE;
    }

    @Test
    void outcomesAreCounted() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JwtVerifier v = new JwtVerifier(JwtSettings.hmac(SECRET_64), registry);
        verifiers.add(v);
        v.verifyNow(hmac(JWSAlgorithm.HS256, SECRET_64, claims().build()));
        v.verifyNow(hmac(JWSAlgorithm.HS256, SECRET_64, with(b -> b.expirationTime(Date.from(Instant.now().minusSeconds(3600))))));
        v.verifyNow("garbage");
        assertThat(registry.get("wharf.jwt.verifications").tag("outcome", "verified").counter().count()).isEqualTo(1);
        assertThat(registry.get("wharf.jwt.verifications").tag("outcome", "expired").counter().count()).isEqualTo(1);
        assertThat(registry.get("wharf.jwt.verifications").tag("outcome", "malformed").counter().count()).isEqualTo(1);
        assertThat(registry.get("wharf.jwt.verifications").tag("outcome", "signature").counter().count()).isZero();
    }

    @Test
    void aVerifyWaitsForNothingWhenKeysAreKnown() throws Exception {
        JwtVerifier v = fileVerifier(TestTokens.jwks(RSA_1));
        CompletableFuture<VerifiedJwt> f = v.verify(signed(JWSAlgorithm.RS256, RSA_1, claims().build()));
        assertThat(f).isCompleted();
        assertThat(f.get(0, TimeUnit.SECONDS).subject()).isEqualTo("alice");
    }
}
