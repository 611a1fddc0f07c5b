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
        ch.advanceTimeBy(TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        assertThat(slowDisconnects()).isZero();
    }

    @Test
    void stopsReadingOnceTheBufferIsFullAndResumesWhenTheClientCatchesUp() {
        EmbeddedChannel ch = channel();
        queue(ch, HIGH_WATER + 1);
        assertThat(ch.isWritable()).isFalse();
        assertThat(ch.config().isAutoRead()).as("reading paused").isFalse();

        ch.advanceTimeBy(TIMEOUT.toSeconds() - 1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        drainOutbound(ch);
        assertThat(ch.isWritable()).isTrue();
        assertThat(ch.config().isAutoRead()).as("reading resumed").isTrue();

        // the deadline was cancelled: a client that caught up in time is never disconnected
        ch.advanceTimeBy(TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        assertThat(slowDisconnects()).isZero();
    }

    @Test
    void disconnectsAndCountsAClientWhoseBufferStaysFullForTheTimeout() {
        EmbeddedChannel ch = channel();
        queue(ch, HIGH_WATER + 1);
        ch.advanceTimeBy(TIMEOUT.toSeconds() - 1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();

        // more for the same client does not restart its clock
        queue(ch, HIGH_WATER);
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(slowDisconnects()).isEqualTo(1);
    }

    @Test
    void startsTheClockAgainEachTimeTheBufferFillsUp() {
        EmbeddedChannel ch = channel();
        queue(ch, HIGH_WATER + 1);
        ch.advanceTimeBy(TIMEOUT.toSeconds() - 1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        drainOutbound(ch);

        queue(ch, HIGH_WATER + 1);
        ch.advanceTimeBy(TIMEOUT.toSeconds() - 1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("a full buffer again, but not for the whole timeout").isTrue();
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(slowDisconnects()).isEqualTo(1);
    }

    @Test
    void aClientThatClosedWhileFullIsNotCountedAsSlow() {
        EmbeddedChannel ch = channel();
        queue(ch, HIGH_WATER + 1);
        ch.close();
        ch.advanceTimeBy(TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(slowDisconnects()).isZero();
    }
}
