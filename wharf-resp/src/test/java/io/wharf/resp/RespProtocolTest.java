package io.wharf.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.wharf.resp.RawRespClient.Err;
import io.wharf.resp.RawRespClient.Simple;
import io.wharf.testkit.SharedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The wire protocol: RESP2 and RESP3, inline commands, pipelining, names, the connection commands. */
@ExtendWith(SharedKafka.class)
class RespProtocolTest {
    @RegisterExtension
    static final RespTestGateway gateway = RespTestGateway.perClass();

    @Test
    void answersPingAsMultiBulkAndInlineInAnyCase() {
        try (RawRespClient c = gateway.raw()) {
            assertThat(c.call("PING")).isEqualTo(new Simple("PONG"));
            assertThat(c.call("ping", "hello")).isEqualTo("hello");
            c.writeRaw("PiNg\r\n");
            assertThat(c.read()).isEqualTo(new Simple("PONG"));
            c.writeRaw("echo \"two words\" \r\n");
            assertThat(c.read()).isEqualTo("two words");
            c.writeRaw("\r\n\r\nECHO 'it\\'s'\n");
            assertThat(c.read()).isEqualTo("it's");
        }
    }

    @Test
    void answersPipelinedCommandsInOrder() {
        try (RawRespClient c = gateway.raw()) {
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 200; i++) {
                batch.append(new String(RawRespClient.encode("ECHO", "m" + i)));
            }
            batch.append("PING\r\n");
            c.writeRaw(batch.toString());
            List<Object> replies = new ArrayList<>();
            for (int i = 0; i < 201; i++) {
                replies.add(c.read());
            }
            for (int i = 0; i < 200; i++) {
                assertThat(replies.get(i)).isEqualTo("m" + i);
            }
            assertThat(replies.get(200)).isEqualTo(new Simple("PONG"));
        }
    }

    @Test
    void refusesUnknownCommandsAndWrongArityButKeepsTheConnection() {
        try (RawRespClient c = gateway.raw()) {
            assertThat(c.call("FLUSHALL")).isEqualTo(new Err("ERR unknown command 'FLUSHALL'"));
            assertThat(c.call("get", "x")).isEqualTo(new Err("ERR unknown command 'get'"));
            assertThat(c.call("ECHO")).isEqualTo(new Err("ERR wrong number of arguments for 'echo' command"));
            assertThat(c.call("RPUSHX", "topics:x")).isEqualTo(new Err("ERR wrong number of arguments for 'rpushx' command"));
            assertThat(c.call("BLPOP", "topics:x")).isEqualTo(new Err("ERR wrong number of arguments for 'blpop' command"));
            assertThat(c.call("PING", "a", "b")).isEqualTo(new Err("ERR wrong number of arguments for 'ping' command"));
            assertThat(c.call("PING")).isEqualTo(new Simple("PONG"));
        }
    }

    @Test
    void switchesToResp3AfterHello3() {
        try (RawRespClient c = gateway.raw()) {
            Object hello2 = c.call("HELLO");
            assertThat(RawRespClient.list(hello2)).containsSequence("proto", 2L);
            Object hello3 = c.call("HELLO", "3");
            assertThat(RawRespClient.map(hello3)).containsEntry("server", "redis").containsEntry("proto", 3L)
                    .containsEntry("version", "7.2.0").containsKey("id");
            assertThat(c.call("CLIENT", "GETNAME")).isSameAs(RawRespClient.NIL);
            assertThat(c.call("HGETALL", "stats")).isInstanceOf(Map.class);
            assertThat(c.call("HELLO", "2")).isInstanceOf(List.class);
            assertThat(c.call("HGETALL", "stats")).isInstanceOf(List.class);
            assertThat(c.call("HELLO", "4")).isEqualTo(new Err("NOPROTO unsupported protocol version"));
            assertThat(c.call("HELLO", "3", "BOGUS")).isEqualTo(new Err("ERR Syntax error in HELLO option 'BOGUS'"));
        }
    }

    @Test
    void answersWhatRedisClientsAskOnConnect() {
        try (RawRespClient c = gateway.raw()) {
            assertThat(c.call("CLIENT", "SETINFO", "LIB-NAME", "test-lib")).isEqualTo(new Simple("OK"));
            assertThat(c.call("CLIENT", "SETINFO", "lib-ver", "1.2.3")).isEqualTo(new Simple("OK"));
            assertThat(c.call("CLIENT", "SETINFO", "colour", "blue")).isEqualTo(new Err("ERR Unrecognized option 'colour'"));
            assertThat((String) c.call("CLIENT", "INFO")).contains("lib-name=test-lib", "lib-ver=1.2.3", "resp=2");
            assertThat(c.call("SELECT", "0")).isEqualTo(new Simple("OK"));
            assertThat(c.call("SELECT", "1")).isEqualTo(new Err("ERR DB index is out of range"));
            assertThat((String) c.call("INFO")).contains("# Server", "redis_version:7.2.0", "loading:0", "role:master",
                    "connected_clients:");
            assertThat((String) c.call("INFO", "clients")).contains("connected_clients:").doesNotContain("# Server");
            assertThat(c.call("COMMAND", "COUNT")).isInstanceOf(Long.class);
            assertThat((Long) c.call("COMMAND", "COUNT")).isGreaterThan(10);
            List<Object> docs = RawRespClient.list(c.call("COMMAND", "DOCS"));
            assertThat(docs).contains("blpop", "rpushx", "hello");
            List<Object> info = RawRespClient.list(c.call("COMMAND", "INFO", "blpop"));
            assertThat(RawRespClient.list(info.get(0))).startsWith("blpop", -3L);
            assertThat(c.call("CONFIG", "GET", "save")).isEqualTo(List.of());
            assertThat(c.call("AUTH", "secret")).isInstanceOf(Err.class);
            assertThat((Long) c.call("CLIENT", "ID")).isPositive();
        }
    }

    @Test
    void quitRepliesOkThenCloses() {
        try (RawRespClient c = gateway.raw()) {
            c.writeRaw(new String(RawRespClient.encode("QUIT")) + new String(RawRespClient.encode("PING")));
            assertThat(c.read()).isEqualTo(new Simple("OK"));
            assertThat(c.closedByServer()).isTrue();
        }
    }
}
