package io.wharf.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.wharf.resp.RawRespClient.Err;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Names Kafka reserves for itself are refused for produce and consume, and KEYS does not list them. */
@ExtendWith(SharedKafka.class)
class RespInternalTopicsTest {
    @RegisterExtension
    static final RespTestGateway gateway = RespTestGateway.perClass();
    private static final TestKafka kafka = SharedKafka.get();

    @Test
    void produceAndConsumeOfAnInternalTopicAreRefused() {
        String hidden = "__wharf_hidden_resp_" + System.nanoTime();
        kafka.createTopicNamed(hidden, 1, Map.of());
        try (RawRespClient c = gateway.raw()) {
            for (String topic : new String[] {"__consumer_offsets", hidden}) {
                Object produced = c.call("RPUSH", "topics:" + topic, "v");
                assertThat(produced).as(topic).isInstanceOf(Err.class);
                assertThat(((Err) produced).text()).contains("'" + topic + "' is internal to Kafka")
                        .contains("kafka.allow-internal-topics");
            }
            assertThat(RawRespClient.list(c.call("KEYS", "topics:*"))).doesNotContain("topics:" + hidden);
        }
        try (RawRespClient c = gateway.raw()) {
            c.call("CLIENT", "SETNAME", "internal-g:n");
            Object consumed = c.call("BLPOP", "topics:__consumer_offsets", "1");
            assertThat(consumed).isInstanceOf(Err.class);
            assertThat(((Err) consumed).text()).contains("'__consumer_offsets' is internal to Kafka");
        }
    }
}
