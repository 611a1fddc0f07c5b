package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Origin matching: exact, wildcard subdomains and their look-alikes, ports, case, {@code null}, and the setting's checks. */
class AllowedOriginsTest {
    private final AllowedOrigins origins = AllowedOrigins.of(List.of("https://app.example.com", "https://*.example.com",
            "http://localhost:3000", "https://*.corp.example.org:8443"));

    @Test
    void exactOriginsMatchIgnoringCaseAndTheDefaultPortButNothingElse() {
        assertThat(origins.allows("https://app.example.com")).isTrue();
        assertThat(origins.allows("HTTPS://APP.Example.COM")).isTrue();
        assertThat(origins.allows("https://app.example.com:443")).isTrue();
        assertThat(origins.allows("http://localhost:3000")).isTrue();
        assertThat(origins.allows("http://localhost:3001")).isFalse();
        assertThat(origins.allows("http://localhost")).isFalse();
        assertThat(origins.allows("https://localhost:3000")).isFalse();
        assertThat(origins.allows("https://app.example.com/")).isFalse();
        assertThat(origins.allows("https://app.example.com:8443")).isFalse();
    }

    @Test
    void aWildcardMatchesOneOrMoreLabelsButNeverTheBareDomainNorLookAlikes() {
        assertThat(origins.allows("https://a.example.com")).isTrue();
        assertThat(origins.allows("https://a.b.example.com")).isTrue();
        assertThat(origins.allows("https://example.com")).isFalse();
        assertThat(origins.allows("https://evil-example.com")).isFalse();
        assertThat(origins.allows("https://evilexample.com")).isFalse();
        assertThat(origins.allows("https://example.com.evil.org")).isFalse();
        assertThat(origins.allows("https://a.example.com.evil.org")).isFalse();
        assertThat(origins.allows("https://.example.com")).isFalse();
        assertThat(origins.allows("https://a..example.com")).isFalse();
        assertThat(origins.allows("http://a.example.com")).isFalse(); // scheme must match
        assertThat(origins.allows("https://a.example.com:8443")).isFalse(); // port must match
        assertThat(origins.allows("https://x.corp.example.org:8443")).isTrue();
        assertThat(origins.allows("https://x.corp.example.org")).isFalse();
        assertThat(origins.allows("https://corp.example.org:8443")).isFalse();
    }

    @Test
    void theOpaqueNullOriginAndMalformedOnesMatchOnlyAny() {
        for (String bad : List.of("null", "", "https://", "https://a.example.com:", "https://a.example.com:99999",
                "https://user@a.example.com", "https://a.example.com\r\nX: y", "a.example.com", "*")) {
            assertThat(origins.allows(bad)).as(bad).isFalse();
        }
        AllowedOrigins any = AllowedOrigins.of(List.of("*"));
        assertThat(any.any()).isTrue();
        assertThat(any.allows("null")).isTrue();
        assertThat(any.allows("https://anything.test")).isTrue();
        assertThat(AllowedOrigins.NONE.allows("https://app.example.com")).isFalse();
        assertThat(AllowedOrigins.NONE.none()).isTrue();
    }

    @Test
    void sameOriginIsTheRequestsOwnSchemeAndHost() {
        assertThat(AllowedOrigins.sameOrigin("http://127.0.0.1:8080", "127.0.0.1:8080", false)).isTrue();
        assertThat(AllowedOrigins.sameOrigin("http://Wharf.local", "wharf.local:80", false)).isTrue();
        assertThat(AllowedOrigins.sameOrigin("https://wharf.local", "wharf.local", true)).isTrue();
        assertThat(AllowedOrigins.sameOrigin("http://wharf.local", "wharf.local", true)).isFalse();
        assertThat(AllowedOrigins.sameOrigin("http://127.0.0.1:8081", "127.0.0.1:8080", false)).isFalse();
        assertThat(AllowedOrigins.sameOrigin("null", "127.0.0.1:8080", false)).isFalse();
        assertThat(AllowedOrigins.sameOrigin("http://127.0.0.1:8080", null, false)).isFalse();
        assertThat(AllowedOrigins.sameOrigin("http://[::1]:8080", "[::1]:8080", false)).isTrue();
    }

    @Test
    void theSettingNamesEachBadEntryAndRefusesAnyOriginWithCredentials() {
        List<String> problems = new ArrayList<>();
        new CorsSettings(List.of("https://ok.example.com", "https://app.example.com/", "app.example.com", "https://*",
                "https://*.com", "https://a.*.example.com", "*"), List.of("GET", "PO ST"), List.of("X-Ok", "A,B"),
                null, true, java.time.Duration.ofSeconds(-1)).problems("http.cors", problems);
        assertThat(problems).containsExactly(
                "http.cors.allowed-origins[1]: 'https://app.example.com/' has a path: an origin is scheme://host[:port], "
                        + "without even a trailing /",
                "http.cors.allowed-origins[2]: 'app.example.com' is not an origin like https://app.example.com, "
                        + "https://*.example.com or *",
                "http.cors.allowed-origins[3]: 'https://*' is not an origin like https://app.example.com, "
                        + "https://*.example.com or *",
                "http.cors.allowed-origins[4]: 'https://*.com' is not an origin like https://app.example.com, "
                        + "https://*.example.com or *",
                "http.cors.allowed-origins[5]: 'https://a.*.example.com' is not an origin like https://app.example.com, "
                        + "https://*.example.com or *",
                "http.cors.allow-credentials: true with allowed-origins '*' would let every web site send the user's "
                        + "credentials and read the replies; list the origins instead",
                "http.cors.allowed-methods[1]: 'PO ST' is not a method or header name",
                "http.cors.allowed-headers[1]: 'A,B' is not a method or header name",
                "http.cors.max-age: -1s must be 0 or more");
        List<String> none = new ArrayList<>();
        CorsSettings.defaults().problems("http.cors", none);
        new CorsSettings(List.of("*"), null, null, null, false, null).problems("http.cors", none);
        assertThat(none).isEmpty();
    }
}
