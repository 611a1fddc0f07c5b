package io.wharf.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.wharf.testkit.ExternalTool;

/**
 * A script from test resources run by Node with the npm {@code ws} client, which is installed before
 * the build ({@code .ci/install-test-tools}), never by a test; without node or ws the test is skipped
 * naming what to install (a failure under {@code WHARF_REQUIRE_TOOLS=1}).
 */
final class NodeWs {
    private static final Path SCRIPTS = Path.of("target", "node-scripts").toAbsolutePath();

    private NodeWs() {
    }

    /** Runs a script from test resources (copied to target/node-scripts) with arguments. */
    static Result script(String resource, int timeoutSeconds, String... args) throws IOException, InterruptedException {
        Path node = ExternalTool.NODE.path();
        Path modules = ExternalTool.nodePackages("ws").resolve("node_modules");
        Files.createDirectories(SCRIPTS);
        Path script = SCRIPTS.resolve(resource);
        try (var in = NodeWs.class.getResourceAsStream("/node/" + resource)) {
            Files.write(script, in.readAllBytes());
        }
        List<String> command = new ArrayList<>(List.of(node.toString(), script.toString()));
        command.addAll(List.of(args));
        return run(modules, timeoutSeconds, command.toArray(String[]::new));
    }

    /** Exit code and combined output of a process. */
    record Result(int exit, String output) {
        /** The last line of output (the scripts print their JSON result last). */
        String lastLine() {
            String[] lines = output.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    private static Result run(Path modules, int timeoutSeconds, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(SCRIPTS, "run", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(SCRIPTS.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // require('ws') resolves from the pre-installed packages, not from next to the script
        builder.environment().put("NODE_PATH", modules.toString());
        Process p = builder.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeoutSeconds + "s: "
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        return new Result(p.exitValue(), out);
    }
}
