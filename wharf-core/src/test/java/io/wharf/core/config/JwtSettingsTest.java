package io.wharf.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code auth.jwt} read from a file by the config loader: defaults, and every bad value named by its key. */
class JwtSettingsTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    private final ConfigLoader loader = new ConfigLoader(Map.of("JWT_SECRET", SECRET)::get, List.of());

    private JwtSettings load(String jwtLines) throws IOException {
        return loader.load(file(jwtLines), Map.of()).auth().jwt();
    }

    private Path file(String jwtLines) throws IOException {
        Path file = dir.resolve("wharf.yaml");
        Files.writeString(file, "auth:\n  jwt:\n" + jwtLines.indent(4));
        return file;
    }

    private void refused(String jwtLines, String... messages) {
        assertThatThrownBy(() -> load(jwtLines)).isInstanceOf(ConfigException.class).hasMessageContainingAll(messages);
    }

    @Test
    void withoutTheSectionThereIsNoJwtAndWithASecretEveryDefaultIsFilledIn() throws IOException {
        assertThat(loader.load(null, Map.of()).auth().jwt()).isNull();
        JwtSettings jwt = load("hmac-secret: ${JWT_SECRET}");
        assertThat(jwt.hmacSecret()).containsExactly(SECRET); // one secret or a list
        assertThat(jwt.algorithms()).containsExactly("HS256", "HS384", "HS512");
        assertThat(jwt.issuer()).isNull();
        assertThat(jwt.audience()).isEmpty();
        assertThat(jwt.rolesClaim()).isEqualTo("roles");
        assertThat(jwt.subjectClaim()).isEqualTo("sub");
        assertThat(jwt.clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(jwt.maxTokenBytes()).isEqualTo(8192);
        assertThat(jwt.refreshInterval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(jwt.minRefreshInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(jwt.jwksTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(jwt.maxJwksBytes()).isEqualTo(1024 * 1024);
        assertThat(jwt.requireExpiry()).isTrue();
        assertThat(jwt.toString()).doesNotContain(SECRET);
    }

    @Test
    void keysGiveThePublicKeyAlgorithmsByDefault() throws IOException {
        JwtSettings jwt = load("""
                issuer: https://id.example.com/realms/wharf
                audience: [wharf, account]
                jwks-url: https://id.example.com/realms/wharf/protocol/openid-connect/certs
                roles-claim: realm_access.roles
                clock-skew: 10s
                """);
        assertThat(jwt.algorithms()).containsExactly("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
                "ES384", "ES512");
        assertThat(jwt.audience()).containsExactly("wharf", "account");
        assertThat(jwt.clockSkew()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aShortSecretIsRefusedWithoutShowingIt() {
        assertThatThrownBy(() -> load("hmac-secret: [" + SECRET + ", short-secret]"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.jwt.hmac-secret[1]: is 12 bytes; HS256 needs at least 32 bytes (256 bits)")
                .message().doesNotContain("short-secret");
    }

    @Test
    void badValuesAreNamedByTheirKey() throws IOException {
        refused("issuer: x", "auth.jwt: set hmac-secret, jwks-file or jwks-url");
        refused("hmac-secret: ${JWT_SECRET}\nalgorithms: [HS256, none]", "auth.jwt.algorithms: none is never accepted");
        refused("hmac-secret: ${JWT_SECRET}\nalgorithms: [HS257]", "auth.jwt.algorithms: 'HS257' is not one of");
        refused("hmac-secret: ${JWT_SECRET}\nalgorithms: [RS256]", "auth.jwt.algorithms: RS256 needs auth.jwt.jwks-file or auth.jwt.jwks-url");
        refused("jwks-url: https://id.example.com/certs\nalgorithms: [HS256]", "auth.jwt.algorithms: HS256 needs auth.jwt.hmac-secret");
        refused("jwks-url: ftp://id.example.com/certs", "auth.jwt.jwks-url: 'ftp://id.example.com/certs' is not an http or https URL");
        refused("jwks-file: " + dir.resolve("absent.json"), "auth.jwt.jwks-file: '" + dir.resolve("absent.json") + "' is not a readable file");
        Path jwks = Files.writeString(dir.resolve("jwks.json"), "{\"keys\":[]}");
        refused("jwks-file: " + jwks + "\njwks-url: https://id.example.com/certs", "auth.jwt: set one of jwks-file and jwks-url, not both");
        refused("hmac-secret: ${JWT_SECRET}\nclock-skew: soon", "auth.jwt.clock-skew", "not a duration");
        refused("hmac-secret: ${JWT_SECRET}\nclock-skew: PT-1S", "auth.jwt.clock-skew: must not be negative");
        refused("hmac-secret: ${JWT_SECRET}\nmin-refresh-interval: 0s", "auth.jwt.min-refresh-interval: must be positive");
        refused("hmac-secret: ${JWT_SECRET}\nmax-token-bytes: 0", "auth.jwt.max-token-bytes: 0 must be at least 1");
        refused("hmac-secret: ${JWT_SECRET}\nmax-token-bytes: lots", "auth.jwt.max-token-bytes: 'lots' is not a whole number");
        refused("hmac-secret: ${JWT_SECRET}\nissuer: \"\"", "auth.jwt.issuer: is empty");
        refused("hmac-secret: ${JWT_SECRET}\nroles-claim: \" \"", "auth.jwt.roles-claim: is empty");
        refused("hmac-secret: ${JWT_SECRET}\nkid: x", "unknown key 'auth.jwt.kid'", "known keys:", "jwks-url");
    }

    @Test
    void printConfigMasksTheSecretsAndReadsBackTheRest() throws IOException {
        WharfConfig config = loader.load(file("hmac-secret: [" + SECRET + ", " + SECRET + "-next]\nissuer: https://id/"), Map.of());
        String yaml = ConfigPrinter.yaml(config, List.of());
        assertThat(yaml).doesNotContain(SECRET).containsSubsequence("auth:", "  jwt:", "    issuer: https://id/",
                "    hmac-secret:", "    - '******'", "    - '******'", "    roles-claim: roles", "    clock-skew: 30s");
        Path jwks = Files.writeString(dir.resolve("jwks.json"), "{\"keys\":[]}");
        WharfConfig withFile = loader.load(file("jwks-file: " + jwks + "\naudience: wharf"), Map.of());
        assertThat(ConfigLoader.bind(ConfigPrinterTest.readTree(ConfigPrinter.yaml(withFile, List.of())), List.of()))
                .isEqualTo(withFile);
    }
}
