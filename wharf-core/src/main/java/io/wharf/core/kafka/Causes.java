package io.wharf.core.kafka;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What a failure from a future really was: the wrappers futures add taken off, and the root cause's words. */
public final class Causes {
    private Causes() {
    }

    /** The failure without the {@link CompletionException} / {@link ExecutionException} wrappers futures add. */
    public static Throwable unwrap(Throwable failure) {
        Throwable e = failure;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** The message of the innermost cause, or its class name when it has none. */
    public static String rootMessage(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
