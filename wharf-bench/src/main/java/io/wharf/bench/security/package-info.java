/** The cost of TLS and of access rules on RESP produce and SSE fan-out, against the same gateway without them. */
package io.wharf.bench.security;
