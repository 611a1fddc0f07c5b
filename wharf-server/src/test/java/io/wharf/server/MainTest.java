package io.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line and configuration errors, in-process: each is one line and exit code 2. */
class MainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream originalErr;
    private PrintStream originalOut;

    @BeforeEach
    void capture() {
        originalErr = System.err;
        originalOut = System.out;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(originalErr);
        System.setOut(originalOut);
    }

    private String errText() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsEveryOption() {
        assertThat(Main.run(new String[] {"--help"})).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--config", "--bootstrap-servers", "--data-dir",
                "--bind", "--kafka-port", "--resp-port", "--http-port");
    }

    @Test
    void printConfigShowsTheEffectiveConfigurationWithSecretsMasked() throws IOException {
        Path file = Files.writeString(dir.resolve("secret.yaml"), "auth:\n  password: hunter2\nresp-port: 7000\n");
        assertThat(Main.run(new String[] {"--config", file.toString(), "--http-port", "0", "--print-config"})).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("resp-port: 7000", "http-port: 0", "password: '******'")
                .doesNotContain("hunter2");
    }

    @Test
    void anUnknownOptionIsOneLine() {
        assertThat(Main.run(new String[] {"--resp-prot", "1"})).isEqualTo(2);
        assertThat(errText()).isEqualTo("wharf: Unknown options: '--resp-prot', '1' (see ./wharf --help)\n");
    }

    @Test
    void aNonNumericPortIsOneLine() {
        assertThat(Main.run(new String[] {"--http-port", "eighty"})).isEqualTo(2);
        assertThat(errText()).startsWith("wharf: Invalid value for option '--http-port'").hasLineCount(1);
    }

    @Test
    void aPortOutOfRangeNamesTheOption() {
        assertThat(Main.run(new String[] {"--resp-port", "70000"})).isEqualTo(2);
        assertThat(errText()).isEqualTo(
                "wharf: invalid configuration: resp-port: 70000 is out of range (0-65535, 0 = a free port)\n");
    }

    @Test
    void aMissingConfigFileIsNamed() {
        Path missing = dir.resolve("missing.yaml");
        assertThat(Main.run(new String[] {"--config", missing.toString()})).isEqualTo(2);
        assertThat(errText()).isEqualTo("wharf: config file '" + missing + "' does not exist\n");
    }

    @Test
    void aConfigFileThatCannotBeReadIsNamed() {
        assertThat(Main.run(new String[] {"--config", dir.toString()})).isEqualTo(2);
        assertThat(errText()).isEqualTo("wharf: config file '" + dir + "' is not a readable file\n");
    }

    @Test
    void aShutdownTimeoutThatIsNotPositiveIsNamed() throws IOException {
        Path file = Files.writeString(dir.resolve("stop.yaml"), "shutdown-timeout: 0s\n");
        assertThat(Main.run(new String[] {"--config", file.toString()})).isEqualTo(2);
        assertThat(errText()).isEqualTo("wharf: invalid configuration: shutdown-timeout: must be positive\n");
    }

    @Test
    void invalidYamlIsNamedWithItsLine() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "resp-port: 6380\nhttp-port: [8080\n");
        assertThat(Main.run(new String[] {"--config", file.toString()})).isEqualTo(2);
        assertThat(errText()).startsWith("wharf: config file '" + file + "' is not valid YAML at line").hasLineCount(1);
    }

    @Test
    void anUnknownConfigKeyIsNamed() throws IOException {
        Path file = Files.writeString(dir.resolve("typo.yaml"), "hub:\n  idle-grase: 5s\n");
        assertThat(Main.run(new String[] {"--config", file.toString()})).isEqualTo(2);
        assertThat(errText()).startsWith("wharf: invalid configuration: unknown key 'hub.idle-grase'").hasLineCount(1);
    }
}
