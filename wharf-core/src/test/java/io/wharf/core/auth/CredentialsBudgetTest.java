package io.wharf.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wharf.core.config.AuthSettings;
import org.junit.jupiter.api.Test;

/** The per-address failure budget on a clock the test moves: refusal, doubling, cap, reset, bound. */
class CredentialsBudgetTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Credentials credentials = new Credentials(
            new AuthSettings("pw", Map.of("alice", "a-pw"), List.of(), 3, Duration.ofMinutes(1), Duration.ofSeconds(5),
                    Duration.ofSeconds(12), 2),
            registry, now::get);

    private AuthOutcome attempt(String address, String password) {
        return credentials.attempt("test", address, () -> credentials.passwordPrincipal(null, password));
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void refusalsDoubleUpToTheCapAndASuccessForgets() {
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < 3; i++) {
                assertThat(attempt("10.0.0.1", "guess")).isInstanceOf(AuthOutcome.Rejected.class);
            }
            Duration expected = Duration.ofSeconds(Math.min(12, 5L << round));
            assertThat(attempt("10.0.0.1", "pw")).isEqualTo(new AuthOutcome.Refused(expected));
            advance(expected.minusMillis(1));
            assertThat(attempt("10.0.0.1", "pw")).isInstanceOf(AuthOutcome.Refused.class);
            advance(Duration.ofMillis(1));
        }
        assertThat(attempt("10.0.0.1", "pw")).isInstanceOf(AuthOutcome.Accepted.class);
        // forgotten: the next refusal is the first one again
        for (int i = 0; i < 3; i++) {
            attempt("10.0.0.1", "guess");
        }
        assertThat(attempt("10.0.0.1", "pw")).isEqualTo(new AuthOutcome.Refused(Duration.ofSeconds(5)));
        assertThat(registry.get("wharf.auth.failures").tag("door", "test").counter().count()).isEqualTo(15);
        assertThat(registry.get("wharf.auth.refused").tag("door", "test").counter().count()).isEqualTo(9);
    }

    @Test
    void failuresOutsideTheWindowDoNotAddUp() {
        attempt("10.0.0.1", "guess");
        attempt("10.0.0.1", "guess");
        advance(Duration.ofMinutes(2));
        attempt("10.0.0.1", "guess");
        assertThat(attempt("10.0.0.1", "pw")).isInstanceOf(AuthOutcome.Accepted.class);
    }

    @Test
    void trackedAddressesAreBoundedAndTheLeastRecentlySeenIsForgotten() {
        attempt("10.0.0.1", "guess");
        attempt("10.0.0.1", "guess");
        attempt("10.0.0.2", "guess");
        attempt("10.0.0.3", "guess");
        assertThat(registry.get("wharf.auth.tracked.addresses").gauge().value()).isEqualTo(2);
        // 10.0.0.1 was forgotten, so one more failure does not use up its budget
        assertThat(attempt("10.0.0.1", "guess")).isInstanceOf(AuthOutcome.Rejected.class);
        assertThat(attempt("10.0.0.1", "pw")).isInstanceOf(AuthOutcome.Accepted.class);
    }

    @Test
    void onlyConfiguredUserNamesAreLogged() {
        assertThat(credentials.loggedUser("alice")).isEqualTo("alice");
        assertThat(credentials.loggedUser(null)).isEqualTo("default");
        assertThat(credentials.loggedUser("a-pw")).isEqualTo(Credentials.UNKNOWN_USER);
        assertThat(credentials.loggedUser("x\nforged")).isEqualTo(Credentials.UNKNOWN_USER);
    }
}
