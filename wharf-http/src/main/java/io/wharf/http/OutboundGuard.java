package io.wharf.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds what one connection can make the server hold: while its outbound buffer is above the
 * high-water mark ({@code http.outbound-buffer-bytes}) the server stops reading from it and
 * deliveries to it pause; if it stays full for {@code http.slow-client-timeout} it is disconnected
 * and counted as a slow client.
 */
final class OutboundGuard extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(OutboundGuard.class);

    private final HttpMetrics metrics;
    private final long timeoutNanos;
    private ScheduledFuture<?> deadline;

    OutboundGuard(HttpMetrics metrics, Duration slowClientTimeout) {
        this.metrics = metrics;
        this.timeoutNanos = slowClientTimeout.toNanos();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            if (deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
            ReadPause.resume(ctx.channel(), ReadPause.Reason.UNWRITABLE);
        } else {
            ReadPause.pause(ctx.channel(), ReadPause.Reason.UNWRITABLE);
            if (deadline == null) {
                deadline = ctx.executor().schedule(() -> disconnect(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
            }
        }
        super.channelWritabilityChanged(ctx);
    }

    private void disconnect(ChannelHandlerContext ctx) {
        deadline = null;
        if (ctx.channel().isWritable() || !ctx.channel().isActive()) {
            return;
        }
        metrics.slowClientDisconnect();
        long pending = ctx.channel().unsafe().outboundBuffer() == null ? 0
                : ctx.channel().unsafe().outboundBuffer().totalPendingWriteBytes();
        LOG.warn("event=slow-client-disconnected kind={} remote={} pending_bytes={} timeout_ms={}",
                ConnectionGate.kindOf(ctx.channel()).tag(), ctx.channel().remoteAddress(), pending,
                TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
        ctx.channel().close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
        super.channelInactive(ctx);
    }
}
