package io.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.wharf.core.config.ConfigLoader;
import io.wharf.core.config.WharfConfig;
import io.wharf.core.gateway.Endpoint;
import io.wharf.core.gateway.FrontDoors;
import io.wharf.testkit.ExternalTool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The README's quick tour, run as written: every command of the tour's {@code sh} blocks, in order,
 * against a fresh Wharf, with the real tools (curl, redis-cli, npx wscat), each checked against the
 * output its {@code #} lines show ({@code ...} matches anything; runs of white space compare equal, so
 * a multi-line reply may be shown on one line). Lines with a prompt ({@code 127.0.0.1:6380> ...})
 * are typed into the command above them. A command still running once its output matches (SSE,
 * wscat) is stopped, as a reader would press Ctrl-C.
 *
 * <p>What differs from typing the tour, and only this: {@code ./wharf} starts Wharf in this JVM on
 * free ports with a temporary data directory, and the tour's default ports (6380, 8080, 9092) are
 * replaced by those in every command and expected output; {@code redis-cli} gets {@code --no-raw} so
 * that through a pipe it prints what it prints on a terminal; commands run with {@code sh -c} in the
 * directory of the pre-installed npm packages ({@link ExternalTool#nodePackages}) with npm offline,
 * so {@code npx wscat} finds wscat there and never downloads.
 */
class ReadmeTourTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Pattern PROMPT = Pattern.compile("^(\\S*)> (.*)$");
    private static final long STEP_SECONDS = 60;

    @TempDir
    Path dir;

    /** One tour command: the shell line, what is typed into it, and the output its comments show. */
    record Step(String command, List<String> input, List<String> expected) {
    }

    @Test
    void everyTourCommandPrintsWhatTheReadmeShows() throws Exception {
        ExternalTool.CURL.path();
        ExternalTool.REDIS_CLI.path();
        ExternalTool.NODE.path();
        ExternalTool.NPX.path();
        Path nodeDir = ExternalTool.nodePackages("wscat");

        String readme = Files.readString(README, StandardCharsets.UTF_8);
        List<Step> steps = tourSteps(readme);
        assertThat(steps).as("tour steps in README.md").hasSizeGreaterThan(5);
        Step first = steps.get(0);
        assertThat(first.command()).as("the tour starts Wharf first").matches("\\./wharf( [^'\"]*)? &");

        long started = System.nanoTime();
        try (WharfServer server = startWharf(first.command())) {
            System.out.printf("tour: Wharf started in %d ms%n", (System.nanoTime() - started) / 1_000_000);
            Map<String, String> ports = portSubstitutions(server);
            String ready = server.readyLine();
            assertThat(ready).as("the ready line the README shows before the tour")
                    .isEqualTo(substitute(readyLineBlock(readme), ports));
            assertOutput(first, substitute(String.join("\n", first.expected()), ports), ready, "");
            for (Step step : steps.subList(1, steps.size())) {
                long stepStarted = System.nanoTime();
                run(step, ports, nodeDir);
                System.out.printf("tour: %d ms for %s%n", (System.nanoTime() - stepStarted) / 1_000_000, step.command());
            }
        }
    }

    /** Starts Wharf as {@code ./wharf} with the tour's arguments does, but in this JVM, on free ports. */
    private WharfServer startWharf(String command) {
        List<String> args = new ArrayList<>(List.of(command.replaceFirst("^\\./wharf", "").replaceFirst("&$", "")
                .strip().split("\\s+")));
        args.removeIf(String::isEmpty);
        args.addAll(List.of("--resp-port", "0", "--http-port", "0", "--kafka-port", "0",
                "--data-dir", dir.resolve("data").toString()));
        WharfCommand cli = new WharfCommand();
        new CommandLine(cli).parseArgs(args.toArray(String[]::new));
        WharfConfig config = new ConfigLoader(FrontDoors.sections()).load(cli.config, cli.call());
        return WharfServer.start(config, line -> { });
    }

    /** The tour's default addresses and ports, mapped to where this Wharf listens. */
    private static Map<String, String> portSubstitutions(WharfServer server) {
        Map<String, String> defaults = Map.of("resp", "6380", "http", "8080", "kafka", "9092");
        Map<String, String> out = new LinkedHashMap<>();
        for (Endpoint e : server.endpoints()) {
            String port = defaults.get(e.name());
            if (port != null) {
                out.put("127.0.0.1:" + port, e.host() + ":" + e.port());
                out.put("-p " + port, "-p " + e.port());
            }
        }
        return out;
    }

    private static String substitute(String text, Map<String, String> ports) {
        String out = text;
        for (Map.Entry<String, String> e : ports.entrySet()) {
            out = out.replace(e.getKey(), e.getValue());
        }
        return out;
    }

    private static void run(Step step, Map<String, String> ports, Path nodeDir) throws Exception {
        String command = substitute(step.command(), ports).replaceAll("(^|[\\s;|&])redis-cli ", "$1redis-cli --no-raw ");
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", command).directory(nodeDir.toFile());
        builder.environment().put("npm_config_offline", "true");
        builder.environment().put("npm_config_update_notifier", "false");
        Process process = builder.start();
        Output stdout = Output.of(process.getInputStream());
        Output stderr = Output.of(process.getErrorStream());
        OutputStream stdin = process.getOutputStream();
        for (String line : step.input()) {
            stdin.write((substitute(line, ports) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        stdin.flush();
        // stdin stays open, as a terminal's would: wscat, for one, quits at its end
        Pattern expected = pattern(substitute(String.join("\n", step.expected()), ports));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_SECONDS);
        try {
            while (System.nanoTime() < deadline) {
                if (expected.matcher(normalize(stdout.text())).matches()) {
                    return;
                }
                if (!process.isAlive()) {
                    stdout.drain();
                    stderr.drain();
                    break;
                }
                Thread.sleep(50);
            }
            assertOutput(step, substitute(String.join("\n", step.expected()), ports), stdout.text(),
                    stderr.text() + (process.isAlive() ? "\n(still running after " + STEP_SECONDS + " s)"
                            : "\n(exit code " + process.exitValue() + ")"));
        } finally {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void assertOutput(Step step, String expected, String actual, String stderr) {
        assertThat(normalize(actual))
                .as("README tour command%n  %s%nshould print (... = anything)%n  %s%nbut printed%n%s%nstandard error:%n%s",
                        step.command(), expected, actual, stderr)
                .matches(pattern(expected));
    }

    /** Runs of white space compare equal; leading and trailing white space does not count. */
    private static String normalize(String text) {
        return text.strip().replaceAll("\\s+", " ");
    }

    /** The expected output as a pattern: literal text, with {@code ...} matching anything. */
    private static Pattern pattern(String expected) {
        String[] parts = normalize(expected).split("\\.\\.\\.", -1);
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            // a space next to "..." is optional, so that a "..." line may also stand for nothing
            String part = parts[i];
            boolean spaceBefore = i > 0 && part.startsWith(" ");
            boolean spaceAfter = i + 1 < parts.length && part.endsWith(" ");
            String literal = part.substring(spaceBefore ? 1 : 0, Math.max(spaceBefore ? 1 : 0, part.length() - (spaceAfter ? 1 : 0)));
            regex.append(i > 0 ? ".*" : "").append(spaceBefore ? " ?" : "").append(Pattern.quote(literal))
                    .append(spaceAfter ? " ?" : "");
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    /** Every command of the tour's sh blocks, with its typed input and expected output. */
    static List<Step> tourSteps(String readme) {
        String tour = section(readme, "## A quick tour");
        List<Step> steps = new ArrayList<>();
        Step current = null;
        boolean inShell = false;
        StringBuilder continued = new StringBuilder();
        for (String raw : tour.split("\n", -1)) {
            String line = raw.stripTrailing();
            if (line.startsWith("```")) {
                inShell = !inShell && line.equals("```sh");
                continue;
            }
            if (!inShell || line.isBlank()) {
                continue;
            }
            if (line.startsWith("#")) {
                assertThat(current).as("a # line before any command in the tour: " + line).isNotNull();
                current.expected().add(line.substring(1));
                continue;
            }
            Matcher prompt = PROMPT.matcher(line);
            if (prompt.matches() && continued.isEmpty()) {
                assertThat(current).as("a prompt line before any command in the tour: " + line).isNotNull();
                current.input().add(prompt.group(2));
                continue;
            }
            if (line.endsWith("\\")) {
                continued.append(line, 0, line.length() - 1);
                continue;
            }
            current = new Step(continued + line, new ArrayList<>(), new ArrayList<>());
            continued.setLength(0);
            steps.add(current);
        }
        for (Step step : steps) {
            assertThat(step.expected()).as("the tour shows what this prints (a # line): " + step.command()).isNotEmpty();
        }
        return steps;
    }

    /** The ready line the README shows in "The two commands". */
    static String readyLineBlock(String readme) {
        String section = section(readme, "## The two commands");
        int sentence = section.indexOf("prints one line on standard output:");
        assertThat(sentence).as("the README's sentence introducing the ready line").isNotNegative();
        String after = section.substring(sentence);
        int open = after.indexOf("```\n");
        int close = after.indexOf("\n```", open + 4);
        return after.substring(open + 4, close).strip();
    }

    private static String section(String readme, String heading) {
        int start = readme.indexOf("\n" + heading + "\n");
        assertThat(start).as("README.md has a section " + heading).isNotNegative();
        int end = readme.indexOf("\n## ", start + heading.length() + 2);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    /** What a process writes to one of its streams, collected by a daemon thread. */
    private static final class Output {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread pump;

        private Output(InputStream in) {
            pump = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try (in) {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        synchronized (bytes) {
                            bytes.write(buffer, 0, n);
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            }, "readme-tour-output");
            pump.setDaemon(true);
            pump.start();
        }

        static Output of(InputStream in) {
            return new Output(in);
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }

        void drain() throws InterruptedException {
            pump.join(TimeUnit.SECONDS.toMillis(10));
        }
    }
}
