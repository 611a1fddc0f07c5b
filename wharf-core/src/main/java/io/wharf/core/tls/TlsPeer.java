package io.wharf.core.tls;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;

/** The client certificate of a TLS connection, as a door sees it once the handshake is done. */
public final class TlsPeer {
    private TlsPeer() {
    }

    /**
     * The subject of the client's certificate in RFC 2253 form, most specific first, e.g.
     * {@code CN=device-7,O=Acme} (what Kafka's default principal builder gives for {@code SSL}).
     *
     * @return the subject, or null when the connection is not TLS, its handshake is not done, or the
     *         client presented no certificate
     */
    public static String subject(Channel channel) {
        X509Certificate cert = certificate(channel);
        return cert == null ? null : cert.getSubjectX500Principal().getName(X500Principal.RFC2253);
    }

    /** The client's certificate, or null (see {@link #subject(Channel)}). */
    public static X509Certificate certificate(Channel channel) {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null || !ssl.handshakeFuture().isSuccess()) {
            return null;
        }
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** Whether the connection speaks TLS. */
    public static boolean isTls(Channel channel) {
        return channel.pipeline().get(SslHandler.class) != null;
    }
}
