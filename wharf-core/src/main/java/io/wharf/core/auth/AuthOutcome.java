package io.wharf.core.auth;

import java.time.Duration;

import io.wharf.core.access.Principal;

/** What became of one authentication attempt, for the door to answer. */
public sealed interface AuthOutcome {
    /**
     * The credentials were valid.
     *
     * @param principal who presented them
     */
    record Accepted(Principal principal) implements AuthOutcome {
    }

    /** The credentials were checked and are wrong. */
    record Rejected() implements AuthOutcome {
    }

    /**
     * The client's address used up its budget of failed attempts: refused without checking the
     * credentials.
     *
     * @param retryAfter how long the address stays refused
     */
    record Refused(Duration retryAfter) implements AuthOutcome {
        /** Whole seconds to wait, rounded up (HTTP {@code Retry-After}); at least 1. */
        public long retryAfterSeconds() {
            return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        }
    }
}
