package io.wharf.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.opentest4j.TestAbortedException;

/**
 * A program outside the JDK that a test runs. {@link #path()} finds it on {@code PATH}; when it is
 * missing the test is skipped (a JUnit assumption) with one line naming the package to install, so
 * {@code ./mvnw verify} on a machine with only a JDK runs everything else. Under
 * {@code WHARF_REQUIRE_TOOLS=1} (or {@code -Dwharf.requireTools=true}), which {@code .ci/run} sets, a
 * missing tool fails the test instead: CI never skips. {@code .ci/install-test-tools} installs them all.
 * Call it in the test or a {@code @BeforeEach}: an assumption that fails in {@code @BeforeAll} is
 * reported as no test at all, hiding the reason.
 */
public enum ExternalTool {
    REDIS_CLI("redis-cli", "redis-tools"),
    CURL("curl", "curl"),
    NODE("node", "nodejs"),
    NPX("npx", "npm"),
    /** Headless Chromium, for the browser tests (CORS, EventSource, WebSocket from a page). */
    CHROMIUM("chromium", "chromium");

    /** Environment variable that turns a missing tool into a failure. */
    public static final String REQUIRE_ENV = "WHARF_REQUIRE_TOOLS";
    /** System property that turns a missing tool into a failure. */
    public static final String REQUIRE_PROPERTY = "wharf.requireTools";
    /** Environment variable naming the directory whose {@code node_modules} holds the npm packages tests use. */
    public static final String NODE_DIR_ENV = "WHARF_TEST_NODE_DIR";
    /** System property naming that directory (wins over the environment variable). */
    public static final String NODE_DIR_PROPERTY = "wharf.testNodeDir";

    private static final String INSTALL_ALL = "or run .ci/install-test-tools";

    private final String program;
    private final String debianPackage;

    ExternalTool(String program, String debianPackage) {
        this.program = program;
        this.debianPackage = debianPackage;
    }

    /** The program's name as run from PATH. */
    public String program() {
        return program;
    }

    /** The absolute path of the program on PATH; skips (or, when tools are required, fails) the test without it. */
    public Path path() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        throw missing(program + " is not on PATH: install the Debian package " + debianPackage
                + " (apt-get install -y " + debianPackage + ") " + INSTALL_ALL);
    }

    /**
     * The directory whose {@code node_modules} holds these npm packages, installed before the build
     * (tests never run {@code npm install}): {@code -Dwharf.testNodeDir}, else {@code WHARF_TEST_NODE_DIR},
     * else {@code ~/.cache/wharf/test-node}. Skips (or fails, when tools are required) when one is missing.
     */
    public static Path nodePackages(String... packages) {
        Path dir = nodeDir();
        List<String> absent = new ArrayList<>();
        for (String name : packages) {
            if (!Files.isRegularFile(dir.resolve("node_modules").resolve(name).resolve("package.json"))) {
                absent.add(name);
            }
        }
        if (!absent.isEmpty()) {
            throw missing("npm package" + (absent.size() == 1 ? " " : "s ") + String.join(", ", absent) + " not installed in "
                    + dir + ": run .ci/install-test-tools (it installs .ci/test-node/package.json there; "
                    + NODE_DIR_ENV + " picks another directory)");
        }
        return dir;
    }

    private static Path nodeDir() {
        String configured = System.getProperty(NODE_DIR_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(NODE_DIR_ENV);
        }
        if (configured == null || configured.isBlank()) {
            return Path.of(System.getProperty("user.home"), ".cache", "wharf", "test-node");
        }
        return Path.of(configured).toAbsolutePath();
    }

    /** Whether a missing tool fails the test rather than skipping it. */
    public static boolean required() {
        String property = System.getProperty(REQUIRE_PROPERTY);
        if (property != null) {
            return isOn(property);
        }
        String env = System.getenv(REQUIRE_ENV);
        return env != null && isOn(env);
    }

    private static boolean isOn(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes" -> true;
            default -> false;
        };
    }

    /** The skip (a JUnit assumption) or, when tools are required, the failure for a missing tool. */
    private static RuntimeException missing(String reason) {
        if (required()) {
            throw new AssertionError(reason + " [tools are required here (" + REQUIRE_ENV + "=1 or -D" + REQUIRE_PROPERTY
                    + "=true): failing, not skipping]");
        }
        return new TestAbortedException(reason);
    }
}
