package io.wharf.core.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.wharf.core.config.WharfConfig;
import io.wharf.core.gateway.Gateway;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The hub as front doors get it: from the gateway context, with its metrics on /metrics, closed with the gateway. */
@ExtendWith(SharedKafka.class)
class GatewayHubTest {
    @Test
    void theGatewaySharesOneHubPublishesItsMetricsAndClosesItOnStop(TestKafka kafka) {
        String topic = kafka.createTopic("hub-gateway", 2);
        ExecutorService loop = Executors.newSingleThreadExecutor();
        Gateway gateway = Gateway.start(WharfConfig.defaults().withBootstrapServers(kafka.bootstrapServers())
                .withEphemeralPorts());
        try {
            TopicHub hub = gateway.context().hub();
            RecordingSubscriber s = new RecordingSubscriber(loop, 50).subscribe(hub,
                    SubscriptionRequest.of(topic, new StartPosition.Live()));
            await().atMost(Duration.ofSeconds(30)).until(() -> s.subscription().position().nextOffsets().size() == 2);
            kafka.send(topic, "k", "hello");
            await().atMost(Duration.ofSeconds(30)).until(() -> s.recordCount() == 1);

            String scrape = gateway.context().metrics().scrape();
            assertThat(scrape).contains("wharf_hub_subscribers 1.0", "wharf_hub_shared_readers 2.0",
                    "wharf_hub_catchup_readers 0.0", "wharf_hub_cache_bytes", "wharf_hub_records_in_total{source=\"shared\"} 1.0",
                    "wharf_hub_records_out_total 1.0", "wharf_hub_conflated_total 0.0", "wharf_hub_gaps_total 0.0",
                    "wharf_hub_lagging_subscribers");

            gateway.close();
            assertThat(s.closedCause()).isInstanceOf(HubClosedException.class);
        } finally {
            gateway.close();
            loop.shutdownNow();
        }
    }
}
