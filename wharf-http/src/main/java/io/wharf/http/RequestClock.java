package io.wharf.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.wharf.core.logging.WarningThrottle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds how slowly a client may send an HTTP request, which the idle timeout cannot (every byte
 * resets it): the request line and headers must all arrive within {@code http.request-header-timeout}
 * of the request's first byte (else 408 and close), and a body must bring at least
 * {@code http.min-body-bytes-per-second} over every {@code http.body-rate-window} (else 408 and
 * close). Two handlers share one clock: {@link #bytes()} sits below the HTTP codec and sees a
 * request begin, {@link #messages()} above it sees its head and body decoded. Between requests the
 * idle timeout applies; WebSocket and SSE connections drop the clock when they take over. Event loop only.
 */
final class RequestClock {
    static final String BYTES = "request-clock";
    static final String MESSAGES = "request-clock-messages";
    private static final Logger LOG = LoggerFactory.getLogger(RequestClock.class);
    private static final WarningThrottle SLOW = new WarningThrottle(Duration.ofSeconds(10));

    private enum State {
        /** No request in progress: the next byte starts one. */
        BETWEEN,
        /** Request line and headers arriving. */
        HEAD,
        /** Body arriving. */
        BODY
    }

    private final HttpMetrics metrics;
    private final long headerTimeoutNanos;
    private final long minBytesPerWindow;
    private final long windowNanos;
    private State state = State.BETWEEN;
    private ScheduledFuture<?> timer;
    private long windowBytes;
    private ChannelHandlerContext bytesContext;
    /** A response went out while the current request's body was still arriving. */
    private boolean answered;

    RequestClock(HttpMetrics metrics, HttpSettings settings) {
        this.metrics = metrics;
        this.headerTimeoutNanos = settings.requestHeaderTimeout().toNanos();
        this.windowNanos = settings.bodyRateWindow().toNanos();
        this.minBytesPerWindow = (long) Math.ceil(settings.minBodyBytesPerSecond() * (windowNanos / 1e9));
    }

    /** The handler below the codec. */
    ChannelInboundHandlerAdapter bytes() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                bytesContext = ctx;
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (state == State.BETWEEN && msg instanceof ByteBuf b && b.isReadable()) {
                    state = State.HEAD;
                    schedule(ctx, RequestClock.this::headerTimedOut, headerTimeoutNanos);
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) throws Exception {
                cancel();
                super.channelInactive(ctx);
            }
        };
    }

    /** The handler above the codec. */
    ChannelDuplexHandler messages() {
        return new ChannelDuplexHandler() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
                if (msg instanceof HttpResponse r && r.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
                    answered = true; // e.g. a 413 while the body is still drained
                }
                super.write(ctx, msg, promise);
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                    cancel();
                    state = State.BODY;
                    answered = false;
                    windowBytes = 0;
                    if (minBytesPerWindow > 0 && !(msg instanceof LastHttpContent)) {
                        schedule(ctx, RequestClock.this::windowEnded, windowNanos);
                    }
                }
                if (msg instanceof HttpContent content) {
                    windowBytes += content.content().readableBytes();
                }
                if (msg instanceof LastHttpContent) {
                    cancel();
                    state = State.BETWEEN;
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    /** Takes the clock out of the pipeline (a WebSocket or SSE stream now owns the connection). */
    static void remove(ChannelPipeline pipeline) {
        if (pipeline.context(BYTES) != null) {
            pipeline.remove(BYTES);
        }
        if (pipeline.context(MESSAGES) != null) {
            pipeline.remove(MESSAGES);
        }
    }

    private void schedule(ChannelHandlerContext ctx, Runnable task, long delayNanos) {
        cancel();
        timer = ctx.executor().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void headerTimedOut() {
        timer = null;
        if (state != State.HEAD) {
            return;
        }
        if (!bytesContext.channel().config().isAutoRead()) {
            // the server is not reading (a reply is pending, or the client does not read its replies): not the client's delay
            schedule(bytesContext, this::headerTimedOut, headerTimeoutNanos);
            return;
        }
        close("header", "the request line and headers did not arrive within "
                + TimeUnit.NANOSECONDS.toMillis(headerTimeoutNanos) + "ms (http.request-header-timeout)");
    }

    private void windowEnded() {
        timer = null;
        if (state != State.BODY) {
            return;
        }
        if (windowBytes < minBytesPerWindow && bytesContext.channel().config().isAutoRead()) {
            close("body", "the request body arrived slower than " + minBytesPerWindow + " bytes per "
                    + TimeUnit.NANOSECONDS.toMillis(windowNanos) + "ms (http.min-body-bytes-per-second)");
            return;
        }
        windowBytes = 0;
        schedule(bytesContext, this::windowEnded, windowNanos);
    }

    private void close(String reason, String message) {
        ChannelHandlerContext ctx = bytesContext;
        state = State.BETWEEN;
        if (ctx == null || !ctx.channel().isActive()) {
            return;
        }
        metrics.slowRequestDisconnect(reason);
        long suppressed = SLOW.admit();
        if (suppressed >= 0) {
            LOG.warn("event=slow-request-closed reason={} remote={} suppressed={}", reason, ctx.channel().remoteAddress(),
                    suppressed);
        }
        if (answered || ReadPause.paused(ctx.channel(), ReadPause.Reason.BUSY)) {
            ctx.close(); // a reply to an earlier request is on its way: a second one would garble it
            return;
        }
        // written below the codec: it answers whatever the codec has half-read
        ctx.writeAndFlush(Unpooled.wrappedBuffer(HttpReplies.encoded(HttpResponseStatus.REQUEST_TIMEOUT,
                HttpReplies.errorBody("request_timeout", message)))).addListener(LingeringClose.AFTER_REPLY);
    }
}
