package io.wharf.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/**
 * Mainstream Redis clients with their default settings: Jedis 8 and Lettuce both negotiate RESP3
 * with HELLO 3 and send CLIENT SETINFO; the classic single-connection Jedis speaks RESP2. They
 * produce and consume through their generic command APIs.
 */
@ExtendWith(SharedKafka.class)
class RespClientsTest {
    @RegisterExtension
    static final RespTestGateway gateway = RespTestGateway.perClass();
    private static final TestKafka kafka = SharedKafka.get();

    @Test
    void jedisWithDefaultSettingsNegotiatesResp3AndProducesAndConsumes() {
        String topic = kafka.createTopic("jedis", 2);
        String group = "jedis-" + UUID.randomUUID().toString().substring(0, 8);
        // Jedis 8's client: HELLO 3 then CLIENT SETINFO on every pooled connection
        try (redis.clients.jedis.RedisClient client = redis.clients.jedis.RedisClient.create("127.0.0.1", gateway.port());
             redis.clients.jedis.RedisClient consumer = redis.clients.jedis.RedisClient.builder().hostAndPort("127.0.0.1", gateway.port())
                     .clientConfig(DefaultJedisClientConfig.builder().clientName(group + ":c").build()).build()) {
            assertThat(client.ping()).isEqualTo("PONG");
            assertThat(RespClient.text(client.sendCommand(Protocol.Command.CLIENT, "INFO")))
                    .contains("resp=3", "lib-name=jedis");
            assertThat(client.info("server")).contains("redis_version:");
            assertThat(client.echo("hi")).isEqualTo("hi");
            assertThat(client.hgetAll("stats")).containsKey("producer.unflushed.messages");
            assertThat(RespClient.produceAndWait(client, topic, "from jedis")).isEqualTo(1);
            RespClient.Message m = RespClient.consumeWithRetry(consumer, "topics:" + topic);
            assertThat(m.fields()).containsExactly("topic", "partition", "offset", "value");
            assertThat(m.value()).isEqualTo("from jedis");
        }
    }

    @Test
    void theClassicJedisConnectionSpeaksResp2() {
        String topic = kafka.createTopic("jedis2", 1);
        try (Jedis j = gateway.jedis(); Jedis cons = gateway.consumer("jedis2-" + UUID.randomUUID(), "c")) {
            assertThat(j.ping()).isEqualTo("PONG");
            assertThat(j.clientInfo()).contains("resp=2");
            assertThat(RespClient.produce(j, topic, "from jedis")).isEqualTo(1);
            assertThat(RespClient.flush(j)).isZero();
            RespClient.Message m = RespClient.consumeWithRetry(cons, "topics:" + topic);
            assertThat(m.raw()).hasSize(8);
            assertThat(m.value()).isEqualTo("from jedis");
            assertThat(RespClient.ack(cons, m.ack())).isEqualTo(1);
        }
    }

    @Test
    void lettuceWithDefaultSettingsNegotiatesResp3AndConsumes() {
        String topic = kafka.createTopic("lettuce", 1);
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", gateway.port()));
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            RedisCommands<String, String> redis = conn.sync();
            assertThat(redis.ping()).isEqualTo("PONG");
            assertThat(redis.clientInfo()).contains("resp=3", "lib-name=Lettuce");
            assertThat(redis.info("server")).contains("redis_version:");
            assertThat(redis.clientSetname("lettuce-" + UUID.randomUUID().toString().substring(0, 8) + ":c")).isEqualTo("OK");
            List<Object> produced = redis.dispatch(CommandType.RPUSHX, new NestedMultiOutput<>(StringCodec.UTF8),
                    new CommandArgs<>(StringCodec.UTF8).add("topics:" + topic).add("from lettuce"));
            assertThat(produced).containsExactly(1L);
            List<Object> message = new ArrayList<>();
            for (int i = 0; i < 15 && (message.isEmpty() || message.get(0) == null); i++) {
                message = redis.dispatch(CommandType.BLPOP, new NestedMultiOutput<>(StringCodec.UTF8),
                        new CommandArgs<>(StringCodec.UTF8).add("topics:" + topic).add("1"));
            }
            assertThat(message).containsExactly("topic", topic, "partition", 0L, "offset", 0L, "value", "from lettuce");
        } finally {
            client.shutdown();
        }
    }
}
