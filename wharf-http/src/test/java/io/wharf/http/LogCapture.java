package io.wharf.http;

/** Captures what Wharf logs while it is open: the testkit's {@link io.wharf.testkit.LogCapture}, under the name this module's tests use. */
final class LogCapture implements AutoCloseable {
    private final io.wharf.testkit.LogCapture capture = new io.wharf.testkit.LogCapture();

    String text() {
        return capture.text();
    }

    @Override
    public void close() {
        capture.close();
    }
}
