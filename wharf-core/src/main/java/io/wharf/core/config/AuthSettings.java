package io.wharf.core.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * Credentials every front door enforces once any is set, and the budget of failed attempts each
 * client address has before it is refused for a while.
 *
 * @param password         the password of the user {@code default} (Redis {@code AUTH <password>}, HTTP
 *                         basic with user {@code default} or an empty user, kafka-proxy's
 *                         {@code Authorization: basic <secret>}); an empty one is refused at start-up
 * @param users            user name to password (Redis {@code AUTH <user> <password>}, HTTP basic)
 * @param tokens           bearer tokens accepted by the HTTP front door
 * @param maxFailures      failed attempts one client address may make within {@code failureWindow} before
 *                         it is refused for {@code refusal} (0 = no limit)
 * @param failureWindow    how long failed attempts of one address count together
 * @param refusal          how long an address that used up its budget is refused, without its credentials
 *                         being checked; doubled each time the address uses up its budget again
 * @param maxRefusal       the longest refusal
 * @param trackedAddresses most client addresses remembered with failures; beyond it the least recently
 *                         seen is forgotten, so memory stays bounded
 * @param jwt              JSON Web Tokens accepted as credentials ({@code auth.jwt}); null when none are
 */
public record AuthSettings(String password, Map<String, String> users, List<String> tokens, Integer maxFailures,
                           Duration failureWindow, Duration refusal, Duration maxRefusal,
                           Integer trackedAddresses, JwtSettings jwt) implements Section {
    @JsonCreator
    public AuthSettings {
        users = users == null ? Map.of() : Map.copyOf(users);
        tokens = tokens == null ? List.of() : List.copyOf(tokens);
        maxFailures = maxFailures == null ? 10 : maxFailures;
        failureWindow = failureWindow == null ? Duration.ofMinutes(1) : failureWindow;
        refusal = refusal == null ? Duration.ofSeconds(5) : refusal;
        maxRefusal = maxRefusal == null ? Duration.ofSeconds(60) : maxRefusal;
        trackedAddresses = trackedAddresses == null ? 10_000 : trackedAddresses;
    }

    /** Credentials and a failure budget, without JWTs. */
    public AuthSettings(String password, Map<String, String> users, List<String> tokens, Integer maxFailures,
                        Duration failureWindow, Duration refusal, Duration maxRefusal, Integer trackedAddresses) {
        this(password, users, tokens, maxFailures, failureWindow, refusal, maxRefusal, trackedAddresses, null);
    }

    /** Credentials with the default failure budget. */
    public AuthSettings(String password, Map<String, String> users, List<String> tokens) {
        this(password, users, tokens, null, null, null, null, null);
    }

    /** A copy with another failure budget: {@code maxFailures} per {@code window}, refused for {@code refusal} up to {@code maxRefusal}. */
    public AuthSettings withFailureBudget(int maxFailures, Duration window, Duration refusal, Duration maxRefusal) {
        return new AuthSettings(password, users, tokens, maxFailures, window, refusal, maxRefusal, trackedAddresses, jwt);
    }

    /** A copy accepting JSON Web Tokens as {@code jwt} says (null: none). */
    public AuthSettings withJwt(JwtSettings jwt) {
        return new AuthSettings(password, users, tokens, maxFailures, failureWindow, refusal, maxRefusal,
                trackedAddresses, jwt);
    }

    /** True when any credential is configured, so every front door must authenticate. */
    public boolean enabled() {
        return password != null || !users.isEmpty() || !tokens.isEmpty() || jwt != null;
    }

    @Override
    public void problems(String key, List<String> problems) {
        if (password != null && password.isEmpty()) {
            // e.g. ${WHARF_PASSWORD:-} with the variable unset: refuse rather than run without auth
            problems.add(key + ".password: is empty (an unset ${VAR:-} gives an empty value); "
                    + "remove the key to run without a password");
        }
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
        if (maxFailures < 0) {
            problems.add(key + ".max-failures: " + maxFailures + " must be at least 0 (0 = no limit)");
        }
        positive(problems, key + ".failure-window", failureWindow);
        positive(problems, key + ".refusal", refusal);
        positive(problems, key + ".max-refusal", maxRefusal);
        if (maxRefusal.compareTo(refusal) < 0) {
            problems.add(key + ".max-refusal: " + DurationText.format(maxRefusal) + " is shorter than "
                    + key + ".refusal (" + DurationText.format(refusal) + ")");
        }
        if (trackedAddresses < 1) {
            problems.add(key + ".tracked-addresses: " + trackedAddresses + " must be at least 1");
        }
        if (jwt != null) {
            jwt.problems(key + ".jwt", problems);
        }
    }

    private static void positive(List<String> problems, String key, Duration d) {
        if (d.isNegative() || d.isZero()) {
            problems.add(key + ": must be positive");
        }
    }

    @Override
    public String toString() {
        return "AuthSettings[password=" + Secrets.mask(password) + ", users=" + users.keySet() + ", tokens="
                + tokens.size() + ", maxFailures=" + maxFailures + ", failureWindow=" + failureWindow + ", refusal="
                + refusal + ", maxRefusal=" + maxRefusal + ", trackedAddresses=" + trackedAddresses + ", jwt=" + jwt + "]";
    }
}
