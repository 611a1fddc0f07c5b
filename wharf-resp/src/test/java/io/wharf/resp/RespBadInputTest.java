package io.wharf.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import io.wharf.resp.RawRespClient.Err;
import io.wharf.resp.RawRespClient.Simple;
import io.wharf.resp.config.RespSettings;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every kind of bad input gets a precise error; protocol garbage closes only the connection that
 * sent it. A bystander blocked in BLPOP throughout each test still gets its record afterwards.
 */
@ExtendWith(SharedKafka.class)
class RespBadInputTest {
    private static final int MAX_BULK = 4 * 1024 * 1024;
    @RegisterExtension
    static final RespTestGateway gateway = RespTestGateway.perClass(g -> g.update(RespSettings.class,
            r -> r.withMaxBulkBytes(MAX_BULK)));
    private static final TestKafka kafka = SharedKafka.get();

    private static String topic;
    // never written to: consumers of it always time out
    private static String quiet;
    private RawRespClient bystander;

    @BeforeAll
    static void start() {
        topic = kafka.createTopic("bad-input", 1);
        quiet = kafka.createTopic("quiet", 1);
    }

    @BeforeEach
    void blockABystander() {
        bystander = gateway.raw();
        assertThat(bystander.call("CLIENT", "SETNAME", "bystander-" + UUID.randomUUID() + ":b")).isEqualTo(new Simple("OK"));
        bystander.send("BLPOP", "topics:" + topic + ":{\"auto.offset.reset\":\"latest\"}", "0");
    }

    @AfterEach
    void bystanderIsUnaffected() {
        try (RawRespClient prod = gateway.raw()) {
            // the bystander joins its group in the background; a record sent before it is placed would be skipped (latest)
            for (int i = 0; i < 50; i++) {
                assertThat(prod.call("RPUSH", "topics:" + topic, "still here")).isEqualTo(1L);
                bystander.timeout(500);
                try {
                    Object reply = bystander.read();
                    assertThat(RawRespClient.list(reply)).contains("still here");
                    break;
                } catch (java.io.UncheckedIOException timeout) {
                    // not placed yet: try again
                }
            }
        } finally {
            bystander.close();
        }
    }

