package io.wharf.resp.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/**
 * What incomplete commands may cost: arguments weigh their element cost, connections share one
 * budget (and stop being read while it is spent), and a command must complete within the request
 * timeout. On Netty's embedded channel, with its clock moved by the test.
 */
class RespDecoderLimitsTest {
    private static final int MIB = 1024 * 1024;

    private static void feed(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    private static List<Object> inbound(EmbeddedChannel ch) {
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        return out;
    }

    @Test
    void emptyArgumentsCountTheirElementCostAgainstTheRequestLimit() {
        EmbeddedChannel ch = new EmbeddedChannel(new RespDecoder(MIB, MIB));
        feed(ch, "*1048576\r\n");
        // 6 bytes each on the wire, 32 against the limit: refused after 32,768 of them, at 200 KB on the wire
        String empties = "$0\r\n\r\n".repeat(1000);
        for (int i = 0; i < 40 && ch.isOpen() && inbound(ch).isEmpty(); i++) {
            feed(ch, empties);
            List<Object> out = inbound(ch);
            if (!out.isEmpty()) {
                assertThat(out).containsExactly(
                        new ProtocolViolation("Protocol error: command larger than 1048576 bytes (resp.max-request-bytes)"));
                assertThat(i).as("thousands of empty arguments fed when refused").isBetween(31, 33);
                return;
            }
        }
        throw new AssertionError("a million empty arguments were never refused");
    }

    @Test
    void moreArgumentsThanRedisAllowsAreRefusedAtTheHeader() {
        EmbeddedChannel ch = new EmbeddedChannel(new RespDecoder(MIB, MIB));
        feed(ch, "*1048577\r\n");
        assertThat(inbound(ch)).containsExactly(new ProtocolViolation("Protocol error: invalid multibulk length"));
    }

    @Test
    void connectionsShareOneBudgetAndWaitForRoom() {
        RequestBudget budget = new RequestBudget(1000);
        RespDecoder first = new RespDecoder(MIB, MIB, budget, null);
        RespDecoder second = new RespDecoder(MIB, MIB, budget, null);
        EmbeddedChannel a = new EmbeddedChannel(first);
        EmbeddedChannel b = new EmbeddedChannel(second);

        feed(a, "*2\r\n$4\r\nECHO\r\n$2000\r\n" + "x".repeat(700));
        assertThat(budget.used()).as("ECHO (4 + 32) and 700 bytes of the value").isEqualTo(736);
        assertThat(first.pausedForBudget()).isFalse();

        feed(b, "PING\r\n");
        assertThat(inbound(b)).hasSize(1);
        assertThat(budget.used()).as("complete commands hold nothing").isEqualTo(736);

        feed(b, "*2\r\n$4\r\nECHO\r\n$2000\r\n" + "y".repeat(400));
        assertThat(second.pausedForBudget()).isTrue();
        assertThat(b.config().isAutoRead()).isFalse();
        assertThat(first.pausedForBudget()).as("only the one that found the budget spent waits").isFalse();

        // the first command completes: its bytes are free, the second connection reads again
        feed(a, "x".repeat(1300) + "\r\n");
        assertThat(inbound(a)).hasSize(1);
        b.runPendingTasks();
        assertThat(second.pausedForBudget()).isFalse();
        assertThat(budget.used()).isEqualTo(436);

        b.close();
        assertThat(budget.used()).as("a closed connection frees its share").isZero();
    }

    @Test
    void aCommandThatDoesNotCompleteInTimeIsRefusedAndIdleTimeIsNot() {
        RequestBudget budget = new RequestBudget(MIB);
        EmbeddedChannel ch = new EmbeddedChannel(new RespDecoder(MIB, MIB, budget, Duration.ofSeconds(5)));
        ch.freezeTime();
        feed(ch, "PING\r\n");
        assertThat(inbound(ch)).hasSize(1);
        ch.advanceTimeBy(60, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(inbound(ch)).as("idle between commands: nothing happens").isEmpty();

        feed(ch, "*2\r\n$4\r\nECHO\r\n$10\r\nabc");
        ch.advanceTimeBy(4, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(inbound(ch)).isEmpty();
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(inbound(ch)).containsExactly(new ProtocolViolation(
                "Protocol error: command not received completely within 5000 ms (resp.request-timeout)",
                "request-timeout"));
        assertThat(budget.used()).isZero();
    }

    @Test
    void timeTheServerDoesNotReadIsForgiven() {
        EmbeddedChannel ch = new EmbeddedChannel(new RespDecoder(MIB, MIB, new RequestBudget(MIB), Duration.ofSeconds(5)));
        ch.freezeTime();
        feed(ch, "*2\r\n$4\r\nECHO\r\n$10\r\nabc");
        // the dispatcher stopped reading (replies the client does not read): not the client's delay
        ch.config().setAutoRead(false);
        ch.advanceTimeBy(6, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(inbound(ch)).isEmpty();
        ch.config().setAutoRead(true);
        ch.advanceTimeBy(6, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(inbound(ch)).hasSize(1);
    }

    @Test
    void aConnectionThatNeverGetsRoomIsRefusedNamingTheBudget() {
        RequestBudget budget = new RequestBudget(100);
        EmbeddedChannel ch = new EmbeddedChannel(new RespDecoder(MIB, MIB, budget, Duration.ofSeconds(5)));
        ch.freezeTime();
        feed(ch, "*2\r\n$4\r\nECHO\r\n$1000\r\n" + "z".repeat(200));
        assertThat(ch.config().isAutoRead()).isFalse();
        ch.advanceTimeBy(6, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(inbound(ch)).containsExactly(new ProtocolViolation(
                "Protocol error: the server's buffer for incomplete commands is full (100 bytes,"
                        + " resp.max-buffered-request-bytes); try again later", "max-buffered-request-bytes"));
        assertThat(budget.used()).isZero();
    }
}
