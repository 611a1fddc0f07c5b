package io.wharf.relay.http;

import java.net.URI;
import java.util.Locale;

/**
 * Where connections go: scheme, host and port. Connections are pooled per origin.
 *
 * @param tls  whether the scheme is https
 * @param host host name or address literal
 * @param port port (the scheme's default when the URL names none)
 */
public record Origin(boolean tls, String host, int port) {
    /** The origin of an absolute http or https URL. */
    public static Origin of(URI url) {
        boolean tls = "https".equals(url.getScheme().toLowerCase(Locale.ROOT));
        int port = url.getPort() >= 0 ? url.getPort() : tls ? 443 : 80;
        String host = url.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new Origin(tls, host, port);
    }

    /** The Host header value: the port only when it is not the scheme's default. */
    public String hostHeader() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return (tls && port == 443) || (!tls && port == 80) ? h : h + ":" + port;
    }
}
