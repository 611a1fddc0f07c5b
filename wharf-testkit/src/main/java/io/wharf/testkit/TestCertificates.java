package io.wharf.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Certificates made at test time (nothing committed): a CA, and server and client certificates it
 * signs, written as PEM or PKCS#12 and usable as the JDK's {@link SSLContext} on the client side.
 * Keys are EC P-256, fast to make.
 */
public final class TestCertificates {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyPair keys;
    private final X509Certificate certificate;

    private TestCertificates(KeyPair keys, X509Certificate certificate) {
        this.keys = keys;
        this.certificate = certificate;
    }

    /** A new self-signed CA with this common name. */
    public static TestCertificates authority(String commonName) {
        KeyPair keys = keyPair();
        X500Name name = name("CN=" + commonName + ",O=Wharf tests");
        try {
            X509v3CertificateBuilder builder = builder(name, name, keys)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new TestCertificates(keys, sign(builder, keys.getPrivate()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The CA's own certificate. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** A server certificate for {@code localhost} and {@code 127.0.0.1}, this CA's signature on it. */
    public Issued server(String commonName) {
        return issue("CN=" + commonName + ",O=Wharf tests", true);
    }

    /** A client certificate with this subject (e.g. {@code CN=device-7,O=Acme}), this CA's signature on it. */
    public Issued client(String subject) {
        return issue(subject, false);
    }

    private Issued issue(String subject, boolean server) {
        KeyPair pair = keyPair();
        try {
            X509v3CertificateBuilder builder = builder(X500Name.getInstance(
                    certificate.getSubjectX500Principal().getEncoded()), name(subject), pair)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            if (server) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            }
            return new Issued(pair.getPrivate(), sign(builder, keys.getPrivate()), this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A server certificate for {@code commonName} written into {@code dir} as {@code cert.pem} and
     * {@code key.pem}, beside this CA's {@code ca.pem}: what a door's {@code tls} section names.
     */
    public ServerFiles writeServerFiles(String commonName, Path dir) {
        Issued server = server(commonName);
        return new ServerFiles(server.writeCertPem(dir.resolve("cert.pem")), server.writeKeyPem(dir.resolve("key.pem")),
                writePem(dir.resolve("ca.pem")));
    }

    /**
     * A server's PEM files.
     *
     * @param cert  its certificate
     * @param key   its private key (PKCS#8)
     * @param trust the issuing CA's certificate
     */
    public record ServerFiles(Path cert, Path key, Path trust) {
    }

    /** Writes the CA's certificate as PEM (a trust bundle, {@code redis-cli --cacert}). */
    public Path writePem(Path file) {
        return write(file, pem(List.of(certificate)));
    }

    /** A client-side context trusting this CA. */
    public SSLContext clientContext() {
        return context(null);
    }

    /** A client-side context trusting this CA and presenting {@code client}'s certificate. */
    public SSLContext clientContext(Issued client) {
        return context(client);
    }

    /** A client-side context trusting this CA, limited to these protocols (e.g. {@code TLSv1.1}). */
    public SSLContext clientContext(String protocol) {
        try {
            SSLContext context = SSLContext.getInstance(protocol);
            context.init(null, trustManagers(), RANDOM);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private SSLContext context(Issued client) {
        try {
            KeyManagerFactory kmf = null;
            if (client != null) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(client.keyStore("changeit"), "changeit".toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), trustManagers(), RANDOM);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private javax.net.ssl.TrustManager[] trustManagers() throws GeneralSecurityException {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            return tmf.getTrustManagers();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A certificate this CA signed, with its key.
     *
     * @param key         the private key
     * @param certificate the certificate
     * @param issuer      the CA that signed it
     */
    public record Issued(PrivateKey key, X509Certificate certificate, TestCertificates issuer) {
        /** Writes the certificate chain (this one, then the CA's) as PEM. */
        public Path writeCertPem(Path file) {
            return write(file, pem(List.of(certificate, issuer.certificate)));
        }

        /** Writes the private key as unencrypted PKCS#8 PEM. */
        public Path writeKeyPem(Path file) {
            try {
                return write(file, pem(List.of(new JcaPKCS8Generator(key, null).generate())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Writes the private key in OpenSSL's traditional form ({@code BEGIN EC PRIVATE KEY}), not PKCS#8. */
        public Path writeTraditionalKeyPem(Path file) {
            return write(file, pem(List.of(key)));
        }

        /** Writes the private key as PKCS#8 PEM encrypted with {@code password} (AES-256-CBC). */
        public Path writeKeyPem(Path file, String password) {
            try {
                OutputEncryptor encryptor = new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                        .setProvider(new BouncyCastleProvider()).setPassword(password.toCharArray()).setRandom(RANDOM).build();
                PemObject object = new JcaPKCS8Generator(key, encryptor).generate();
                return write(file, pem(List.of(object)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** Writes key and chain as a PKCS#12 file. */
        public Path writePkcs12(Path file, String password) {
            try (OutputStream out = Files.newOutputStream(file)) {
                keyStore(password).store(out, password.toCharArray());
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Key and chain in an in-memory PKCS#12 store. */
        public KeyStore keyStore(String password) {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("key", key, password.toCharArray(),
                        new X509Certificate[] {certificate, issuer.certificate});
                return store;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** An RFC 2253 name, most specific first, encoded the way the JDK and OpenSSL read it back in the same order. */
    private static X500Name name(String rfc2253) {
        return X500Name.getInstance(new javax.security.auth.x500.X500Principal(rfc2253).getEncoded());
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM).abs().add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject,
                keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey by) {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(by)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a test certificate", e);
        }
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(List<?> objects) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            for (Object o : objects) {
                if (o instanceof PemObject p) {
                    writer.writeObject(p);
                } else {
                    writer.writeObject(o);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** Writes atomically (a temporary file moved into place), as a deployment tool replacing certificates would. */
    private static Path write(Path file, String text) {
        try {
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
