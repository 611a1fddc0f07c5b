package io.wharf.resp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.wharf.core.auth.Credentials;
import io.wharf.core.config.AuthSettings;
import io.wharf.resp.config.RespSettings;
import io.wharf.resp.consume.ConsumeFailure;
import io.wharf.resp.protocol.CommandError;
import io.wharf.resp.protocol.RespValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher in the door's real pipeline (decoder, encoder, dispatcher) on Netty's embedded
 * channel, without a gateway or Kafka. {@code LATER} is a test command whose reply the test
 * completes when it wants, as a blocked pop or a synchronous produce completes on another thread.
 */
class CommandDispatcherTest {
    private static final int MAX_PENDING_REPLIES = 4;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<CompletableFuture<RespValue>> later = new ArrayList<>();
    private RespServer server;

    private RespServer start(int maxConnections, AuthSettings auth) {
        RespSettings settings = new RespSettings(null, null, maxConnections, null, MAX_PENDING_REPLIES, 1, null, null,
                null, null, null, null, null, null, null, null, null, null, null);
        server = new RespServer(settings, null, new Credentials(auth), registry);
        server.commands().add("LATER", 1, List.of(), "test", "Replies when the test completes it", (c, r) -> {
            CompletableFuture<RespValue> reply = new CompletableFuture<>();
            later.add(reply);
            return reply;
        });
        server.commands().add("THROW", 2, List.of(), "test", "Fails while it runs", (c, r) -> {
            throw r.text(1).equals("command") ? CommandError.prod("the topic is gone") : new IllegalStateException("bug");
        });
        return server;
    }

    private RespServer start() {
        return start(10, new AuthSettings(null, null, null));
    }

