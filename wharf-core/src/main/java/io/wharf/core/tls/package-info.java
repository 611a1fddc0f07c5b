/** TLS on the doors' listeners: settings every door's {@code tls} section binds to, the server context (reloaded when its files change) and the peer's certificate. */
package io.wharf.core.tls;
