package io.wharf.core.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.wharf.core.config.DurationText;
import io.wharf.core.config.Secrets;
import io.wharf.core.config.Section;

/**
 * A door's {@code tls} sub-section: TLS is on once {@code cert} and {@code key} (PEM) or a PKCS#12
 * {@code keystore} are given; everything else has a safe default.
 *
 * @param cert             PEM certificate chain, the server's certificate first
 * @param key              PEM private key (PKCS#8, encrypted when {@code keyPassword} is set)
 * @param keyPassword      the password of an encrypted {@code key}
 * @param keystore         PKCS#12 file holding the key and its chain, instead of {@code cert} and {@code key}
 * @param keystorePassword the password of {@code keystore}
 * @param protocols        protocols offered; nothing older than TLSv1.2 is accepted
 * @param ciphers          cipher suites offered; empty: the provider's defaults for {@code protocols}
 * @param clientAuth       whether clients must present a certificate ({@code none}, {@code optional}, {@code required})
 * @param trust            PEM bundle of the CAs client certificates must chain to; needed unless {@code clientAuth} is none
 * @param port             a port for TLS beside the door's plain port (0 = a free port); unset: the door's own port speaks TLS only
 * @param reloadInterval   how often the files are checked for a change (a changed file builds a new context for new
 *                         connections); 0 = never
 * @param handshakeTimeout a connection that has not finished its handshake by then is closed
 */
