package io.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.wharf.core.config.ConfigException;
import io.wharf.core.config.ConfigLoader;
import io.wharf.core.config.ConfigPrinter;
import io.wharf.core.config.WharfConfig;
import io.wharf.core.gateway.FrontDoors;
import io.wharf.resp.config.RespSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration with every door on the class path, as the server loads it: each door brings its
 * section, and the file, its errors and {@code --print-config} read as they always have.
 */
class ConfigOfEveryDoorTest {
    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();
    private final ConfigLoader loader = new ConfigLoader(env::get, FrontDoors.sections());

    private Path yaml(String text) throws IOException {
        Path file = dir.resolve("wharf.yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void defaultsWithoutAFile() {
        WharfConfig config = loader.load(null, Map.of());
        assertThat(config.embeddedKafka()).isTrue();
        assertThat(config.bind()).isEqualTo("127.0.0.1");
        assertThat(config.kafkaPort()).isEqualTo(9092);
        assertThat(config.respPort()).isEqualTo(6380);
        assertThat(config.httpPort()).isEqualTo(8080);
        assertThat(config.dataDir()).isEqualTo(Path.of("data"));
        assertThat(config.embedded().autoCreateTopics()).isFalse();
        assertThat(config.section(RespSettings.class).maxBulkBytes()).isEqualTo(32_768_000);
        assertThat(config.auth().enabled()).isFalse();
    }

    @Test
    void unknownKeysAreNamedWithTheirPath() throws IOException {
        assertThatThrownBy(() -> loader.load(yaml("resp-prot: 7000\n"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key 'resp-prot'")
                .hasMessageContaining("resp-port");
        assertThatThrownBy(() -> loader.load(yaml("resp:\n  max-bulk: 10\n"), Map.of()))
                .hasMessageContaining("unknown key 'resp.max-bulk'");
    }

    @Test
    void theKnownRootKeysAreCoresAndEveryDoorsSection() throws IOException {
        assertThatThrownBy(() -> loader.load(yaml("resp-prot: 7000\n"), Map.of()))
                .hasMessage("invalid configuration: unknown key 'resp-prot' (known keys: access, auth, bind, bootstrap-servers, "
                        + "data-dir, embedded, http, http-port, hub, io-threads, kafka, kafka-port, relay, resp, "
                        + "resp-port, shutdown-timeout)");
    }

    @Test
    void printsEveryDefaultInTheFilesOwnFormAndReadsBackTheSame() throws IOException {
        WharfConfig defaults = WharfConfig.defaults();
        String yaml = ConfigPrinter.yaml(defaults, FrontDoors.sections());
        assertThat(yaml).contains("resp-port: 6380", "http-port: 8080", "startup-timeout: 30s", "max-bulk-bytes: 32768000");
        WharfConfig reread = ConfigLoader.bind(new YAMLMapper().readTree(yaml), FrontDoors.sections());
        assertThat(reread).isEqualTo(defaults);
    }

    @Test
    void printConfigOfTheDefaultsIsTheFullFileTheReadmeShows() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        String marker = "# ./wharf --print-config prints this for your own file (secrets masked)\n";
        int start = readme.indexOf(marker) + marker.length();
        String documented = readme.substring(start, readme.indexOf("```", start));
        assertThat(ConfigPrinter.yaml(loader.load(null, Map.of()), FrontDoors.sections())).isEqualTo(documented);
    }
}
