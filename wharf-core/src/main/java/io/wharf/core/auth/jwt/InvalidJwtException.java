package io.wharf.core.auth.jwt;

/** A refused token, as the failure of {@link JwtVerifier#verify(String)}; the message is the client-safe reason. */
public final class InvalidJwtException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient JwtCheck.Invalid invalid;

    public InvalidJwtException(JwtCheck.Invalid invalid) {
        // no stack trace: a refused token is an answer, not a fault
        super(invalid.reason(), null, false, false);
        this.invalid = invalid;
    }

    /** Why the token was refused. */
    public JwtRejection rejection() {
        return invalid.rejection();
    }

    /** The refusal as {@link JwtVerifier#verifyNow(String)} gives it. */
    public JwtCheck.Invalid invalid() {
        return invalid;
    }
}
