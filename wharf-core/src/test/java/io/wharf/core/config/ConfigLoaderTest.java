package io.wharf.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();
    private final ConfigLoader loader = new ConfigLoader(env::get, List.of(SampleDoorSettings.SECTION));

    private Path yaml(String text) throws IOException {
        Path file = dir.resolve("wharf.yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void readsEveryRootKeyAndNestedSections() throws IOException {
        Path file = yaml("""
                bootstrap-servers: broker-1:9092,broker-2:9092
                data-dir: /var/lib/wharf
                bind: 0.0.0.0
                resp-port: 7000
                http-port: 0
                kafka:
                  properties:
                    security.protocol: SASL_SSL
                    sasl.mechanism: SCRAM-SHA-256
                    linger.ms: 5
                  startup-timeout: 90s
                embedded:
                  auto-create-topics: true
                """);
        WharfConfig config = loader.load(file, Map.of());
        assertThat(config.bootstrapServers()).isEqualTo("broker-1:9092,broker-2:9092");
        assertThat(config.embeddedKafka()).isFalse();
        assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/wharf"));
        assertThat(config.bind()).isEqualTo("0.0.0.0");
        assertThat(config.respPort()).isEqualTo(7000);
        assertThat(config.httpPort()).isZero();
        assertThat(config.kafka().properties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("linger.ms", "5");
        assertThat(config.kafka().startupTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.embedded().autoCreateTopics()).isTrue();
    }

    @Test
    void substitutesEnvironmentVariablesWithDefaults() throws IOException {
        env.put("KAFKA_PASSWORD", "s3cret");
        env.put("RESP_PORT", "6390");
        Path file = yaml("""
                resp-port: ${RESP_PORT}
                http-port: ${HTTP_PORT:-8181}
                kafka:
                  properties:
                    sasl.jaas.config: "org.apache.kafka.common.security.scram.ScramLoginModule required username=\\"wharf\\" password=\\"${KAFKA_PASSWORD}\\";"
                """);
        WharfConfig config = loader.load(file, Map.of());
        assertThat(config.respPort()).isEqualTo(6390);
        assertThat(config.httpPort()).isEqualTo(8181);
        assertThat(config.kafka().properties().get("sasl.jaas.config")).contains("password=\"s3cret\"");
        assertThat(config.kafka().toString()).doesNotContain("s3cret");
    }

    @Test
    void aRulesPrincipalTemplatesAreNotEnvironmentVariables() throws IOException {
        env.put("sub", "from-the-environment");
        env.put("TENANT_TOPICS", "tenant-");
        WharfConfig config = loader.load(yaml("access:\n  rules:\n"
                + "    - principals: [\"role:customer\"]\n"
                + "      topics: [\"${TENANT_TOPICS}${claims.tenant}.*\", \"user-${sub}\", \"by-${name}\"]\n"
                + "      allow: [consume]\n"
                + "      where: {key: \"${sub}\", headers: {tenant: \"${claims.tenant}\"}}\n"), Map.of());
        AccessSettings.Rule rule = config.access().rules().get(0);
        assertThat(rule.topics()).containsExactly("tenant-${claims.tenant}.*", "user-${sub}", "by-${name}");
        assertThat(rule.where().key()).isEqualTo("${sub}");
        assertThat(rule.where().headers()).containsEntry("tenant", "${claims.tenant}");
        List<String> problems = new java.util.ArrayList<>();
        config.access().problems("access", problems);
        assertThat(problems).isEmpty();
    }

    @Test
    void anUnsetVariableWithoutDefaultNamesTheKeyAndTheVariable() throws IOException {
        Path file = yaml("auth:\n  password: ${WHARF_PASSWORD}\n");
        assertThatThrownBy(() -> loader.load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.password")
                .hasMessageContaining("WHARF_PASSWORD is not set");
    }

    @Test
    void anEmptySecretIsRefusedNamingItsKey() throws IOException {
        // an unset ${VAR:-} gives "": auth must not silently turn off
        assertThatThrownBy(() -> loader.load(yaml("auth:\n  password: ${WHARF_NO_SUCH_PASSWORD:-}\n"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("auth.password: is empty");
        assertThatThrownBy(() -> loader.load(yaml("auth:\n  users:\n    alice: \"\"\n"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("auth.users.alice: password is empty");
        assertThatThrownBy(() -> loader.load(yaml("auth:\n  tokens: [\"\"]\n"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("auth.tokens[0]: token is empty");
        assertThat(loader.load(yaml("auth:\n  password:\n"), Map.of()).auth().enabled()).isFalse();
    }

    @Test
    void theAuthFailureBudgetIsReadAndChecked() throws IOException {
        AuthSettings auth = loader.load(yaml("auth:\n  password: pw\n  max-failures: 5\n  failure-window: 30s\n"
                + "  refusal: 2s\n  max-refusal: 1m\n  tracked-addresses: 100\n"), Map.of()).auth();
        assertThat(auth).isEqualTo(new AuthSettings("pw", null, null, 5, Duration.ofSeconds(30), Duration.ofSeconds(2),
                Duration.ofMinutes(1), 100));
        assertThatThrownBy(() -> loader.load(yaml("auth:\n  refusal: 2m\n  max-refusal: 1m\n"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("auth.max-refusal: 1m is shorter than auth.refusal (2m)");
        assertThatThrownBy(() -> loader.load(yaml("auth:\n  max-failures: -1\n  tracked-addresses: 0\n"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("auth.max-failures: -1 must be at least 0")
                .hasMessageContaining("auth.tracked-addresses: 0 must be at least 1");
    }

    @Test
    void commandLineOverridesWinOverTheFile() throws IOException {
        Path file = yaml("resp-port: 7000\nhttp-port: 7001\n");
        WharfConfig config = loader.load(file, Map.of("resp-port", 7100, "data-dir", Path.of("/tmp/x")));
        assertThat(config.respPort()).isEqualTo(7100);
        assertThat(config.httpPort()).isEqualTo(7001);
        assertThat(config.dataDir()).isEqualTo(Path.of("/tmp/x"));
    }

    @Test
    void wrongTypesAreNamed() throws IOException {
        assertThatThrownBy(() -> loader.load(yaml("http-port: eighty\n"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration: http-port: 'eighty' is not a whole number");
        assertThatThrownBy(() -> loader.load(yaml("kafka:\n  startup-timeout: soon\n"), Map.of()))
                .hasMessageContaining("kafka.startup-timeout")
                .hasMessageContaining("not a duration");
        assertThatThrownBy(() -> loader.load(yaml("embedded: yes-please\n"), Map.of()))
                .hasMessageContaining("embedded");
    }

    @Test
    void portsOutOfRangeAreNamed() throws IOException {
        assertThatThrownBy(() -> loader.load(yaml("resp-port: 70000\n"), Map.of()))
                .hasMessage("invalid configuration: resp-port: 70000 is out of range (0-65535, 0 = a free port)");
        assertThatThrownBy(() -> loader.load(null, Map.of("kafka-port", -1)))
                .hasMessageContaining("kafka-port: -1 is out of range");
    }

    @Test
    void badBootstrapServersAreNamed() {
        assertThatThrownBy(() -> loader.load(null, Map.of("bootstrap-servers", "localhost")))
                .hasMessageContaining("bootstrap-servers: 'localhost' is not host:port");
    }

    @Test
    void wharfOwnedKafkaPropertiesCannotBeOverridden() throws IOException {
        assertThatThrownBy(() -> loader.load(yaml("kafka:\n  properties:\n    bootstrap.servers: x:1\n"), Map.of()))
                .hasMessageContaining("'bootstrap.servers' is set by Wharf itself");
    }

    @Test
    void missingUnreadableAndInvalidFilesAreNamed() throws IOException {
        assertThatThrownBy(() -> loader.load(dir.resolve("nope.yaml"), Map.of()))
                .hasMessage("config file '" + dir.resolve("nope.yaml") + "' does not exist");
        assertThatThrownBy(() -> loader.load(dir, Map.of()))
                .hasMessageContaining("is not a readable file");
        assertThatThrownBy(() -> loader.load(yaml("resp-port: [1, 2\nhttp-port: 3\n"), Map.of()))
                .hasMessageContaining("is not valid YAML at line");
        assertThatThrownBy(() -> loader.load(yaml("- a\n- b\n"), Map.of()))
                .hasMessageContaining("must hold a mapping");
    }

    @Test
    void anEmptyFileMeansDefaults() throws IOException {
        assertThat(loader.load(yaml(""), Map.of()).respPort()).isEqualTo(6380);
    }

    @Test
    void durationsInEveryCommonForm() {
        assertThat(DurationText.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(DurationText.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationText.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(DurationText.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(DurationText.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(DurationText.parse("PT10S")).isEqualTo(Duration.ofSeconds(10));
        assertThat(DurationText.parse("1200")).isEqualTo(Duration.ofMillis(1200));
        assertThatThrownBy(() -> DurationText.parse("later")).hasMessageContaining("not a duration");
    }

    @Test
    void aDoorSectionBindsToTheTypeItsDoorDeclaresAndTakesItsDefaultsWhenAbsent() throws IOException {
        assertThat(loader.load(null, Map.of()).section(SampleDoorSettings.class))
                .isEqualTo(new SampleDoorSettings(null, null));
        WharfConfig config = loader.load(yaml("sample:\n  limit: 7\n  delay: 2s\n"), Map.of());
        assertThat(config.section(SampleDoorSettings.class)).isEqualTo(new SampleDoorSettings(7, Duration.ofSeconds(2)));
        assertThat(loader.load(yaml("sample:\n"), Map.of()).section(SampleDoorSettings.class).limit()).isEqualTo(10);
    }

    @Test
    void doorSectionErrorsNameTheirFullKeyAndDoorKeysAreKnownAtTheRoot() throws IOException {
        assertThatThrownBy(() -> loader.load(yaml("sample:\n  limt: 1\n"), Map.of()))
                .hasMessage("invalid configuration: unknown key 'sample.limt' (known keys: delay, limit)");
        assertThatThrownBy(() -> loader.load(yaml("sample:\n  delay: soon\n"), Map.of()))
                .hasMessage("invalid configuration: sample.delay: 'soon' is not a duration (use e.g. 250ms, 30s, 5m, 1h)");
        assertThatThrownBy(() -> loader.load(yaml("sample: yes-please\n"), Map.of()))
                .hasMessageStartingWith("invalid configuration: sample: expected a mapping of keys to values");
        assertThatThrownBy(() -> loader.load(yaml("sample:\n  limit: 0\n"), Map.of()))
                .hasMessage("invalid configuration: sample.limit: 0 must be positive");
        assertThatThrownBy(() -> loader.load(yaml("sampel: {}\n"), Map.of()))
                .hasMessageContaining("unknown key 'sampel'").hasMessageContaining("sample").hasMessageContaining("hub");
        assertThatThrownBy(() -> loader.load(yaml("doors: {}\n"), Map.of()))
                .hasMessageContaining("unknown key 'doors'");
    }

    @Test
    void aSectionSetByCodeReplacesTheDefaultsAndOthersStayAsTheyWere() {
        WharfConfig config = WharfConfig.defaults().withBootstrapServers("k:9092")
                .with(SampleDoorSettings.class, new SampleDoorSettings(3, null));
        assertThat(config.section(SampleDoorSettings.class).limit()).isEqualTo(3);
        assertThat(config.withEphemeralPorts().section(SampleDoorSettings.class).limit()).isEqualTo(3);
        assertThat(config.withEphemeralPorts().bootstrapServers()).isEqualTo("k:9092");
        assertThat(config.toBuilder().build()).isEqualTo(config);
    }

    @Test
    void secretsNeverAppearInToString() {
        AuthSettings auth = new AuthSettings("hunter2", Map.of("alice", "wonderland"), java.util.List.of("tok-123"));
        assertThat(auth.toString()).doesNotContain("hunter2", "wonderland", "tok-123").contains("alice");
    }
}