    private static void assertErrorThenClosed(String bytes, String error) {
        try (RawRespClient c = gateway.raw()) {
            c.writeRaw(bytes);
            assertThat(c.read()).isEqualTo(new Err(error));
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void malformedProtocolIsAnsweredThenThatConnectionCloses() {
        assertErrorThenClosed("*2\r\n$4\r\nECHO\r\n:12\r\n", "ERR Protocol error: expected '$', got ':'");
        assertErrorThenClosed("*abc\r\n", "ERR Protocol error: invalid multibulk length");
        assertErrorThenClosed("*1\r\n$-5\r\n", "ERR Protocol error: invalid bulk length");
        assertErrorThenClosed("*1\r\n$x\r\n", "ERR Protocol error: invalid bulk length");
        assertErrorThenClosed("*1\r\n$4\r\nPINGxx", "ERR Protocol error: expected CRLF after a bulk string");
        assertErrorThenClosed("ECHO \"unterminated\r\n", "ERR Protocol error: unbalanced quotes in request");
        assertErrorThenClosed("X".repeat(70_000), "ERR Protocol error: too big inline request");
        assertErrorThenClosed("*9999999999\r\n", "ERR Protocol error: invalid multibulk length");
    }

    @Test
    void aPipelineIsAnsweredUpToTheBrokenCommand() {
        try (RawRespClient c = gateway.raw()) {
            c.writeRaw("PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n#bad\r\n");
            assertThat(c.read()).isEqualTo(new Simple("PONG"));
            assertThat(c.read()).isEqualTo(new Simple("PONG"));
            assertThat(c.read()).isEqualTo(new Err("ERR Protocol error: expected '$', got '#'"));
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void anOversizedBulkIsRefusedBeforeItIsRead() {
        assertErrorThenClosed("*3\r\n$6\r\nRPUSHX\r\n$14\r\ntopics:" + "x".repeat(7) + "\r\n$" + (MAX_BULK + 1) + "\r\n",
                "ERR Protocol error: bulk string of " + (MAX_BULK + 1) + " bytes exceeds the limit of " + MAX_BULK
                        + " bytes (resp.max-bulk-bytes)");
    }

    @Test
    void aRecordLargerThanKafkaAcceptsIsAProduceErrorAndNothingIsSent() {
        byte[] big = new byte[2 * 1024 * 1024];
        Arrays.fill(big, (byte) 'a');
        String value = new String(big, StandardCharsets.US_ASCII);
        try (RawRespClient c = gateway.raw()) {
            Object async = c.call("RPUSHX", "topics:" + topic, value);
            assertThat(async).isInstanceOf(Err.class);
            assertThat(((Err) async).text()).startsWith("PROD Record of " + (big.length + 82) + " bytes is larger than")
                    .endsWith("nothing was sent");
            assertThat(((Err) c.call("RPUSH", "topics:" + topic, value)).text()).startsWith("PROD Record of");
            assertThat(c.call("DUMP", "1000")).isEqualTo(0L);
            assertThat(c.call("PING")).isEqualTo(new Simple("PONG"));
        }
    }

    @Test
    void wrongArityIsAnErrorNamingTheCommand() {
        try (RawRespClient c = gateway.raw()) {
            assertThat(c.call("RPUSHX", "topics:" + topic)).isEqualTo(new Err("ERR wrong number of arguments for 'rpushx' command"));
            assertThat(c.call("blpop", "topics:" + topic)).isEqualTo(new Err("ERR wrong number of arguments for 'blpop' command"));
            assertThat(c.call("RPUSH", "acks")).isEqualTo(new Err("ERR wrong number of arguments for 'rpush' command"));
            assertThat(c.call("CLIENT", "SETNAME")).isEqualTo(new Err("ERR wrong number of arguments for 'client|setname' command"));
            assertThat(c.call("DUMP")).isEqualTo(new Err("PROD DUMP accepts 1 argument, got 0"));
            assertThat(c.call("DUMP", "1", "2")).isEqualTo(new Err("PROD DUMP accepts 1 argument, got 2"));
            assertThat(c.call("DUMP", "soon")).isEqualTo(new Err("PROD DUMP timeout must be a whole number of milliseconds, got 'soon'"));
            assertThat(c.call("BLMPOP", "1", "1", "topics:" + topic)).isEqualTo(new Err("ERR wrong number of arguments for 'blmpop' command"));
        }
    }

    @Test
    void badKeysAreErrorsWithTheAcceptedForm() {
        try (RawRespClient c = gateway.raw()) {
            assertThat(c.call("RPUSHX", "invalid-arg", "a msg")).isEqualTo(new Err(
                    "PROD First argument must be in the form of 'topics:<topic>' or 'topics:<topic>:<key>', got 'invalid-arg'"));
            assertThat(c.call("RPUSHX", "topics:", "a msg")).isEqualTo(new Err(
                    "PROD First argument must be in the form of 'topics:<topic>' or 'topics:<topic>:<key>', got 'topics:'"));
            assertThat(c.call("RPUSHX", "topics:no/slash", "a msg")).isEqualTo(new Err(
                    "PROD topic name 'no/slash' may only contain letters, digits, '.', '_' and '-'"));
            assertThat(c.call("RPUSH", "wrongkey", "sometopic:1:5")).isEqualTo(new Err("ERR RPUSH takes 'acks' (to acknowledge"
                    + " records) or 'topics:<topic>[:<key>]' (to produce and wait for Kafka), got 'wrongkey'"));
            c.call("CLIENT", "SETNAME", "badkeys-" + UUID.randomUUID() + ":k");
            assertThat(c.call("BLPOP", "queue:" + topic, "1")).isEqualTo(new Err(
                    "CONS Cannot parse topics: 'queue:" + topic + "' (expected topics:<topic>[,<topic>...][:<json config>])"));
            assertThat(c.call("BLPOP", "topics:a,,b", "1")).isEqualTo(new Err(
                    "CONS Cannot parse topics: 'topics:a,,b': the topic name is empty"));
        }
    }

    @Test
    void badAcksAreConsumerErrors() {
        try (RawRespClient c = gateway.raw()) {
            assertThat(c.call("RPUSH", "acks", quiet + ":0:0")).isEqualTo(new Err(
                    "CONS No consumer on this connection: consume with BLPOP first, then ack what it returned"));
            c.call("CLIENT", "SETNAME", "badacks-" + UUID.randomUUID() + ":a");
            assertThat(c.call("BLPOP", "topics:" + quiet, "0.2")).isSameAs(RawRespClient.NIL);
            assertThat(c.call("RPUSH", "acks", "sometopic:1:-5")).isEqualTo(new Err(
                    "CONS Cannot parse ack: 'sometopic:1:-5': the offset must be a whole number >= 0"));
            assertThat(c.call("RPUSH", "acks", "sometopic:1:foo")).isEqualTo(new Err(
                    "CONS Cannot parse ack: 'sometopic:1:foo': the offset must be a whole number >= 0"));
            assertThat(c.call("RPUSH", "acks", "sometopic:x:1")).isEqualTo(new Err(
                    "CONS Cannot parse ack: 'sometopic:x:1': the partition must be a whole number >= 0"));
            assertThat(c.call("RPUSH", "acks", "sometopic:10")).isEqualTo(new Err(
                    "CONS Cannot parse ack: 'sometopic:10' (expected <topic>:<partition>:<offset>)"));
            assertThat(c.call("RPUSH", "acks", "sometopic")).isEqualTo(new Err(
                    "CONS Cannot parse ack: 'sometopic' (expected <topic>:<partition>:<offset>)"));
            assertThat(c.call("RPUSH", "acks", "sometopic:0:5")).isEqualTo(new Err(
                    "CONS This connection does not consume topic 'sometopic' (it consumes " + quiet + ")"));
            Object notDelivered = c.call("RPUSH", "acks", quiet + ":0:999999");
            assertThat(((Err) notDelivered).text()).matches("CONS (Offset 999999 of " + quiet
                    + ":0 was not delivered on this connection.*|Partition " + quiet + ":0 is not assigned to this consumer.*)");
        }
    }

    @Test
    void consumingBeforeIdentifyingOrWithBadSettingsIsRefused() {
        try (RawRespClient c = gateway.raw()) {
            assertThat(c.call("BLPOP", "topics:" + quiet, "1")).isEqualTo(new Err(
                    "CONS Connection not ready. Identify yourself using `CLIENT SETNAME <group>:<name>` first"));
            c.call("CLIENT", "SETNAME", "badjson-" + UUID.randomUUID() + ":j");
            Object bad = c.call("BLPOP", "topics:" + quiet + ":{not json}", "1");
            assertThat(((Err) bad).text()).startsWith("CONS Cannot parse consumer config JSON '{not json}': ");
            assertThat(c.call("BLPOP", "topics:" + quiet + ":{\"session.timeout.ms\":\"soon\"}", "1")).isEqualTo(new Err(
                    "CONS Invalid value 'soon' for consumer setting 'session.timeout.ms': expected a whole number from 1 to 3600000"));
            assertThat(c.call("BLPOP", "topics:" + quiet + ":{\"session.timeout.ms\":{\"a\":1}}", "1")).isEqualTo(new Err(
                    "CONS Consumer setting 'session.timeout.ms' must be a string, number or boolean"));
            assertThat(c.call("BLPOP", "topics:" + quiet, "-1")).isEqualTo(new Err("ERR timeout is negative"));
            assertThat(c.call("BLPOP", "topics:" + quiet, "soon")).isEqualTo(new Err("ERR timeout is not a float or out of range"));
            assertThat(c.call("BLMPOP", "1", "0", "topics:" + quiet, "LEFT")).isEqualTo(new Err("ERR numkeys should be greater than 0"));
            assertThat(c.call("BLMPOP", "1", "1", "topics:" + quiet, "RIGHT")).isEqualTo(new Err(
                    "CONS Only LEFT is supported: Kafka delivers each partition oldest first"));
            assertThat(c.call("BLMPOP", "1", "1", "topics:" + quiet, "LEFT", "COUNT", "0")).isEqualTo(new Err(
                    "ERR count should be greater than 0"));
            assertThat(c.call("BLPOP", "topics:" + quiet, "0.1")).isSameAs(RawRespClient.NIL);
            assertThat(c.call("BLPOP", "topics:" + quiet + ",other", "0.1")).isEqualTo(new Err(
                    "CONS This connection already consumes " + quiet + "; consume " + quiet + ",other on another connection"));
        }
    }

    @Test
    void missingTopicsAreNamed() {
        try (RawRespClient c = gateway.raw()) {
            assertThat(c.call("RPUSHX", "topics:idontexist", "foo")).isEqualTo(new Err("PROD topic 'idontexist' does not exist"));
            assertThat(c.call("RPUSH", "topics:idontexist:key", "foo")).isEqualTo(new Err("PROD topic 'idontexist' does not exist"));
            c.call("CLIENT", "SETNAME", "missing-" + UUID.randomUUID() + ":m");
            assertThat(c.call("BLPOP", "topics:idontexist", "5")).isEqualTo(new Err("CONS Topic 'idontexist' does not exist"));
            // the failed consumer is forgotten: the connection can consume an existing topic
            assertThat(c.call("BLPOP", "topics:" + quiet, "0.1")).isSameAs(RawRespClient.NIL);
        }
    }

    @Test
    void connectionsBeyondTheLimitAreRefusedWithAnError() {
        try (RespTestGateway small = RespTestGateway.start(kafka, g -> g.update(RespSettings.class, r -> r.withMaxConnections(2)));
             RawRespClient a = small.raw(); RawRespClient b = small.raw()) {
            assertThat(a.call("PING")).isEqualTo(new Simple("PONG"));
            assertThat(b.call("PING")).isEqualTo(new Simple("PONG"));
            try (RawRespClient c = small.raw()) {
                assertThat(c.read()).isEqualTo(new Err("ERR max number of clients reached"));
                assertThat(c.closedByServer()).isTrue();
            }
            assertThat(a.call("PING")).isEqualTo(new Simple("PONG"));
            assertThat(List.of(b.call("ECHO", "x"))).containsExactly("x");
        }
    }
}
