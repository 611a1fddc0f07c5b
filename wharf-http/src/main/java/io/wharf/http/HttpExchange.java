package io.wharf.http;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.wharf.core.access.Principal;
import io.wharf.core.kafka.Causes;
import io.wharf.core.logging.LogValue;
import io.wharf.core.logging.WarningThrottle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's request/response cycle: decodes each request into an {@link ApiRequest}, hands
 * it to its route, and answers requests strictly one at a time in arrival order (pipelined
 * requests wait, reading pauses meanwhile). A route either replies or takes the connection over
 * (Server-Sent Events, WebSocket). Idle connections with no request in progress are closed.
 */
final class HttpExchange extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(HttpExchange.class);
    /** Pipelined requests held while one is answered; more closes the connection. */
    private static final int MAX_WAITING = 16;
    /** Bodies from this size on are decoded off the event loop. */
    private static final int DECODE_OFF_LOOP_BYTES = 256 * 1024;
    private static final Executor DECODER = ForkJoinPool.commonPool();
    private static final WarningThrottle FAILED = new WarningThrottle(Duration.ofSeconds(10));

    private final DoorContext door;
    private final ApiRequestDecoder decoder;
    private final Routes routes;
    private ArrayDeque<Waiting> waiting;
    /** The access of the request being answered; of the last principal, reused while it stays the same. */
    private HttpAccess access;
    private ChannelHandlerContext ctx;
    private boolean busy;
    private boolean keepAlive;
    private boolean handedOff;

    /** A pipelined request held with the principal it was authenticated as. */
    private record Waiting(FullHttpRequest request, Principal principal) {
    }

    HttpExchange(DoorContext door, ApiRequestDecoder decoder, Routes routes) {
        this.door = door;
        this.decoder = decoder;
        this.routes = routes;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        // each request is authenticated on its own (keep-alive): take its principal now, before the next one's
        Principal principal = ctx.channel().attr(HttpAccess.PRINCIPAL).getAndSet(null);
        if (busy || handedOff) {
            if (handedOff) {
                request.release();
                return;
            }
            if (waiting == null) {
                waiting = new ArrayDeque<>(4);
            }
            if (waiting.size() >= MAX_WAITING) {
                request.release();
                LOG.warn("event=too-many-pipelined-requests remote={} limit={}", ctx.channel().remoteAddress(), MAX_WAITING);
                ctx.close();
                return;
            }
            waiting.add(new Waiting(request, principal));
            return;
        }
        handle(request, principal);
    }

    private void handle(FullHttpRequest request, Principal principal) {
        busy = true;
        Principal p = principal == null ? Principal.anonymous() : principal;
        if (access == null || !access.authenticated().equals(p)) {
            access = HttpAccess.of(door, p);
        }
        ReadPause.pause(ctx.channel(), ReadPause.Reason.BUSY);
        // after a request the codec could not read (too long, malformed) it discards what follows: close
        keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
        if (request.content().readableBytes() >= DECODE_OFF_LOOP_BYTES) {
            // a large body (a JSON batch of 100k records) takes the decoder hundreds of milliseconds: not on the event loop
            CompletableFuture.supplyAsync(() -> decoder.decode(request), DECODER).whenComplete((decoded, error) ->
                    ctx.executor().execute(() -> dispatch(request, decoded, error)));
            return;
        }
        ApiRequest decoded;
        try {
            decoded = decoder.decode(request);
        } catch (RuntimeException e) {
            dispatch(request, null, e);
            return;
        }
        dispatch(request, decoded, null);
    }

    private void dispatch(FullHttpRequest request, ApiRequest decoded, Throwable decodeError) {
        try {
            if (decodeError != null) {
                throw Causes.unwrap(decodeError) instanceof RuntimeException r ? r : new IllegalStateException(decodeError);
            }
            routes.dispatch(ctx, request, decoded, this);
        } catch (ApiError e) {
            reply(e.toResponse());
        } catch (RuntimeException e) {
            // a bug, not bad input (bad input is an ApiError): logged with its trace, rate-limited
            long suppressed = FAILED.admit();
            if (suppressed >= 0) {
                LOG.warn("event=request-failed remote={} method={} uri=\"{}\" error=\"{}\" suppressed={}",
                        ctx.channel().remoteAddress(), LogValue.of(request.method()), LogValue.of(request.uri()),
                        LogValue.of(e.toString()), suppressed, e);
            }
            reply(HttpReplies.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal", e.toString()));
        } finally {
            request.release();
        }
    }

    /** Answers the current request; any thread. */
    void reply(FullHttpResponse response) {
        if (!ctx.executor().inEventLoop()) {
            ctx.executor().execute(() -> reply(response));
            return;
        }
        if (!busy || handedOff || !ctx.channel().isActive()) {
            ReferenceCountUtil.release(response);
            return;
        }
        HttpReplies.respond(ctx, keepAlive, response);
        busy = false;
        ReadPause.resume(ctx.channel(), ReadPause.Reason.BUSY);
        handleWaiting();
    }

    /**
     * Starts the next pipelined request, but only once the client has taken the replies so far:
     * else 16 pipelined long polls from a client that never reads would queue 16 replies.
     */
    private void handleWaiting() {
        if (keepAlive && !busy && !handedOff && waiting != null && !waiting.isEmpty() && ctx.channel().isWritable()) {
            Waiting next = waiting.poll();
            handle(next.request(), next.principal());
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            handleWaiting();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** Answers the current request with the error a failure maps to; any thread. */
    void fail(Throwable error) {
        reply(KafkaErrors.toApiError(error).toResponse());
    }

    /** The connection now belongs to a stream or WebSocket; event loop only. */
    void handOff() {
        handedOff = true;
        busy = false;
        releaseWaiting();
        RequestClock.remove(ctx.pipeline()); // streams and WebSockets have their own keep-alive rules
        ReadPause.resume(ctx.channel(), ReadPause.Reason.BUSY);
        if (ctx.pipeline().context(this) != null) {
            ctx.pipeline().remove(this);
        }
    }

    /** What the current request's principal may do. */
    HttpAccess access() {
        return access;
    }

    /** Whether the current request asked for keep-alive. */
    boolean keepAlive() {
        return keepAlive;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            if (!busy && !handedOff) {
                door.metrics().idleDisconnect();
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releaseWaiting();
        super.channelInactive(ctx);
    }

    private void releaseWaiting() {
        if (waiting != null) {
            waiting.forEach(w -> w.request().release());
            waiting.clear();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (busy || handedOff || !ctx.channel().isActive() || cause instanceof java.io.IOException) {
            // the client went away, or a reply is already on its way: nothing to answer
            LOG.debug("connection error remote={}", ctx.channel().remoteAddress(), cause);
            ctx.close();
            return;
        }
        // a handler before this one failed on the request (e.g. on a malformed escape): answer, never an empty reply
        ApiError error = cause instanceof ApiError api ? api : cause instanceof IllegalArgumentException
                ? ApiError.badRequest("bad_request", "the request could not be read: " + cause.getMessage())
                : new ApiError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal", cause.toString());
        long suppressed = FAILED.admit();
        if (suppressed >= 0) {
            LOG.warn("event=request-failed remote={} error=\"{}\" suppressed={}", ctx.channel().remoteAddress(),
                    LogValue.of(cause.toString()), suppressed);
        }
        HttpReplies.respond(ctx, false, error.toResponse());
    }
}
