package io.wharf.core.config;

import java.util.List;
import java.util.Map;

/**
 * Credentials every front door enforces once any is set.
 *
 * @param password the password of the user {@code default} (Redis {@code AUTH <password>}, HTTP
 *                 basic with user {@code default} or an empty user, kafka-proxy's
 *                 {@code Authorization: basic <secret>})
 * @param users    user name to password (Redis {@code AUTH <user> <password>}, HTTP basic)
 * @param tokens   bearer tokens accepted by the HTTP front door
 */
public record AuthSettings(String password, Map<String, String> users, List<String> tokens) implements Section {
    public AuthSettings {
        password = password == null || password.isEmpty() ? null : password;
        users = users == null ? Map.of() : Map.copyOf(users);
        tokens = tokens == null ? List.of() : List.copyOf(tokens);
    }

    /** True when any credential is configured, so every front door must authenticate. */
    public boolean enabled() {
        return password != null || !users.isEmpty() || !tokens.isEmpty();
    }

    @Override
    public void problems(String key, List<String> problems) {
        users.forEach((user, pass) -> {
            if (user.isBlank()) {
                problems.add(key + ".users: a user name is blank");
            }
            if (pass == null || pass.isEmpty()) {
                problems.add(key + ".users." + user + ": password is empty");
            }
        });
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i) == null || tokens.get(i).isBlank()) {
                problems.add(key + ".tokens[" + i + "]: token is empty");
            }
        }
    }

    @Override
    public String toString() {
        return "AuthSettings[password=" + Secrets.mask(password) + ", users=" + users.keySet() + ", tokens="
                + tokens.size() + "]";
    }
}
