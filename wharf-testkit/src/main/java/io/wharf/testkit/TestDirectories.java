package io.wharf.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary directories for tests that need files of their own (a broker's data, a gateway's data dir). */
public final class TestDirectories {
    private TestDirectories() {
    }

    /** Deletes a directory tree, ignoring what has already gone. */
    public static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a temp dir left behind is not worth failing a test over
                }
            });
        } catch (IOException ignored) {
            // as above
        }
    }
}
