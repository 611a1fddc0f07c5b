/** Verification of JSON Web Tokens (HMAC secrets, JWKS files and URLs) with Wharf's policy on algorithms, keys and claims. */
package io.wharf.core.auth.jwt;
