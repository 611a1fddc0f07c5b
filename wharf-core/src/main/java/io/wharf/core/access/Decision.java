package io.wharf.core.access;

/** The answer of the access policy to one operation on one resource. */
public sealed interface Decision {
    /**
     * Allowed, within a scope.
     *
     * @param scope the records the grant covers (what the principal receives, and may produce)
     */
    record Allowed(StreamScope scope) implements Decision {
    }

    /**
     * Denied.
     *
     * @param operation what was refused
     * @param resource  the resource it was refused on, e.g. {@code topic 'orders'}
     */
    record Denied(Operation operation, String resource) implements Decision {
        /** The sentence a door answers with: names the operation and resource, never a credential. */
        public String message() {
            return "not allowed to " + operation.word() + " " + resource;
        }
    }

    /**
     * Refused because the principal's credential (a JWT) has expired: the client must authenticate
     * again.
     */
    record Expired() implements Decision {
        /** The sentence a door answers with. */
        public String message() {
            return "the credential has expired; authenticate again";
        }
    }

    /** The sentence a door answers a refusal with; null when allowed. */
    default String refusal() {
        if (this instanceof Denied d) {
            return d.message();
        }
        return this instanceof Expired e ? e.message() : null;
    }

    /** Whether the operation is allowed. */
    default boolean allowed() {
        return this instanceof Allowed;
    }
}
