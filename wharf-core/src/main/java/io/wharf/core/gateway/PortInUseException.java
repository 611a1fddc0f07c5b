package io.wharf.core.gateway;

import java.net.BindException;

/** A front door's port is already taken by another process. */
public class PortInUseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PortInUseException(String door, String host, int port) {
        super("port " + port + " (" + door + " on " + host + ") is already in use");
    }

    /**
     * What a failed bind means for the user: a {@code PortInUseException} when the address is taken
     * (NIO reports a {@link BindException}, epoll a native error saying so), otherwise an
     * {@link IllegalStateException} naming the address and the cause.
     */
    public static RuntimeException fromBindFailure(String door, String host, int port, Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
                return new PortInUseException(door, host, port);
            }
        }
        return new IllegalStateException("cannot listen on " + host + ":" + port + " (" + door + "): "
                + (cause == null ? "unknown error" : cause.getMessage()), cause);
    }
}
