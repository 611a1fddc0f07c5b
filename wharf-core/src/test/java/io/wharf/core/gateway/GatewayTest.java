package io.wharf.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import io.wharf.core.config.KafkaSettings;
import io.wharf.core.config.WharfConfig;
import io.wharf.core.kafka.KafkaUnavailableException;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedKafka.class)
class GatewayTest {
    @Test
    void becomesReadyOnceKafkaAnswersAndStopsReportingReadyWhenClosing(TestKafka kafka) {
        Gateway gateway = Gateway.start(WharfConfig.defaults().withBootstrapServers(kafka.bootstrapServers())
                .withEphemeralPorts());
        Readiness readiness = gateway.context().readiness();
        assertThat(readiness.check().join()).isEqualTo(new Readiness.Status(true, "ok"));
        gateway.close();
        assertThat(readiness.check().join()).isEqualTo(new Readiness.Status(false, "shutting down"));
    }

    @Test
    void refusesToStartWithoutAnAnsweringCluster() {
        WharfConfig config = WharfConfig.defaults().withBootstrapServers("127.0.0.1:1")
                .withKafka(new KafkaSettings(null, null, null, Duration.ofSeconds(1), Duration.ofMillis(500)));
        assertThatThrownBy(() -> Gateway.start(config)).isInstanceOf(KafkaUnavailableException.class);
    }
}
