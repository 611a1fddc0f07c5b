package io.wharf.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Node {@code ws} client, installed once per build with npm into {@code target/node-ws}, and a
 * way to run a script from test resources with it.
 */
final class NodeWs {
    private static final Path DIR = Path.of("target", "node-ws").toAbsolutePath();

    private NodeWs() {
    }

    /** Installs ws (npm) unless already there; fails with npm's output when it cannot. */
    static synchronized Path install() throws IOException, InterruptedException {
        if (Files.isDirectory(DIR.resolve("node_modules").resolve("ws"))) {
            return DIR;
        }
        Files.createDirectories(DIR);
        Result r = run(DIR, 300, "npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", DIR.toString(),
                "ws@8");
        if (r.exit() != 0 || !Files.isDirectory(DIR.resolve("node_modules").resolve("ws"))) {
            throw new IllegalStateException("npm install ws failed (exit " + r.exit() + "): " + r.output());
        }
        return DIR;
    }

    /** Runs a script from test resources (copied next to node_modules) with arguments. */
    static Result script(String resource, int timeoutSeconds, String... args) throws IOException, InterruptedException {
        Path dir = install();
        Path script = dir.resolve(resource);
        try (var in = NodeWs.class.getResourceAsStream("/node/" + resource)) {
            Files.write(script, in.readAllBytes());
        }
        List<String> command = new ArrayList<>(List.of("node", script.toString()));
        command.addAll(List.of(args));
        return run(dir, timeoutSeconds, command.toArray(String[]::new));
    }

    /** Exit code and combined output of a process. */
    record Result(int exit, String output) {
        /** The last line of output (the scripts print their JSON result last). */
        String lastLine() {
            String[] lines = output.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    private static Result run(Path dir, int timeoutSeconds, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(DIR, "run", ".log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
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
