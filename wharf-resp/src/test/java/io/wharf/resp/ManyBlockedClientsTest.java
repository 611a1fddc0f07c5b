package io.wharf.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.wharf.resp.RawRespClient.Simple;
import io.wharf.resp.config.RespSettings;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * Five hundred connections blocked in {@code BLPOP ... 0} at once hold no event loop and no
 * thread of their own: the server keeps answering others, other consumers keep consuming, and one
 * record wakes every one of them.
 */
@ExtendWith(SharedKafka.class)
class ManyBlockedClientsTest {
    private static final int BLOCKED = 500;

    @Test
    void fiveHundredBlockedConsumersKeepTheServerResponsiveAndAllWakeUp(TestKafka kafka) {
        String topic = kafka.createTopic("blocked", 1);
        String other = kafka.createTopic("other", 1);
        String run = UUID.randomUUID().toString().substring(0, 6);
        List<RawRespClient> clients = new ArrayList<>();
        try (RespTestGateway gateway = RespTestGateway.start(kafka)) {
            try {
                for (int i = 0; i < BLOCKED; i++) {
                    RawRespClient c = gateway.raw();
                    clients.add(c);
                    // each its own group, so every one of them is owed the record
                    c.writeRaw(new String(RawRespClient.encode("CLIENT", "SETNAME", "blk-" + run + "-" + i + ":c"))
                            + new String(RawRespClient.encode("BLPOP", "topics:" + topic, "0")));
                }
                for (RawRespClient c : clients) {
                    assertThat(c.read()).isEqualTo(new Simple("OK"));
                }
                try (RawRespClient probe = gateway.raw()) {
                    await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
                            assertThat((String) probe.call("INFO", "clients")).contains("blocked_clients:" + BLOCKED));
                    // the event loops answer at once
                    for (int i = 0; i < 100; i++) {
                        assertThat(probe.call("PING")).isEqualTo(new Simple("PONG"));
                    }
                }
                // the poller threads are few and fixed, not one per blocked client
                long pollers = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().startsWith("wharf-resp-poller-")).count();
                assertThat(pollers).isEqualTo(gateway.gateway().context().config().section(RespSettings.class).effectivePollerThreads());

                // another consumer still gets served while 500 wait
                try (Jedis prod = gateway.jedis(); Jedis cons = gateway.consumer("busy-" + run, "c")) {
                    RespClient.produce(prod, other, "served");
                    assertThat(RespClient.flush(prod)).isZero();
                    assertThat(RespClient.consumeWithRetry(cons, "topics:" + other).value()).isEqualTo("served");

                    RespClient.produce(prod, topic, "wake up");
                    assertThat(RespClient.flush(prod)).isZero();
                }
                for (RawRespClient c : clients) {
                    List<Object> reply = RawRespClient.list(c.read());
                    assertThat(reply).containsExactly("topic", topic, "partition", 0L, "offset", 0L, "value", "wake up");
                }
                try (RawRespClient probe = gateway.raw()) {
                    assertThat((String) probe.call("INFO", "clients")).contains("blocked_clients:0");
                }
            } finally {
                clients.forEach(RawRespClient::close);
            }
        }
    }
}
