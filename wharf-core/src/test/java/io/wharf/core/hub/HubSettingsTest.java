package io.wharf.core.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.wharf.core.config.ConfigException;
import io.wharf.core.config.ConfigLoader;
import io.wharf.core.config.HubSettings;
import io.wharf.core.config.WharfConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hub's configuration keys: defaults, YAML binding, and validation naming the bad key. */
class HubSettingsTest {
    @TempDir
    Path dir;

    private WharfConfig load(String yaml) throws Exception {
        Path file = dir.resolve("wharf.yaml");
        Files.writeString(file, yaml);
        return new ConfigLoader(Map.<String, String>of()::get, List.of()).load(file, Map.of());
    }

    @Test
    void defaultsAreBoundedAndSane() {
        HubSettings hub = HubSettings.defaults();
        assertThat(hub.bootstrapTopics()).isEmpty();
        assertThat(hub.idleGrace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(hub.cacheMaxBytes()).isEqualTo(16L << 20);
        assertThat(hub.cacheMaxAge()).isEqualTo(Duration.ofMinutes(10));
        assertThat(hub.cacheMemoryCap()).isEqualTo(256L << 20);
        assertThat(hub.queueCapacity()).isEqualTo(1024);
        assertThat(hub.maxCatchUpReaders()).isEqualTo(32);
        assertThat(hub.keyIndexMaxBytes()).isEqualTo(64L << 20);
        assertThat(new HubSettings(List.of("a"), Duration.ofSeconds(1)).queueCapacity()).isEqualTo(1024);
    }

    @Test
    void everyKeyBindsFromYaml() throws Exception {
        WharfConfig config = load("""
                hub:
                  bootstrap-topics: [orders, prices]
                  idle-grace: 5s
                  cache-max-bytes: 1048576
                  cache-max-age: 2m
                  cache-memory-cap: 8388608
                  queue-capacity: 64
                  max-catch-up-readers: 4
                  key-index-max-bytes: 0
                """);
        assertThat(config.hub()).isEqualTo(new HubSettings(List.of("orders", "prices"), Duration.ofSeconds(5),
                1_048_576L, Duration.ofMinutes(2), 8_388_608L, 64, 4, 0L));
    }

    @Test
    void badValuesAreRefusedNamingTheirKeys() {
        assertThatThrownBy(() -> load("""
                hub:
                  idle-grace: -PT1S
                  cache-max-bytes: 0
                  cache-max-age: 0ms
                  cache-memory-cap: -5
                  queue-capacity: 0
                  max-catch-up-readers: 0
                  key-index-max-bytes: -1
                  bootstrap-topics: [" "]
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("hub.idle-grace: must not be negative")
                .hasMessageContaining("hub.cache-max-bytes: 0 must be positive")
                .hasMessageContaining("hub.cache-max-age: must be positive")
                .hasMessageContaining("hub.cache-memory-cap")
                .hasMessageContaining("hub.queue-capacity: 0 is out of range")
                .hasMessageContaining("hub.max-catch-up-readers: 0 is out of range")
                .hasMessageContaining("hub.key-index-max-bytes")
                .hasMessageContaining("hub.bootstrap-topics");
        assertThatThrownBy(() -> load("hub:\n  cache-size: 5\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("hub.cache-size");
    }
}
