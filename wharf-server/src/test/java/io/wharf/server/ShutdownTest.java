package io.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stop always finishes (issue 11, item 2): with its only network thread stuck in a computation that
 * never ends and an HTTP connection on it, Wharf (a child JVM, in front of the shared test broker) still
 * exits after SIGTERM, by force once {@code shutdown-timeout} has passed or at once on a second SIGTERM,
 * and says where the stop was stuck and which threads were busy.
 */
@ExtendWith(SharedKafka.class)
class ShutdownTest {
    @TempDir
    Path dir;

    private WharfProcess stuckWharf(TestKafka kafka, String shutdownTimeout) throws Exception {
        Path config = Files.writeString(dir.resolve("wharf.yaml"), "shutdown-timeout: " + shutdownTimeout + "\n");
        WharfProcess wharf = WharfProcess.startJava(StuckNetworkThreadWharf.class, "--config", config.toString(),
                "--bootstrap-servers", kafka.bootstrapServers(), "--resp-port", "0", "--http-port", "0",
                "--io-threads", "1", "--data-dir", dir.resolve("data").toString());
        wharf.awaitReady(60);
        return wharf;
    }

    @Test
    void aStuckNetworkThreadDelaysTheStopOnlyUntilTheShutdownTimeout(TestKafka kafka) throws Exception {
        try (WharfProcess wharf = stuckWharf(kafka, "3s")) {
            wharf.signalTerm();
            assertThat(wharf.awaitExit(60)).isEqualTo(Main.EXIT_STOP_FORCED);
            String forced = forcedLine(wharf);
            assertThat(forced).contains("reason=shutdown-timeout", "shutdown-timeout=3000ms",
                            "stopping-in=io.wharf.http.HttpFrontDoor.close")
                    .containsPattern("busy-threads=[^ ]*wharf-io-");
            assertThat(waitedMillis(forced)).isGreaterThanOrEqualTo(3000);
        }
    }

    @Test
    void aSecondSigtermExitsAtOnce(TestKafka kafka) throws Exception {
        try (WharfProcess wharf = stuckWharf(kafka, "10m")) {
            wharf.signalTerm();
            wharf.awaitStderr("event=stop-requested signal=SIGTERM", 30);
            wharf.signalTerm();
            // far less than the 10 minutes the first signal alone would wait
            assertThat(wharf.awaitExit(30)).isEqualTo(Main.EXIT_STOP_FORCED);
            assertThat(forcedLine(wharf)).contains("reason=second-SIGTERM", "shutdown-timeout=600000ms",
                    "stopping-in=io.wharf.").containsPattern("busy-threads=[^ ]*wharf-io-");
        }
    }

    private static String forcedLine(WharfProcess wharf) {
        var lines = wharf.stderr().stream().filter(l -> l.contains("event=stop-forced")).toList();
        assertThat(lines).as("stderr: %s", wharf.stderr()).hasSize(1);
        assertThat(wharf.stderr()).noneMatch(l -> l.startsWith("\tat "));
        return lines.get(0);
    }

    private static long waitedMillis(String forced) {
        var m = java.util.regex.Pattern.compile(" after=(\\d+)ms ").matcher(forced);
        assertThat(m.find()).as(forced).isTrue();
        return Long.parseLong(m.group(1));
    }
}
