package io.wharf.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The crash test: a gateway process SIGKILLed and restarted at random moments while it relays to
 * an endpoint that injects 5xx before and after applying, timeouts after applying, 429 and latency,
 * and while its poller copies a growing HTTP feed into a topic.
 *
 * <p>The normal suite runs a short version. The long one (100,000 events, 1,000 keys, 10 kills):
 * <pre>
 * ./mvnw -q -B -pl wharf-relay test -Dtest=RelayCrashTest#survivesRepeatedKillNine \
 *     -Dwharf.relay.crash.events=100000 -Dwharf.relay.crash.keys=1000 -Dwharf.relay.crash.kills=10
 * </pre>
 * and read the counts in {@code wharf-relay/target/surefire-reports/io.wharf.relay.RelayCrashTest-output.txt}.
 */
@ExtendWith(SharedKafka.class)
class RelayCrashTest {
    private static final Path LOGS = Path.of("target", "relay-crash");

    @Test
    void survivesRepeatedKillNine(TestKafka kafka) throws Exception {
        CrashHarness.Settings settings = new CrashHarness.Settings(
                Integer.getInteger("wharf.relay.crash.events", 3_000),
                Integer.getInteger("wharf.relay.crash.keys", 500),
                Integer.getInteger("wharf.relay.crash.kills", 3),
                true, Long.getLong("wharf.relay.crash.seed", 20_260_617L));
        CrashHarness.Report report = new CrashHarness(kafka, settings, LOGS.resolve("dedup")).run();
        System.out.println(report.describe());
        assertThat(report.lost()).as("lost events").isZero();
        assertThat(report.duplicateEffects()).as("duplicate effects").isZero();
        assertThat(report.orderViolations()).as("per-key order violations").isZero();
        assertThat(report.keyOverlaps()).as("events of one key in flight together").isZero();
        assertThat(report.missingDeadLetters()).as("poison events without a dead letter").isZero();
        assertThat(report.unexpectedDeadLetters()).as("dead letters that are not poison").isZero();
        assertThat(report.deadLetterDuplicates()).as("dead letters written twice").isZero();
        assertThat(report.deadLetters()).isEqualTo(report.poison());
        assertThat(report.responseDuplicates()).as("responses written twice").isZero();
        assertThat(report.missingResponses()).as("delivered events without a response").isZero();
        assertThat(report.attempts()).as("the faults forced retries").isGreaterThan(report.events());
        assertThat(report.feed().repeated()).as("polled items written twice").isZero();
        assertThat(report.feed().missing()).as("polled items never written").isZero();
        assertThat(report.feed().outOfOrder()).as("polled items out of order").isZero();
    }

    @Test
    void negativeControlSeesDuplicatesWhenTheEndpointDoesNotDeduplicate(TestKafka kafka) throws Exception {
        CrashHarness.Settings settings = new CrashHarness.Settings(1_000, 200, 1, false, 7L);
        CrashHarness.Report report = new CrashHarness(kafka, settings, LOGS.resolve("no-dedup")).run();
        System.out.println("negative control (endpoint de-duplication off)\n" + report.describe());
        assertThat(report.duplicateEffects()).as("the harness detects duplicate effects").isPositive();
        assertThat(report.lost()).isZero();
    }
}
