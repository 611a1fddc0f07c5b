package io.wharf.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.wharf.testkit.ExternalTool;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real {@code redis-cli} against Wharf: produce, flush, consume, ack, RESP3 and inline
 * commands. Without redis-cli (Debian package {@code redis-tools}) the tests are skipped naming the
 * package; CI installs it and sets {@code WHARF_REQUIRE_TOOLS=1}, under which they fail instead.
 */
@ExtendWith(SharedKafka.class)
class RedisCliSmokeTest {
    @RegisterExtension
    static final RespTestGateway gateway = RespTestGateway.perClass();
    private static final TestKafka kafka = SharedKafka.get();

    private String redisCli;

    // per test, not @BeforeAll: an aborted @BeforeAll is reported as no test at all, hiding the reason
    @BeforeEach
    void findRedisCli() {
        redisCli = ExternalTool.REDIS_CLI.path().toString();
    }

    /** Runs redis-cli with the given arguments (and stdin), returning its output. */
    private String cli(String stdin, String... args) throws IOException, InterruptedException {
        return RedisCli.run(redisCli, "127.0.0.1", gateway.port(), stdin, args);
    }

    @Test
    void redisCliProducesConsumesAndAcks() throws Exception {
        String topic = kafka.createTopic("cli", 1);
        assertThat(cli(null, "PING")).isEqualTo("PONG\n");
        assertThat(cli(null, "RPUSHX", "topics:" + topic, "hello from redis-cli")).isEqualTo("1\n");
        assertThat(cli(null, "RPUSH", "topics:" + topic + ":k", "second")).isEqualTo("1\n");
        assertThat(cli(null, "DUMP", "5000")).isEqualTo("0\n");
        String group = "cli-" + UUID.randomUUID().toString().substring(0, 8);
        String consumed = cli("CLIENT SETNAME " + group + ":c\nBLPOP topics:" + topic + " 10\nRPUSH acks " + topic + ":0:0\n"
                + "BLMPOP 10 1 topics:" + topic + " LEFT COUNT 5\n");
        assertThat(consumed).isEqualTo("OK\n"
                + "topic\n" + topic + "\npartition\n0\noffset\n0\nvalue\nhello from redis-cli\n"
                + "1\n"
                + "topics:" + topic + "\ntopic\n" + topic + "\npartition\n0\noffset\n1\nvalue\nsecond\n");
        // the ack is committed at the latest when the connection closes
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(kafka.committedOffset(group, topic, 0)).isEqualTo(1));
    }

    @Test
    void redisCliSpeaksResp3AndShowsErrors() throws Exception {
        assertThat(cli(null, "-3", "HELLO", "3")).contains("proto", "3", "server", "redis");
        assertThat(cli(null, "-3", "HGETALL", "stats")).contains("producer.delivery.errors");
        // without a terminal redis-cli prints the bare error text
        assertThat(cli(null, "RPUSHX", "topics:idontexist", "x").strip()).isEqualTo("PROD topic 'idontexist' does not exist");
        assertThat(cli(null, "NOSUCH").strip()).isEqualTo("ERR unknown command 'NOSUCH'");
        assertThat(cli(null, "--raw", "INFO", "server")).contains("redis_version:7.2.0");
        assertThat(cli(null, "COMMAND", "COUNT")).matches("\\d+\\n");
    }
}
