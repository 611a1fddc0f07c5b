package io.wharf.core.auth;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.wharf.core.access.Principal;

/** What became of one authentication attempt, for the door to answer (or, for {@link Pending}, to wait for). */
public sealed interface AuthOutcome {
    /**
     * The credentials were valid.
     *
     * @param principal who presented them
     */
    record Accepted(Principal principal) implements AuthOutcome {
    }

    /**
     * The credentials were checked and are wrong.
     *
     * @param reason why, when the check says more than "not valid" (a JWT's "the token has expired");
     *               safe to show the client: it never holds the credential. Null otherwise.
     */
    record Rejected(String reason) implements AuthOutcome {
        /** Wrong, without more to say. */
        public Rejected() {
            this(null);
        }
    }

    /**
     * The credential is a JWT signed by a key not fetched yet: {@code outcome} completes with
     * {@link Accepted}, {@link Rejected} or {@link Refused} once the key set is fetched (on the
     * key-fetching thread: a door hops back to its event loop).
     */
    record Pending(CompletableFuture<AuthOutcome> outcome) implements AuthOutcome {
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
