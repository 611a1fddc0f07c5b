package io.wharf.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ConfigPrinterTest {
    private static final List<DoorSection<?>> DOORS = List.of(SampleDoorSettings.SECTION);

    @Test
    void masksEverySecret() {
        WharfConfig config = WharfConfig.builder()
                .auth(new AuthSettings("hunter2", Map.of("alice", "wonderland"), List.of("tok-123")))
                .kafka(new KafkaSettings(Map.of("sasl.jaas.config", "password=\"kafka-secret\""), null, null, null, null))
                .build();
        String yaml = ConfigPrinter.yaml(config, DOORS);
        assertThat(yaml).doesNotContain("hunter2", "wonderland", "tok-123", "kafka-secret").contains("alice", "******");
    }

    @Test
    void doorSectionsArePrintedInTheirOrderAroundTheHubAndReadBackTheSame() {
        WharfConfig defaults = new ConfigLoader(Map.<String, String>of()::get, DOORS).load(null, Map.of());
        String yaml = ConfigPrinter.yaml(defaults, DOORS);
        assertThat(yaml).containsSubsequence("io-threads: 0", "kafka:", "embedded:", "auth:", "hub:", "sample:",
                "  limit: 10", "  delay: 1s");
        assertThat(ConfigLoader.bind(readTree(yaml), DOORS)).isEqualTo(defaults);
        assertThat(ConfigPrinter.yaml(defaults, List.of(new DoorSection<>("sample", SampleDoorSettings.class, 1))))
                .containsSubsequence("auth:", "sample:", "hub:");
    }

    static com.fasterxml.jackson.databind.JsonNode readTree(String yaml) {
        try {
            return new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(yaml);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
