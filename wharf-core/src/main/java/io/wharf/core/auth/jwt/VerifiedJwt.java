package io.wharf.core.auth.jwt;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * A token whose signature, algorithm, times, issuer and audience passed every check.
 *
 * @param subject   the principal's name, from the configured subject claim
 * @param roles     the roles from the configured roles claim (empty when the token has none)
 * @param claims    every claim of the token, immutable: texts, numbers ({@code Long} or {@code Double}), booleans,
 *                  lists, nested maps and nulls as the JSON held them; times ({@code exp}, {@code iat}, ...) as
 *                  seconds since the epoch
 * @param expiresAt when the token expires ({@code exp}, without the clock skew); null when it has no {@code exp}
 * @param notBefore when the token becomes valid ({@code nbf}); null when it has none
 */
public record VerifiedJwt(String subject, Set<String> roles, Map<String, Object> claims, Instant expiresAt,
                          Instant notBefore) {
    public VerifiedJwt {
        roles = Set.copyOf(roles);
    }
}
