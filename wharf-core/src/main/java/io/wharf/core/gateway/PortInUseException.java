package io.wharf.core.gateway;

/** A front door's port is already taken by another process. */
public class PortInUseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PortInUseException(String door, String host, int port) {
        super("port " + port + " (" + door + " on " + host + ") is already in use");
    }
}
