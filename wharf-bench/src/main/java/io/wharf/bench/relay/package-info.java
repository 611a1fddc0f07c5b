/** Relay benchmark: key-ordered webhook delivery against a slow endpoint, measured against Little's law. */
package io.wharf.bench.relay;
