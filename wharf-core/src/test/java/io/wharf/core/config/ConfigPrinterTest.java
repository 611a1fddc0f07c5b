package io.wharf.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ConfigPrinterTest {
    @Test
    void printsEveryDefaultInTheFilesOwnFormAndReadsBackTheSame() {
        WharfConfig defaults = WharfConfig.defaults();
        String yaml = ConfigPrinter.yaml(defaults);
        assertThat(yaml).contains("resp-port: 6380", "http-port: 8080", "startup-timeout: 30s", "max-bulk-bytes: 32768000");
        WharfConfig reread = ConfigLoader.bind(readTree(yaml));
        assertThat(reread).isEqualTo(defaults);
    }

    @Test
    void masksEverySecret() {
        WharfConfig config = WharfConfig.defaults()
                .withAuth(new AuthSettings("hunter2", Map.of("alice", "wonderland"), List.of("tok-123")))
                .withKafka(new KafkaSettings(Map.of("sasl.jaas.config", "password=\"kafka-secret\""), null, null, null, null));
        String yaml = ConfigPrinter.yaml(config);
        assertThat(yaml).doesNotContain("hunter2", "wonderland", "tok-123", "kafka-secret").contains("alice", "******");
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(String yaml) {
        try {
            return new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(yaml);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
