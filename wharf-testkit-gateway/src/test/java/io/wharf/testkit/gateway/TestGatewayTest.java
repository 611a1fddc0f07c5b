package io.wharf.testkit.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.wharf.core.config.AuthSettings;
import io.wharf.core.config.KafkaSettings;
import io.wharf.core.config.WharfConfig;
import io.wharf.core.gateway.Readiness;
import io.wharf.testkit.SharedKafka;
import org.junit.jupiter.api.Test;

/** The kit starts a real gateway in front of the shared broker with what the builder was given, and closes it. */
class TestGatewayTest {
    @Test
    void startsInFrontOfTheSharedBrokerWithTheGivenSettingsAndCloses() {
        TestGateway gateway = TestGateway.builder().consumerProperty("auto.offset.reset", "earliest")
                .producerProperty("linger.ms", "1").kafkaTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(3))
                .auth(new AuthSettings("pw", null, null)).ioThreads(2).start();
        WharfConfig config = gateway.context().config();
        assertThat(config.bootstrapServers()).isEqualTo(SharedKafka.get().bootstrapServers());
        assertThat(config.kafka()).isEqualTo(new KafkaSettings(null, java.util.Map.of("linger.ms", "1"),
                java.util.Map.of("auto.offset.reset", "earliest"), Duration.ofSeconds(20), Duration.ofSeconds(3)));
        assertThat(config.auth().enabled()).isTrue();
        assertThat(config.ioThreads()).isEqualTo(2);
        assertThat(config.respPort()).isZero();
        assertThat(config.httpPort()).isZero();
        // no door on this module's class path: a gateway of core alone
        assertThat(gateway.endpoints()).isEmpty();
        Readiness readiness = gateway.context().readiness();
        assertThat(readiness.check().join()).isEqualTo(new Readiness.Status(true, "ok"));
        gateway.close();
        assertThat(readiness.check().join()).isEqualTo(new Readiness.Status(false, "shutting down"));
    }

    @Test
    void kafkaSettingsReplaceWhatWasGivenBefore() {
        KafkaSettings quick = new KafkaSettings(java.util.Map.of("client.rack", "r1"), null, null, null, null);
        WharfConfig config = TestGateway.builder().consumerProperty("a", "b").kafkaSettings(quick).build();
        assertThat(config.kafka()).isEqualTo(quick);
    }
}
