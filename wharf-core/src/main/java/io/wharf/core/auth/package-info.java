/** Credentials every front door checks: passwords per user and bearer tokens. */
package io.wharf.core.auth;
