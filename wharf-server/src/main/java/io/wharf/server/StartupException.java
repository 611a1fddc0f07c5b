package io.wharf.server;

/** Wharf could not start; the message is the one line the user sees. Nothing is left running. */
final class StartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
