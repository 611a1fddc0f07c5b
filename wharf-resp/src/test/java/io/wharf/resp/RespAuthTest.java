package io.wharf.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.wharf.core.config.AuthSettings;
import io.wharf.resp.RawRespClient.Err;
import io.wharf.resp.RawRespClient.Simple;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;

/** With credentials configured, every data command needs AUTH (password, or user and password). */
@ExtendWith(SharedKafka.class)
class RespAuthTest {
    @RegisterExtension
    static final RespTestGateway gateway = RespTestGateway.perClass(
            g -> g.auth(new AuthSettings("s3cret", Map.of("alice", "wonderland"), null)));
    private static final TestKafka kafka = SharedKafka.get();

    @Test
    void everyDataCommandNeedsAuthentication() {
        String topic = kafka.createTopic("auth", 1);
        try (RawRespClient c = gateway.raw()) {
            for (String[] command : new String[][] {{"PING"}, {"RPUSHX", "topics:" + topic, "v"}, {"BLPOP", "topics:" + topic, "1"},
                    {"RPUSH", "acks", topic + ":0:0"}, {"CLIENT", "SETNAME", "g:n"}, {"HGETALL", "stats"}, {"KEYS", "topics:"},
                    {"DUMP", "100"}, {"INFO"}, {"MONITOR"}}) {
                assertThat(c.call(command)).as(String.join(" ", command)).isEqualTo(new Err("NOAUTH Authentication required."));
            }
            assertThat(c.call("AUTH", "wrong")).isEqualTo(new Err("WRONGPASS invalid username-password pair or user is disabled."));
            assertThat(c.call("AUTH", "alice", "s3cret")).isEqualTo(new Err("WRONGPASS invalid username-password pair or user is disabled."));
            assertThat(c.call("HELLO", "3")).isInstanceOf(Err.class);
            assertThat(((Err) c.call("HELLO", "3")).text()).startsWith("NOAUTH HELLO must be called with the client already authenticated");
            assertThat(c.call("AUTH", "s3cret")).isEqualTo(new Simple("OK"));
            assertThat(c.call("PING")).isEqualTo(new Simple("PONG"));
            assertThat(c.call("RPUSH", "topics:" + topic, "authorised")).isEqualTo(1L);
        }
        try (RawRespClient c = gateway.raw()) {
            assertThat(c.call("AUTH", "alice", "wonderland")).isEqualTo(new Simple("OK"));
            assertThat((String) c.call("CLIENT", "INFO")).contains("user=alice");
        }
        try (RawRespClient c = gateway.raw()) {
            assertThat(RawRespClient.map(c.call("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "auth-g:n")))
                    .containsEntry("proto", 3L);
            assertThat(c.call("CLIENT", "GETNAME")).isEqualTo("auth-g:n");
        }
    }

    @Test
    void clientsConfiguredWithThePasswordConnect() {
        String topic = kafka.createTopic("auth-clients", 1);
        try (var jedis = redis.clients.jedis.RedisClient.builder().hostAndPort("127.0.0.1", gateway.port())
                .clientConfig(DefaultJedisClientConfig.builder().user("alice").password("wonderland").build()).build()) {
            assertThat(jedis.ping()).isEqualTo("PONG");
            assertThat(RespClient.produceAndWait(jedis, topic, "jedis with a password")).isEqualTo(1);
        }
        RedisClient lettuce = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(gateway.port())
                .withPassword("s3cret".toCharArray()).withClientName("auth-" + UUID.randomUUID().toString().substring(0, 6) + ":l")
                .build());
        try (StatefulRedisConnection<String, String> conn = lettuce.connect()) {
            assertThat(conn.sync().ping()).isEqualTo("PONG");
            assertThat(conn.sync().clientInfo()).contains("resp=3", "user=default");
        } finally {
            lettuce.shutdown();
        }
    }
}
