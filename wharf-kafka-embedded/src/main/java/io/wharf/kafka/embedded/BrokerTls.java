package io.wharf.kafka.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The secured broker's key material, kept in a directory of its own: a self-signed CA made once (so
 * clients that trust it keep working across restarts) and a broker certificate signed by it, made
 * again at every start for the hosts the broker is then reached by. Files: {@code ca.p12} (the CA's
 * key), {@code ca.pem} and {@code truststore.p12} (the CA certificate, for clients) and
 * {@code broker.p12} (the broker's key and chain).
 */
final class BrokerTls {
    /** Password of the PKCS#12 truststore; it holds only the public CA certificate. */
    static final String TRUSTSTORE_PASSWORD = "wharf-truststore";
    private static final String CA_ALIAS = "wharf-embedded-ca";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final String keystorePassword;

    private BrokerTls(Path dir, String keystorePassword) {
        this.dir = dir;
        this.keystorePassword = keystorePassword;
    }

    /**
     * Makes the CA when the directory has none, and a broker certificate for these hosts (DNS names or
     * IP addresses, also as subject alternative names so clients' hostname verification passes).
     */
    static BrokerTls prepare(Path dir, Set<String> hosts) {
        try {
            Files.createDirectories(dir);
            // the CA key's password is kept next to it: whoever can read the directory is the broker's owner anyway
            Path caPasswordFile = dir.resolve("ca.password");
            if (!Files.exists(dir.resolve("ca.p12")) || !Files.exists(caPasswordFile)) {
                writeCa(dir, randomPassword());
            }
            String caPassword = Files.readString(caPasswordFile, StandardCharsets.UTF_8).trim();
            KeyStore caStore = KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(dir.resolve("ca.p12"))) {
                caStore.load(in, caPassword.toCharArray());
            }
            PrivateKey caKey = (PrivateKey) caStore.getKey(CA_ALIAS, caPassword.toCharArray());
            X509Certificate caCert = (X509Certificate) caStore.getCertificate(CA_ALIAS);
            writeTrust(dir, caCert);

            String keystorePassword = randomPassword(); // a new broker key every start: nobody else needs the password
            KeyPair brokerKeys = keyPair();
            X509Certificate brokerCert = brokerCertificate(caCert, caKey, brokerKeys, hosts);
            KeyStore brokerStore = KeyStore.getInstance("PKCS12");
            brokerStore.load(null, null);
            brokerStore.setKeyEntry("broker", brokerKeys.getPrivate(), keystorePassword.toCharArray(),
                    new Certificate[] {brokerCert, caCert});
            store(brokerStore, dir.resolve("broker.p12"), keystorePassword);
            return new BrokerTls(dir, keystorePassword);
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new EmbeddedKafkaException("cannot prepare the embedded broker's TLS certificates in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    private static void writeCa(Path dir, String password) throws GeneralSecurityException, OperatorCreationException,
            IOException {
        KeyPair keys = keyPair();
        X500Name name = new X500Name("CN=Wharf embedded Kafka CA " + HexFormat.of().formatHex(serial().toByteArray()));
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(3650))), name,
                keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        X509Certificate cert = sign(builder, keys.getPrivate());
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(CA_ALIAS, keys.getPrivate(), password.toCharArray(), new Certificate[] {cert});
        store(store, dir.resolve("ca.p12"), password);
        Files.writeString(dir.resolve("ca.password"), password, StandardCharsets.UTF_8);
    }

    private static void writeTrust(Path dir, X509Certificate caCert) throws GeneralSecurityException, IOException {
        StringWriter pem = new StringWriter();
        pem.write("-----BEGIN CERTIFICATE-----\n");
        pem.write(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(caCert.getEncoded()));
        pem.write("\n-----END CERTIFICATE-----\n");
        atomicWrite(dir.resolve("ca.pem"), pem.toString().getBytes(StandardCharsets.US_ASCII));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry(CA_ALIAS, caCert);
        store(trust, dir.resolve("truststore.p12"), TRUSTSTORE_PASSWORD);
    }

    private static X509Certificate brokerCertificate(X509Certificate caCert, PrivateKey caKey, KeyPair keys,
                                                     Set<String> hosts) throws GeneralSecurityException,
            OperatorCreationException, IOException {
        Set<String> all = new LinkedHashSet<>(hosts);
        all.add("localhost");
        all.add("127.0.0.1");
        List<GeneralName> names = new ArrayList<>();
        for (String host : all) {
            names.add(isIpAddress(host) ? new GeneralName(GeneralName.iPAddress, host)
                    : new GeneralName(GeneralName.dNSName, host));
        }
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCert, serial(),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(825))),
                new X500Name("CN=" + hosts.stream().findFirst().orElse("localhost")), keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        return sign(builder, caKey);
    }

    private static boolean isIpAddress(String host) {
        return host.matches("[0-9.]+") || host.contains(":");
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        // EC P-256: generated in milliseconds, unlike RSA, and every TLS 1.2/1.3 client accepts it
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).abs().add(BigInteger.ONE);
    }

    static String randomPassword() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void store(KeyStore store, Path file, String password) throws GeneralSecurityException, IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            store.store(out, password.toCharArray());
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void atomicWrite(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The broker's PKCS#12 key store (key and chain). */
    Path keystore() {
        return dir.resolve("broker.p12");
    }

    /** Password of {@link #keystore()} and of the key in it. */
    String keystorePassword() {
        return keystorePassword;
    }

    /** The CA certificate as PEM. */
    Path caPem() {
        return dir.resolve("ca.pem");
    }

    /** The CA certificate in a PKCS#12 truststore, password {@link #TRUSTSTORE_PASSWORD}. */
    Path truststore() {
        return dir.resolve("truststore.p12");
    }
}
