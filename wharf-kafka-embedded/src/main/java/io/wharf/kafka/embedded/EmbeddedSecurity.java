package io.wharf.kafka.embedded;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A secured embedded broker: its client listener is {@code SASL_SSL} with SCRAM-SHA-256 and
 * SCRAM-SHA-512, Kafka's standard authorizer decides with {@code allow.everyone.if.no.acl.found=false},
 * and these users exist (their SCRAM credentials are set at every start, so a changed password applies).
 *
 * @param users      user name to password; every user gets both SCRAM mechanisms
 * @param superUsers users the authorizer lets do anything (besides the broker's own identity)
 */
public record EmbeddedSecurity(Map<String, String> users, List<String> superUsers) {
    public EmbeddedSecurity {
        users = Map.copyOf(Objects.requireNonNull(users, "users"));
        superUsers = superUsers == null ? List.of() : List.copyOf(superUsers);
        for (String user : superUsers) {
            if (!users.containsKey(user)) {
                throw new IllegalArgumentException("super user '" + user + "' is not among the users " + users.keySet());
            }
        }
        for (String user : users.keySet()) {
            if (user.isEmpty() || user.contains(",") || user.contains("=") || user.contains(";")) {
                throw new IllegalArgumentException("user name '" + user + "' must be non-empty without ',', '=' or ';'");
            }
        }
    }

    /** Masks the passwords. */
    @Override
    public String toString() {
        return "EmbeddedSecurity[users=" + users.keySet() + ", superUsers=" + superUsers + "]";
    }
}
