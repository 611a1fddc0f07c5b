package io.wharf.core.access;

/** An operation the access policy refused, for code that answers refusals by throwing. */
public final class AccessDeniedException extends RuntimeException {
    private final transient Decision decision;

    /** The refusal of {@code decision} (a {@link Decision.Denied} or {@link Decision.Expired}). */
    public AccessDeniedException(Decision decision) {
        super(decision.refusal(), null, false, false);
        if (decision.allowed()) {
            throw new IllegalArgumentException("an allowed decision is not a refusal");
        }
        this.decision = decision;
    }

    /** The refusal. */
    public Decision decision() {
        return decision;
    }

    /** Whether the credential expired (rather than the operation being outside the grants). */
    public boolean expired() {
        return decision instanceof Decision.Expired;
    }
}
