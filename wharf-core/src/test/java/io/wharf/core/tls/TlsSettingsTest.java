package io.wharf.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.wharf.core.config.ConfigException;
import io.wharf.core.config.ConfigLoader;
import io.wharf.core.config.ConfigPrinter;
import io.wharf.core.config.DoorSection;
import io.wharf.core.config.Section;
import io.wharf.core.config.WharfConfig;
import io.wharf.testkit.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A door's {@code tls} sub-section as the configuration file gives it: defaults, refusals naming the key, masking. */
class TlsSettingsTest {
    /** A door section holding a tls sub-section, as the HTTP and RESP doors' settings do. */
    record DoorWithTls(Integer limit, TlsSettings tls) implements Section {
        static final DoorSection<DoorWithTls> SECTION = new DoorSection<>("door", DoorWithTls.class, 150);

        DoorWithTls {
            limit = limit == null ? 1 : limit;
            tls = tls == null ? TlsSettings.off() : tls;
        }

        @Override
        public void problems(String key, List<String> problems) {
            tls.problems(key + ".tls", problems);
        }
    }

    @TempDir
    Path dir;

    private final ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get, List.of(DoorWithTls.SECTION));

    private WharfConfig load(String yaml) throws IOException {
        Path file = dir.resolve("wharf.yaml");
        Files.writeString(file, yaml);
        return loader.load(file, Map.of());
    }

    private String pemFiles() {
        TestCertificates ca = TestCertificates.authority("settings-ca");
        TestCertificates.Issued server = ca.server("localhost");
        server.writeCertPem(dir.resolve("cert.pem"));
        server.writeKeyPem(dir.resolve("key.pem"));
        ca.writePem(dir.resolve("ca.pem"));
        return "    cert: " + dir.resolve("cert.pem") + "\n    key: " + dir.resolve("key.pem") + "\n";
    }

    @Test
    void offByDefaultWithSafeDefaults() throws IOException {
        TlsSettings tls = load("door: {}\n").section(DoorWithTls.class).tls();
        assertThat(tls.enabled()).isFalse();
        assertThat(tls.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(tls.ciphers()).isEmpty();
        assertThat(tls.clientAuth()).isEqualTo(TlsSettings.ClientAuth.NONE);
        assertThat(tls.reloadInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(tls.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(tls.port()).isNull();
    }

    @Test
    void readsEveryKey() throws IOException {
        WharfConfig config = load("door:\n  tls:\n" + pemFiles() + """
                    key-password: hunter2
                    protocols: [TLSv1.3]
                    ciphers: [TLS_AES_128_GCM_SHA256]
                    client-auth: required
                    trust: %s
                    port: 8443
                    reload-interval: 30s
                    handshake-timeout: 2s
                """.formatted(dir.resolve("ca.pem")));
        TlsSettings tls = config.section(DoorWithTls.class).tls();
        assertThat(tls.enabled()).isTrue();
        assertThat(tls.besidePlain()).isTrue();
        assertThat(tls.keyPassword()).isEqualTo("hunter2");
        assertThat(tls.protocols()).containsExactly("TLSv1.3");
        assertThat(tls.clientAuth()).isEqualTo(TlsSettings.ClientAuth.REQUIRED);
        assertThat(tls.trust()).isEqualTo(dir.resolve("ca.pem"));
        assertThat(tls.port()).isEqualTo(8443);
        assertThat(tls.reloadInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(tls.handshakeTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(tls.toString()).doesNotContain("hunter2");
    }

    @Test
    void protocolsOlderThanTls12AreRefusedNamingTheKey() {
        assertThatThrownBy(() -> load("door:\n  tls:\n" + pemFiles() + "    protocols: [TLSv1.2, TLSv1.1]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration: door.tls.protocols: TLSv1.1 is older than TLSv1.2 and refused "
                        + "(use TLSv1.3, TLSv1.2)");
        assertThatThrownBy(() -> load("door:\n  tls:\n" + pemFiles() + "    protocols: [SSLv3]\n"))
                .hasMessageContaining("door.tls.protocols: SSLv3 is older than TLSv1.2");
        assertThatThrownBy(() -> load("door:\n  tls:\n" + pemFiles() + "    protocols: [TLSv9]\n"))
                .hasMessageContaining("door.tls.protocols: 'TLSv9' is not a TLS protocol");
    }

    @Test
    void clientCertificatesNeedATrustBundle() {
        assertThatThrownBy(() -> load("door:\n  tls:\n" + pemFiles() + "    client-auth: optional\n"))
                .hasMessageContaining("door.tls.trust: required when door.tls.client-auth is optional");
        assertThatThrownBy(() -> load("door:\n  tls:\n" + pemFiles() + "    client-auth: sometimes\n"))
                .hasMessageContaining("door.tls.client-auth: 'sometimes' is not one of none, optional, required");
    }

    @Test
    void incompleteOrMissingFilesAreNamed() {
        assertThatThrownBy(() -> load("door:\n  tls:\n    cert: " + dir.resolve("nope.pem") + "\n"))
                .hasMessageContaining("door.tls.key: door.tls.cert is set without its private key")
                .hasMessageContaining("door.tls.cert: file '" + dir.resolve("nope.pem") + "' does not exist");
        assertThatThrownBy(() -> load("door:\n  tls:\n" + pemFiles() + "    keystore: " + dir.resolve("cert.pem") + "\n"))
                .hasMessageContaining("door.tls.keystore: give either cert and key or keystore, not both");
        assertThatThrownBy(() -> load("door:\n  tls:\n    port: 8443\n"))
                .hasMessageContaining("door.tls: TLS is off until door.tls.cert and door.tls.key (or door.tls.keystore) are set");
    }

    @Test
    void printsEveryKeyWithPasswordsMaskedAndReadsBackTheSame() throws IOException {
        WharfConfig config = load("door:\n  tls:\n" + pemFiles() + "    key-password: hunter2\n");
        String yaml = ConfigPrinter.yaml(config, List.of(DoorWithTls.SECTION));
        assertThat(yaml).contains("""
                door:
                  limit: 1
                  tls:
                    cert: %s
                    key: %s
                    key-password: '******'
                    keystore: null
                    keystore-password: null
                    protocols:
                    - TLSv1.3
                    - TLSv1.2
                    ciphers: []
                    client-auth: none
                    trust: null
                    port: null
                    reload-interval: 1m
                    handshake-timeout: 10s
                """.formatted(dir.resolve("cert.pem"), dir.resolve("key.pem")));
        assertThat(yaml).doesNotContain("hunter2");
        String defaults = ConfigPrinter.yaml(WharfConfig.defaults(), List.of(DoorWithTls.SECTION));
        WharfConfig reread = ConfigLoader.bind(new YAMLMapper().readTree(defaults), List.of(DoorWithTls.SECTION));
        assertThat(reread).isEqualTo(WharfConfig.defaults());
    }
}
