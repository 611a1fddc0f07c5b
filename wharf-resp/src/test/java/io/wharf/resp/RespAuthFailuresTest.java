package io.wharf.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;

import io.wharf.core.config.AuthSettings;
import io.wharf.resp.RawRespClient.Err;
import io.wharf.resp.RawRespClient.Simple;
import io.wharf.testkit.LogCapture;
import io.wharf.testkit.SharedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client guessing passwords is refused after {@code auth.max-failures} wrong AUTHs from its
 * address, even with the right password, until the refusal passes; other addresses are not
 * affected. What a wrong AUTH logs never holds the password, nor an unconfigured user name.
 * Clients bind to other loopback addresses (127.0.0.2, 127.0.0.3: Linux routes all of 127/8 to lo).
 */
@ExtendWith(SharedKafka.class)
class RespAuthFailuresTest {
    private static final Err WRONGPASS = new Err("WRONGPASS invalid username-password pair or user is disabled.");

    @RegisterExtension
    static final RespTestGateway gateway = RespTestGateway.perClass(g -> g.auth(
            new AuthSettings("s3cret", Map.of("alice", "wonderland"), null)
                    .withFailureBudget(3, Duration.ofMinutes(1), Duration.ofMillis(500), Duration.ofSeconds(1))));

    @Test
    void aBurstOfWrongPasswordsIsRefusedUntilTheRefusalPasses() throws Exception {
        double failuresBefore = counter("wharf.auth.failures");
        double refusedBefore = counter("wharf.auth.refused");
        try (RawRespClient guesser = new RawRespClient(gateway.port(), loopback(2))) {
            for (int i = 0; i < 3; i++) {
                assertThat(guesser.call("AUTH", "guess-" + i)).isEqualTo(WRONGPASS);
            }
            Object refused = guesser.call("AUTH", "guess-3");
            assertThat(refused).isInstanceOf(Err.class);
            assertThat(((Err) refused).text()).startsWith("ERR too many failed authentication attempts from this address "
                    + "(auth.max-failures: 3 within auth.failure-window: 1m); retry in ");
            // while refused, the right password is not even checked
            assertThat(((Err) guesser.call("AUTH", "s3cret")).text()).startsWith("ERR too many failed authentication");
            assertThat(((Err) guesser.call("AUTH", "alice", "wonderland")).text()).startsWith("ERR too many failed");
            assertThat(guesser.call("PING")).isEqualTo(new Err("NOAUTH Authentication required."));

            // another address is not affected
            try (RawRespClient other = new RawRespClient(gateway.port())) {
                assertThat(other.call("AUTH", "wrong")).isEqualTo(WRONGPASS);
                assertThat(other.call("AUTH", "s3cret")).isEqualTo(new Simple("OK"));
            }

            // after the refusal (500 ms here) the right password works again
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            Object reply = guesser.call("AUTH", "s3cret");
            while (!reply.equals(new Simple("OK")) && System.nanoTime() < deadline) {
                assertThat(((Err) reply).text()).startsWith("ERR too many failed authentication");
                Thread.sleep(100);
                reply = guesser.call("AUTH", "s3cret");
            }
            assertThat(reply).isEqualTo(new Simple("OK"));
            assertThat(guesser.call("PING")).isEqualTo(new Simple("PONG"));
        }
        assertThat(counter("wharf.auth.failures") - failuresBefore).isEqualTo(4); // 3 guesses (the 4th was refused unchecked) and "wrong"
        assertThat(counter("wharf.auth.refused") - refusedBefore).isGreaterThanOrEqualTo(3);
    }

    @Test
    void helloAuthCountsAgainstTheSameBudget() throws Exception {
        try (RawRespClient guesser = new RawRespClient(gateway.port(), loopback(4))) {
            for (int i = 0; i < 3; i++) {
                assertThat(guesser.call("HELLO", "3", "AUTH", "alice", "guess-" + i)).isEqualTo(WRONGPASS);
            }
            assertThat(((Err) guesser.call("HELLO", "3", "AUTH", "alice", "wonderland")).text())
                    .startsWith("ERR too many failed authentication attempts");
        }
    }

    @Test
    void wrongAuthLogsNeitherThePasswordNorAnUnknownUserName() throws Exception {
        String logged;
        try (LogCapture log = new LogCapture(); RawRespClient c = new RawRespClient(gateway.port(), loopback(3))) {
            // arguments swapped: the password where the user goes
            assertThat(c.call("AUTH", "wonderland", "alice")).isEqualTo(WRONGPASS);
            assertThat(c.call("AUTH", "mallory\nINFO forged line user=admin", "x")).isEqualTo(WRONGPASS);
            assertThat(c.call("AUTH", "alice", "wonderland")).isEqualTo(new Simple("OK")); // resets the budget
            assertThat(c.call("AUTH", "alice", "not-her-password")).isEqualTo(WRONGPASS);
            logged = log.text();
        }
        assertThat(logged).contains("event=resp-auth-failed", "user=<unknown>", "user=alice")
                .doesNotContain("wonderland").doesNotContain("not-her-password").doesNotContain("mallory")
                .doesNotContain("\nINFO forged line");
    }

    private static double counter(String name) {
        var found = gateway.gateway().context().metrics().registry().find(name).tag("door", "resp").counter();
        return found == null ? 0 : found.count();
    }

    private static InetAddress loopback(int last) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    }
}
