package io.wharf.core.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;


/**
 * What one read of a door's TLS files gave: the server's key and certificate chain, the CAs client
 * certificates must chain to, and a digest of every file's bytes (so a reload builds a new context
 * only when a file really changed, whatever its modification time says).
 *
 * @param key         the server's private key
 * @param chain       its certificate first, then the intermediates
 * @param trust       CAs for client certificates; empty when none are asked for
 * @param fingerprint SHA-256 over every file read
 */
record TlsMaterial(PrivateKey key, X509Certificate[] chain, X509Certificate[] trust, byte[] fingerprint) {

    /** Why the files could not be used; the message names the setting. */
    static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;

        Unusable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The digest of the files as they are now, without parsing them. */
    static byte[] fingerprint(TlsSettings settings, String key) throws Unusable {
        MessageDigest digest = sha256();
        for (Path file : files(settings)) {
            digest.update(bytes(file, key + "." + settingOf(settings, file)));
        }
        return digest.digest();
    }

    /**
     * Reads and checks the files.
     *
     * @param key the section's key, e.g. {@code http.tls}, for the messages
     */
    static TlsMaterial read(TlsSettings settings, String key) throws Unusable {
        MessageDigest digest = sha256();
        PrivateKey privateKey;
        X509Certificate[] chain;
        if (settings.keystore() != null) {
            byte[] store = bytes(settings.keystore(), key + ".keystore");
            digest.update(store);
            char[] password = settings.keystorePassword() == null ? new char[0] : settings.keystorePassword().toCharArray();
            try {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(new ByteArrayInputStream(store), password);
                String alias = null;
                for (String a : Collections.list(ks.aliases())) {
                    if (ks.isKeyEntry(a)) {
                        alias = a;
                        break;
                    }
                }
                if (alias == null) {
                    throw new Unusable(key + ".keystore: '" + settings.keystore() + "' holds no private key", null);
                }
                Key k = ks.getKey(alias, password);
                if (!(k instanceof PrivateKey pk)) {
                    throw new Unusable(key + ".keystore: entry '" + alias + "' is not a private key", null);
                }
                privateKey = pk;
                Certificate[] certs = ks.getCertificateChain(alias);
                chain = Arrays.stream(certs).map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
            } catch (IOException | GeneralSecurityException e) {
                throw new Unusable(key + ".keystore: cannot read PKCS#12 '" + settings.keystore() + "': "
                        + message(e) + " (is keystore-password right?)", e);
            }
        } else {
            byte[] cert = bytes(settings.cert(), key + ".cert");
            byte[] pem = bytes(settings.key(), key + ".key");
            digest.update(cert);
            digest.update(pem);
            chain = certificates(cert, key + ".cert", settings.cert());
            try {
                privateKey = Pem.privateKey(pem, settings.keyPassword());
            } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
                String text = new String(pem, java.nio.charset.StandardCharsets.US_ASCII);
                String hint = text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY")
                        ? " (it is in OpenSSL's traditional form; convert it to PKCS#8: openssl pkcs8 -topk8 -nocrypt -in "
                                + settings.key() + ")"
                        : settings.keyPassword() == null ? "" : " (is key-password right?)";
                throw new Unusable(key + ".key: cannot read a PKCS#8 PEM private key from '" + settings.key() + "': "
                        + message(e) + hint, e);
            }
        }
        if (chain.length == 0) {
            throw new Unusable(key + ".cert: no certificate found", null);
        }
        matches(privateKey, chain[0], key);
        X509Certificate[] trust = new X509Certificate[0];
        if (settings.trust() != null && settings.clientAuth() != TlsSettings.ClientAuth.NONE) {
            byte[] bundle = bytes(settings.trust(), key + ".trust");
            digest.update(bundle);
            trust = certificates(bundle, key + ".trust", settings.trust());
        }
        return new TlsMaterial(privateKey, chain, trust, digest.digest());
    }

    /** The server's own certificate. */
    X509Certificate certificate() {
        return chain[0];
    }

    private static List<Path> files(TlsSettings settings) {
        List<Path> files = new ArrayList<>();
        if (settings.keystore() != null) {
            files.add(settings.keystore());
        } else {
            files.add(settings.cert());
            files.add(settings.key());
        }
        if (settings.trust() != null && settings.clientAuth() != TlsSettings.ClientAuth.NONE) {
            files.add(settings.trust());
        }
        return files;
    }

    private static String settingOf(TlsSettings settings, Path file) {
        if (file.equals(settings.keystore())) {
            return "keystore";
        }
        if (file.equals(settings.cert())) {
            return "cert";
        }
        return file.equals(settings.key()) ? "key" : "trust";
    }

    private static X509Certificate[] certificates(byte[] pem, String setting, Path file) throws Unusable {
        try {
            X509Certificate[] certs = Pem.certificates(pem);
            if (certs.length == 0) {
                throw new Unusable(setting + ": '" + file + "' holds no PEM certificate", null);
            }
            return certs;
        } catch (GeneralSecurityException e) {
            throw new Unusable(setting + ": cannot read PEM certificates from '" + file + "': " + message(e), e);
        }
    }

    /** A key that does not belong to the certificate would fail every handshake: refuse it up front (e.g. a half-replaced pair). */
    private static void matches(PrivateKey key, X509Certificate cert, String setting) throws Unusable {
        String algorithm = switch (cert.getPublicKey().getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null; // RSASSA-PSS, DSA: left to the handshake
        };
        if (algorithm == null) {
            return;
        }
        byte[] probe = new byte[32];
        new SecureRandom().nextBytes(probe);
        boolean ok;
        try {
            Signature sign = Signature.getInstance(algorithm);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm);
            verify.initVerify(cert.getPublicKey());
            verify.update(probe);
            ok = verify.verify(signature);
        } catch (GeneralSecurityException e) {
            ok = false;
        }
        if (!ok) {
            throw new Unusable(setting + ".key: the private key does not belong to the certificate "
                    + cert.getSubjectX500Principal().getName(), null);
        }
    }

    private static byte[] bytes(Path file, String setting) throws Unusable {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new Unusable(setting + ": cannot read '" + file + "': " + message(e), e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    /**
     * PEM as the JDK reads it, whatever else is on the class path: certificate chains, PKCS#8 keys
     * ({@code BEGIN PRIVATE KEY}, or {@code BEGIN ENCRYPTED PRIVATE KEY} with a password).
     */
    private static final class Pem {
        private static final java.util.regex.Pattern BLOCK = java.util.regex.Pattern.compile(
                "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
        private static final String PBES2 = "1.2.840.113549.1.5.13";

        private Pem() {
        }

        static X509Certificate[] certificates(byte[] pem) throws GeneralSecurityException {
            var factory = java.security.cert.CertificateFactory.getInstance("X.509");
            return factory.generateCertificates(new ByteArrayInputStream(pem)).stream()
                    .map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
        }

        static PrivateKey privateKey(byte[] pem, String password) throws GeneralSecurityException, IOException {
            var m = BLOCK.matcher(new String(pem, java.nio.charset.StandardCharsets.US_ASCII));
            while (m.find()) {
                byte[] der = java.util.Base64.getMimeDecoder().decode(m.group(2));
                switch (m.group(1)) {
                    case "PRIVATE KEY" -> {
                        return pkcs8(new java.security.spec.PKCS8EncodedKeySpec(der));
                    }
                    case "ENCRYPTED PRIVATE KEY" -> {
                        if (password == null) {
                            throw new GeneralSecurityException("the key is encrypted and no key-password is set");
                        }
                        var info = new javax.crypto.EncryptedPrivateKeyInfo(der);
                        // PBES2 names its real algorithm in its parameters, e.g. PBEWithHmacSHA256AndAES_256
                        String algorithm = info.getAlgName().equals(PBES2) || info.getAlgName().equals("PBES2")
                                ? info.getAlgParameters().toString() : info.getAlgName();
                        var secret = javax.crypto.SecretKeyFactory.getInstance(algorithm)
                                .generateSecret(new javax.crypto.spec.PBEKeySpec(password.toCharArray()));
                        var cipher = javax.crypto.Cipher.getInstance(algorithm);
                        cipher.init(javax.crypto.Cipher.DECRYPT_MODE, secret, info.getAlgParameters());
                        return pkcs8(info.getKeySpec(cipher));
                    }
                    default -> {
                        // certificates or parameters beside the key: skip them
                    }
                }
            }
            throw new GeneralSecurityException("no BEGIN PRIVATE KEY or BEGIN ENCRYPTED PRIVATE KEY block");
        }

        private static PrivateKey pkcs8(java.security.spec.PKCS8EncodedKeySpec spec) throws GeneralSecurityException {
            GeneralSecurityException last = null;
            for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA")) {
                try {
                    return java.security.KeyFactory.getInstance(algorithm).generatePrivate(spec);
                } catch (GeneralSecurityException e) {
                    last = e;
                }
            }
            throw new GeneralSecurityException("not an RSA, EC or EdDSA key", last);
        }
    }
}
