package io.wharf.core.gateway;

/**
 * A listening endpoint, printed in the ready line as {@code name=host:port}.
 *
 * @param name   front door name, e.g. {@code resp}
 * @param host   the address it is bound to
 * @param port   the real port (never 0)
 * @param note   extra words printed after it, e.g. {@code (embedded)}, or empty
 */
public record Endpoint(String name, String host, int port, String note) {
    public Endpoint(String name, String host, int port) {
        this(name, host, port, "");
    }

    /** {@code host:port}. */
    public String address() {
        return host + ":" + port;
    }

    @Override
    public String toString() {
        return name + "=" + address() + (note.isEmpty() ? "" : " " + note);
    }
}
