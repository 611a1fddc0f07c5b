package io.wharf.core.auth.jwt;

import java.util.concurrent.CompletableFuture;

/**
 * The answer of {@link JwtVerifier#verifyNow(String)}: verified, refused, or waiting for the key set
 * at {@code jwks-url} to be fetched. A door on an event loop switches over it; only
 * {@link KeysPending} needs a callback (which runs on the key-fetching thread, so a door hops back
 * to its event loop there).
 */
public sealed interface JwtCheck {
    /** The token passed every check. */
    record Verified(VerifiedJwt jwt) implements JwtCheck {
    }

    /**
     * The token is refused.
     *
     * @param rejection why, in a word
     * @param reason    a sentence safe to show the client and to log: it never holds the token, and any value
     *                  taken from the token (kid, alg) is escaped
     */
    record Invalid(JwtRejection rejection, String reason) implements JwtCheck {
    }

    /**
     * The token names a key not known yet; the key set is being fetched. {@code result} completes with
     * {@link Verified} or {@link Invalid} (never again {@code KeysPending}) within {@code auth.jwt.jwks-timeout}.
     */
    record KeysPending(CompletableFuture<JwtCheck> result) implements JwtCheck {
    }
}
