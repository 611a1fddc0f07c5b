/** Credentials every front door checks (passwords per user, bearer tokens) and the failure budget per client address. */
package io.wharf.core.auth;
