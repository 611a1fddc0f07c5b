package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/**
 * The outbound guard on Netty's embedded channel, whose clock the tests move: unflushed writes
 * stand for bytes the client does not read, flushing for the client catching up.
 */
class OutboundGuardTest {
    private static final int HIGH_WATER = 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpMetrics metrics = new HttpMetrics(registry);

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        // as HttpPipeline sets it from http.outbound-buffer-bytes
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(HIGH_WATER / 2, HIGH_WATER));
        ch.pipeline().addLast(new OutboundGuard(metrics, TIMEOUT));
        return ch;
    }

    private double slowDisconnects() {
        return registry.get("wharf.http.slow.client.disconnects").counter().count();
    }

    private static void queue(EmbeddedChannel ch, int bytes) {
        ch.write(Unpooled.wrappedBuffer(new byte[bytes]));
        ch.runPendingTasks();
    }

    private static void elapse(EmbeddedChannel ch, long seconds) {
        ch.advanceTimeBy(seconds, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
    }

    /** Fills the outbound buffer past its limit and lets one second less than the timeout pass. */
    private static void fillForAlmostTheTimeout(EmbeddedChannel ch) {
        queue(ch, HIGH_WATER + 1);
        elapse(ch, TIMEOUT.toSeconds() - 1);
    }

    /** Twice the timeout later the client is still connected and nobody was counted slow. */
    private void assertNeverDisconnected(EmbeddedChannel ch) {
        elapse(ch, TIMEOUT.toSeconds() * 2);
        assertThat(ch.isOpen()).isTrue();
        assertThat(slowDisconnects()).isZero();
    }

    private static void drainOutbound(EmbeddedChannel ch) {
        ch.flush();
        ch.runPendingTasks();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            b.release();
        }
    }

    @Test
    void keepsReadingWhileTheOutboundBufferIsBelowItsLimit() {
        EmbeddedChannel ch = channel();
        queue(ch, HIGH_WATER / 2);
        assertThat(ch.isWritable()).isTrue();
        assertThat(ch.config().isAutoRead()).isTrue();
        assertNeverDisconnected(ch);
    }

    @Test
    void stopsReadingOnceTheBufferIsFullAndResumesWhenTheClientCatchesUp() {
        EmbeddedChannel ch = channel();
        queue(ch, HIGH_WATER + 1);
        assertThat(ch.isWritable()).isFalse();
        assertThat(ch.config().isAutoRead()).as("reading paused").isFalse();

        elapse(ch, TIMEOUT.toSeconds() - 1);
        drainOutbound(ch);
        assertThat(ch.isWritable()).isTrue();
        assertThat(ch.config().isAutoRead()).as("reading resumed").isTrue();

        // the deadline was cancelled: a client that caught up in time is never disconnected
        assertNeverDisconnected(ch);
    }

    @Test
    void disconnectsAndCountsAClientWhoseBufferStaysFullForTheTimeout() {
        EmbeddedChannel ch = channel();
        fillForAlmostTheTimeout(ch);
        assertThat(ch.isOpen()).isTrue();

        // more for the same client does not restart its clock
        queue(ch, HIGH_WATER);
        elapse(ch, 1);
        assertThat(ch.isOpen()).isFalse();
        assertThat(slowDisconnects()).isEqualTo(1);
    }

    @Test
    void startsTheClockAgainEachTimeTheBufferFillsUp() {
        EmbeddedChannel ch = channel();
        fillForAlmostTheTimeout(ch);
        drainOutbound(ch);

        fillForAlmostTheTimeout(ch);
        assertThat(ch.isOpen()).as("a full buffer again, but not for the whole timeout").isTrue();
        elapse(ch, 1);
        assertThat(ch.isOpen()).isFalse();
        assertThat(slowDisconnects()).isEqualTo(1);
    }

    @Test
    void aClientThatClosedWhileFullIsNotCountedAsSlow() {
        EmbeddedChannel ch = channel();
        queue(ch, HIGH_WATER + 1);
        ch.close();
        elapse(ch, TIMEOUT.toSeconds() * 2);
        assertThat(slowDisconnects()).isZero();
    }
}
