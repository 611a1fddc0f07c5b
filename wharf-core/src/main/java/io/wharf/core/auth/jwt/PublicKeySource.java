package io.wharf.core.auth.jwt;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Where the public signing keys come from: a JWKS file or a JWKS URL. */
interface PublicKeySource extends AutoCloseable {
    /** The keys known now; never blocks. */
    KeyRing keys();

    /**
     * A fetch of the key set for a token whose key is not known, if one is running or may start now
     * (at most one on-demand fetch per {@code min-refresh-interval}); empty when none may. The future
     * completes normally when the fetch ends, whether it succeeded or not.
     */
    Optional<CompletableFuture<Void>> refreshForUnknownKey();

    /** Why the last attempt to load the keys failed, a client-safe sentence; null when it succeeded. */
    String lastFailure();

    @Override
    void close();
}