public record TlsSettings(Path cert, Path key, String keyPassword, Path keystore, String keystorePassword,
                          List<String> protocols, List<String> ciphers, ClientAuth clientAuth, Path trust, Integer port,
                          Duration reloadInterval, Duration handshakeTimeout) implements Section {
    /** The protocols offered unless configured. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    private static final Set<String> SUPPORTED = Set.of("TLSv1.3", "TLSv1.2");
    private static final Set<String> OLDER = Set.of("SSLv2", "SSLv2Hello", "SSLv3", "TLSv1", "TLSv1.0", "TLSv1.1");

    /** Whether clients present a certificate. */
    public enum ClientAuth {
        /** No client certificate is asked for. */
        @JsonProperty("none") NONE,
        /** One is asked for; a client without one still connects. */
        @JsonProperty("optional") OPTIONAL,
        /** A client without a certificate the trust bundle vouches for fails the handshake. */
        @JsonProperty("required") REQUIRED
    }

    @JsonCreator
    public TlsSettings {
        protocols = protocols == null || protocols.isEmpty() ? DEFAULT_PROTOCOLS : List.copyOf(protocols);
        ciphers = ciphers == null ? List.of() : List.copyOf(ciphers);
        clientAuth = clientAuth == null ? ClientAuth.NONE : clientAuth;
        reloadInterval = reloadInterval == null ? Duration.ofMinutes(1) : reloadInterval;
        handshakeTimeout = handshakeTimeout == null ? Duration.ofSeconds(10) : handshakeTimeout;
    }

    /** TLS off: every default. */
    public static TlsSettings off() {
        return new TlsSettings(null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** TLS from a PEM certificate chain and key, on the door's own port; every other value its default. */
    public static TlsSettings pem(Path cert, Path key) {
        return new TlsSettings(cert, key, null, null, null, null, null, null, null, null, null, null);
    }

    /** TLS from a PKCS#12 keystore, on the door's own port; every other value its default. */
    public static TlsSettings pkcs12(Path keystore, String password) {
        return new TlsSettings(null, null, null, keystore, password, null, null, null, null, null, null, null);
    }

    /** A copy listening on its own port (0 = a free one) beside the door's plain port. */
    public TlsSettings withPort(Integer tlsPort) {
        return new TlsSettings(cert, key, keyPassword, keystore, keystorePassword, protocols, ciphers, clientAuth, trust,
                tlsPort, reloadInterval, handshakeTimeout);
    }

    /** A copy asking for client certificates that chain to the CAs in {@code trustBundle}. */
    public TlsSettings withClientAuth(ClientAuth mode, Path trustBundle) {
        return new TlsSettings(cert, key, keyPassword, keystore, keystorePassword, protocols, ciphers, mode, trustBundle,
                port, reloadInterval, handshakeTimeout);
    }

    /** A copy offering other protocols and cipher suites (empty: the defaults). */
    public TlsSettings withProtocols(List<String> offered, List<String> suites) {
        return new TlsSettings(cert, key, keyPassword, keystore, keystorePassword, offered, suites, clientAuth, trust,
                port, reloadInterval, handshakeTimeout);
    }

    /** A copy with other reload and handshake timings. */
    public TlsSettings withTimings(Duration reload, Duration handshake) {
        return new TlsSettings(cert, key, keyPassword, keystore, keystorePassword, protocols, ciphers, clientAuth, trust,
                port, reload, handshake);
    }

    /** A copy whose PEM key is encrypted with this password. */
    public TlsSettings withKeyPassword(String password) {
        return new TlsSettings(cert, key, password, keystore, keystorePassword, protocols, ciphers, clientAuth, trust,
                port, reloadInterval, handshakeTimeout);
    }

    /** Whether TLS is on: a certificate and key or a keystore is given. */
    public boolean enabled() {
        return cert != null || key != null || keystore != null;
    }

    /** Whether TLS runs on its own port beside the door's plain one. */
    public boolean besidePlain() {
        return enabled() && port != null;
    }

    @Override
    public void problems(String key, List<String> problems) {
        if (!enabled()) {
            if (port != null || trust != null || clientAuth != ClientAuth.NONE || keyPassword != null
                    || keystorePassword != null) {
                problems.add(key + ": TLS is off until " + key + ".cert and " + key + ".key (or " + key
                        + ".keystore) are set, so its other values do nothing");
            }
            return;
        }
        if (keystore != null && (cert != null || this.key != null)) {
            problems.add(key + ".keystore: give either cert and key or keystore, not both");
        } else if (keystore == null && cert == null) {
            problems.add(key + ".cert: " + key + ".key is set without the certificate it belongs to");
        } else if (keystore == null && this.key == null) {
            problems.add(key + ".key: " + key + ".cert is set without its private key");
        }
        readable(problems, key + ".cert", cert);
        readable(problems, key + ".key", this.key);
        readable(problems, key + ".keystore", keystore);
        readable(problems, key + ".trust", trust);
        for (String protocol : protocols) {
            if (OLDER.contains(protocol)) {
                problems.add(key + ".protocols: " + protocol + " is older than TLSv1.2 and refused (use TLSv1.3, TLSv1.2)");
            } else if (!SUPPORTED.contains(protocol)) {
                problems.add(key + ".protocols: '" + protocol + "' is not a TLS protocol (use TLSv1.3, TLSv1.2)");
            }
        }
        for (String cipher : ciphers) {
            if (cipher == null || cipher.isBlank()) {
                problems.add(key + ".ciphers: a cipher suite name is blank");
            }
        }
        if (clientAuth != ClientAuth.NONE && trust == null) {
            problems.add(key + ".trust: required when " + key + ".client-auth is " + name(clientAuth)
                    + " (the CAs client certificates must chain to)");
        }
        if (clientAuth == ClientAuth.NONE && trust != null) {
            problems.add(key + ".trust: only used with " + key + ".client-auth optional or required (it is none)");
        }
        if (port != null && (port < 0 || port > 65535)) {
            problems.add(key + ".port: " + port + " is out of range (0-65535, 0 = a free port)");
        }
        if (reloadInterval.isNegative()) {
            problems.add(key + ".reload-interval: must not be negative (0 = never)");
        }
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            problems.add(key + ".handshake-timeout: must be positive");
        }
    }

    private static void readable(List<String> problems, String key, Path file) {
        if (file == null) {
            return;
        }
        if (!Files.exists(file)) {
            problems.add(key + ": file '" + file + "' does not exist");
        } else if (!Files.isReadable(file) || Files.isDirectory(file)) {
            problems.add(key + ": '" + file + "' is not a readable file");
        }
    }

    static String name(ClientAuth mode) {
        return mode.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String toString() {
        return "TlsSettings[cert=" + cert + ", key=" + key + ", keyPassword=" + Secrets.mask(keyPassword) + ", keystore="
                + keystore + ", keystorePassword=" + Secrets.mask(keystorePassword) + ", protocols=" + protocols
                + ", ciphers=" + ciphers + ", clientAuth=" + name(clientAuth) + ", trust=" + trust + ", port=" + port
                + ", reloadInterval=" + DurationText.format(reloadInterval) + ", handshakeTimeout="
                + DurationText.format(handshakeTimeout) + "]";
    }
}
