package io.wharf.resp.command;

import io.wharf.core.access.Principal;

/**
 * What {@code AUTH [user] password} (and {@code HELLO ... AUTH}) authenticates as: by default the
 * configured users' {@link io.wharf.core.auth.Credentials#passwordPrincipal}. A JWT sent as the
 * password resolves here too, to a principal whose {@code expiresAt} is the token's {@code exp}.
 */
@FunctionalInterface
public interface PasswordLogin {
    /**
     * The principal, or null when the user and password do not match.
     *
     * @param user null for {@code AUTH <password>}
     */
    Principal principal(String user, String password);
}