    private EmbeddedChannel connect() {
        return new EmbeddedChannel(server.channelInitializer());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static void send(EmbeddedChannel ch, String commands) {
        ch.writeInbound(Unpooled.copiedBuffer(commands, StandardCharsets.ISO_8859_1));
    }

    /** Everything written to the client so far. */
    private static String written(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.toString();
    }

    private double errors(String kind) {
        var counter = registry.find("wharf.resp.errors").tag("kind", kind).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void writesRepliesInRequestOrderWhateverOrderTheyCompleteIn() {
        start();
        EmbeddedChannel ch = connect();
        send(ch, "LATER\r\nLATER\r\nPING\r\nLATER\r\nECHO e\r\n");
        assertThat(later).hasSize(3);
        assertThat(written(ch)).as("the first reply is not there yet, so nothing may go").isEmpty();

        later.get(1).complete(new RespValue.Int(2));
        assertThat(written(ch)).isEmpty();
        later.get(0).complete(new RespValue.Int(1));
        assertThat(written(ch)).as("every reply up to the next missing one").isEqualTo(":1\r\n:2\r\n+PONG\r\n");
        later.get(2).complete(new RespValue.Int(3));
        assertThat(written(ch)).isEqualTo(":3\r\n$1\r\ne\r\n");

        // with nothing pending, a ready reply goes at once
        send(ch, "PING\r\n");
        assertThat(written(ch)).isEqualTo("+PONG\r\n");
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void putsEachFailingCommandsErrorInItsPlace() {
        start();
        EmbeddedChannel ch = connect();
        send(ch, "LATER\r\nLATER\r\nTHROW command\r\nLATER\r\nNOSUCH x\r\nLATER\r\nTHROW bug\r\nECHO\r\nLATER\r\nPING\r\n");
        assertThat(later).hasSize(5);
        later.get(4).complete(RespValue.OK);
        later.get(3).completeExceptionally(new RuntimeException("lost"));
        later.get(2).completeExceptionally(new ConsumeFailure("Consumer not subscribed"));
        later.get(1).completeExceptionally(CommandError.prod("broker refused the record"));
        assertThat(written(ch)).isEmpty();
        later.get(0).complete(RespValue.ONE);
        assertThat(written(ch)).isEqualTo(String.join("\r\n",
                ":1",
                "-PROD broker refused the record",
                "-PROD the topic is gone",
                "-CONS Consumer not subscribed",
                "-ERR unknown command 'NOSUCH'",
                "-ERR internal error: lost",
                "-ERR internal error: bug",
                "-ERR wrong number of arguments for 'echo' command",
                "+OK",
                "+PONG", ""));
        assertThat(errors("PROD")).isEqualTo(2);
        assertThat(errors("CONS")).isEqualTo(1);
        assertThat(errors("ERR")).isEqualTo(4);
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void stopsReadingWhileMaxPendingRepliesAwaitTheirTurn() {
        start();
        EmbeddedChannel ch = connect();
        send(ch, "LATER\r\n".repeat(MAX_PENDING_REPLIES - 1));
        assertThat(ch.config().isAutoRead()).isTrue();
        send(ch, "LATER\r\n");
        assertThat(ch.config().isAutoRead()).as("paused at resp.max-pending-replies").isFalse();

        // what was already read still runs: the pause holds back the client, not its commands
        send(ch, "PING\r\nLATER\r\n");
        assertThat(later).hasSize(MAX_PENDING_REPLIES + 1);
        assertThat(ch.config().isAutoRead()).isFalse();

        // replies that cannot leave yet keep the pause: they are still pending
        later.get(1).complete(RespValue.OK);
        assertThat(ch.config().isAutoRead()).isFalse();
        later.get(0).complete(RespValue.OK);
        assertThat(written(ch)).isEqualTo("+OK\r\n+OK\r\n");
        assertThat(ch.config().isAutoRead()).isFalse();
        later.get(2).complete(RespValue.OK);
        assertThat(ch.config().isAutoRead()).as(MAX_PENDING_REPLIES - 1 + " left, below the limit").isTrue();
        later.get(3).complete(RespValue.OK);
        later.get(4).complete(RespValue.OK);
        assertThat(written(ch)).isEqualTo("+OK\r\n+OK\r\n+PONG\r\n+OK\r\n");
        assertThat(ch.config().isAutoRead()).isTrue();
    }

    @Test
    void quitClosesAfterTheRepliesBeforeItAndIgnoresWhatFollows() {
        start();
        EmbeddedChannel ch = connect();
        send(ch, "LATER\r\nQUIT\r\nLATER\r\n");
        assertThat(later).as("nothing after QUIT runs").hasSize(1);
        assertThat(ch.isOpen()).isTrue();
        later.get(0).complete(RespValue.ONE);
        assertThat(written(ch)).isEqualTo(":1\r\n+OK\r\n");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void answersAProtocolErrorInItsPlaceThenCloses() {
        start();
        EmbeddedChannel ch = connect();
        send(ch, "LATER\r\n*1\r\nPING\r\n");
        assertThat(ch.isOpen()).isTrue();
        later.get(0).complete(RespValue.ONE);
        assertThat(written(ch)).isEqualTo(":1\r\n-ERR Protocol error: expected '$', got 'P'\r\n");
        assertThat(ch.isOpen()).isFalse();

        EmbeddedChannel other = connect();
        send(other, "*1\r\nPING\r\n");
        assertThat(written(other)).isEqualTo("-ERR Protocol error: expected '$', got 'P'\r\n");
        assertThat(other.isOpen()).isFalse();
        // counted as protocol errors whether the error waited for an earlier reply or not
        assertThat(errors("protocol")).isEqualTo(2);
        assertThat(errors("ERR")).isZero();
    }

    @Test
    void refusesAConnectionBeyondMaxConnectionsAndCountsOnlyAdmittedOnes() {
        start(1, new AuthSettings(null, null, null));
        EmbeddedChannel first = connect();
        EmbeddedChannel second = connect();
        assertThat(written(second)).isEqualTo("-ERR max number of clients reached\r\n");
        assertThat(second.isOpen()).isFalse();
        assertThat(server.connections()).isEqualTo(1);
        assertThat(registry.get("wharf.resp.connections").gauge().value()).isEqualTo(1);

        send(first, "PING\r\n");
        assertThat(written(first)).isEqualTo("+PONG\r\n");
        first.close();
        assertThat(server.connections()).isZero();
        EmbeddedChannel third = connect();
        send(third, "PING\r\n");
        assertThat(written(third)).isEqualTo("+PONG\r\n");
        assertThat(registry.get("wharf.resp.connections.accepted").counter().count()).isEqualTo(2);
    }

    @Test
    void refusesCommandsBeforeAuthWhenCredentialsAreConfigured() {
        start(10, new AuthSettings("pw", null, null));
        EmbeddedChannel ch = connect();
        send(ch, "PING\r\nAUTH wrong\r\nPING\r\nAUTH pw\r\nPING\r\n");
        assertThat(written(ch)).isEqualTo("-NOAUTH Authentication required.\r\n"
                + "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
                + "-NOAUTH Authentication required.\r\n+OK\r\n+PONG\r\n");
        assertThat(errors("NOAUTH")).isEqualTo(2);
    }

    @Test
    void dropsPendingRepliesOfAConnectionThatClosed() {
        start();
        EmbeddedChannel ch = connect();
        send(ch, "LATER\r\nPING\r\n");
        ch.close();
        assertThat(server.connections()).isZero();
        later.get(0).complete(RespValue.ONE);
        assertThat(written(ch)).isEmpty();
    }
}
