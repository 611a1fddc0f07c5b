package io.wharf.core.auth.jwt;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import io.wharf.core.config.ConfigLoader;
import io.wharf.core.config.JwtSettings;

/** Keys generated once per test JVM, tokens signed with them by nimbus, and {@code auth.jwt} settings bound from YAML. */
final class TestTokens {
    static final String ISSUER = "https://id.example.com/";
    static final String SECRET_64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    static final RSAKey RSA_1 = rsa("rsa-1");
    static final RSAKey RSA_2 = rsa("rsa-2");
    static final ECKey EC_1 = ec("ec-1");

    private TestTokens() {
    }

    private static RSAKey rsa(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ECKey ec(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public JWKS document of these keys. */
    static String jwks(JWK... keys) {
        return new JWKSet(List.of(keys)).toPublicJWKSet().toString();
    }

    /** Claims of a token valid for five more minutes: sub alice, the test issuer, aud wharf, roles [reader]. */
    static JWTClaimsSet.Builder claims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().subject("alice").issuer(ISSUER).audience("wharf")
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)))
                .claim("roles", List.of("reader"));
    }

    static String hmac(JWSAlgorithm alg, String secret, JWTClaimsSet claims) {
        try {
            return sign(new JWSHeader(alg), new MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String signed(JWSAlgorithm alg, JWK key, JWTClaimsSet claims) {
        return signed(alg, key, key.getKeyID(), claims);
    }

    static String signed(JWSAlgorithm alg, JWK key, String kid, JWTClaimsSet claims) {
        try {
            JWSSigner signer = key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key);
            return sign(new JWSHeader.Builder(alg).keyID(kid).build(), signer, claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sign(JWSHeader header, JWSSigner signer, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code auth.jwt} bound from YAML lines (indented as under {@code jwt:}), as the config loader binds it. */
    static JwtSettings settings(String... lines) {
        StringBuilder yaml = new StringBuilder("auth:\n  jwt:\n");
        for (String line : lines) {
            yaml.append("    ").append(line).append('\n');
        }
        try {
            JsonNode tree = new YAMLMapper().readTree(yaml.toString());
            return ConfigLoader.bind(tree, List.of()).auth().jwt();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static JWTClaimsSet with(Consumer<JWTClaimsSet.Builder> change) {
        JWTClaimsSet.Builder b = claims();
        change.accept(b);
        return b.build();
    }
}
