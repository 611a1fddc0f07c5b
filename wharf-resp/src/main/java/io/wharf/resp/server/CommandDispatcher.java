package io.wharf.resp.server;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.ScheduledFuture;
import io.wharf.core.access.Decision;
import io.wharf.core.auth.Credentials;
import io.wharf.core.logging.LogValue;
import io.wharf.core.logging.WarningThrottle;
import io.wharf.core.tls.TlsPeer;
import io.wharf.resp.command.CommandTable;
import io.wharf.resp.command.RespCommand;
import io.wharf.resp.consume.ConsumeFailure;
import io.wharf.resp.consume.ConsumerSession;
import io.wharf.resp.consume.Outlet;
import io.wharf.resp.metrics.RespMetrics;
import io.wharf.resp.protocol.CommandError;
import io.wharf.resp.protocol.ProtocolViolation;
import io.wharf.resp.protocol.RespDecoder;
import io.wharf.resp.protocol.RespRequest;
import io.wharf.resp.protocol.RespValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each decoded command and sends the replies in the order the commands arrived, even when an
 * earlier one (a blocked pop, a synchronous produce) answers later than the ones after it. It
 * stops reading from the connection while too many replies are pending, while the client does not
 * read what it is sent, while too many produced bytes await Kafka, or while the door-wide budget
 * for incomplete commands is spent. As the connection's {@link Outlet} it lets its consumer hand
 * records over only while the client's unread output is under {@code resp.max-output-bytes}; a
 * client that stays over it for {@code resp.slow-client-timeout} is disconnected. One instance per
 * connection, used only on its event loop.
 */
final class CommandDispatcher extends ChannelInboundHandlerAdapter implements Outlet {
    private static final Logger LOG = LoggerFactory.getLogger(CommandDispatcher.class);
    // clients trigger these: one line per interval each
    private static final WarningThrottle SLOW_CLIENT_WARNINGS = new WarningThrottle(Duration.ofSeconds(10));
    private static final WarningThrottle REFUSED_REQUEST_WARNINGS = new WarningThrottle(Duration.ofSeconds(10));

    /**
     * A reply slot in arrival order.
     *
     * @param reply      the reply, possibly not there yet
     * @param closeAfter close the connection once it is sent ({@code QUIT}, a protocol error)
     * @param errorKind  the kind an error reply is counted as, or null for its first word
     * @param consume    a {@code BLPOP}/{@code BLMPOP}, whose records are handed over only when it is first in line
     */
    private record Pending(CompletableFuture<RespValue> reply, boolean closeAfter, String errorKind, boolean consume) {
    }

    private final Connections connections;
    private final CommandTable commands;
    private final MonitorFeed monitors;
    private final RespMetrics metrics;
    private final int maxPendingReplies;
    private final long slowClientTimeoutNanos;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private RespDecoder decoder;
    private ScheduledFuture<?> slowClientDeadline;
    private RespConnection connection;
    private boolean admitted;
    private boolean inRead;
    private boolean closing;
    private boolean producePaused;

    CommandDispatcher(Connections connections, CommandTable commands, MonitorFeed monitors, RespMetrics metrics,
                      int maxPendingReplies, Duration slowClientTimeout) {
        this.slowClientTimeoutNanos = slowClientTimeout.toNanos();
        this.connections = connections;
        this.commands = commands;
        this.monitors = monitors;
        this.metrics = metrics;
        this.maxPendingReplies = maxPendingReplies;
    }

    @Override
    public void channelActive(ChannelHandlerContext context) throws Exception {
        this.ctx = context;
        this.decoder = context.pipeline().get(RespDecoder.class);
        if (!connections.admit(context.channel())) {
            LOG.warn("event=resp-connection-refused reason=max-connections limit={} client={}",
                    connections.limit(), context.channel().remoteAddress());
            metrics.error("ERR");
            context.writeAndFlush(RespValue.error("ERR max number of clients reached")).addListener(ChannelFutureListener.CLOSE);
            closing = true;
            return;
        }
        admitted = true;
        connection = connections.open(context.channel(), () -> context.executor().execute(() -> {
            producePaused = false;
            updateReading();
        }), this);
        super.channelActive(context);
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        if (admitted) {
            admitted = false;
            connections.released(connection);
        }
        pending.clear();
        if (slowClientDeadline != null) {
            slowClientDeadline.cancel(false);
            slowClientDeadline = null;
        }
        super.channelInactive(context);
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        inRead = true;
        if (closing || connection == null) {
            return;
        }
        if (msg instanceof ProtocolViolation violation) {
            if (violation.limit() != null) {
                refused(violation);
            } else {
                LOG.debug("protocol error from {}: {}", connection.address(), violation.message());
            }
            enqueue(RespCommand.now(RespValue.error("ERR " + violation.message())), true, "protocol", false);
            return;
        }
        execute((RespRequest) msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        inRead = false;
        context.flush();
        updateReading();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) throws Exception {
        if (context.channel().isWritable()) {
            if (slowClientDeadline != null) {
                slowClientDeadline.cancel(false);
                slowClientDeadline = null;
            }
            serveConsumer();
        } else if (slowClientDeadline == null && context.channel().isActive()) {
            slowClientDeadline = context.executor().schedule(this::slowClient, slowClientTimeoutNanos,
                    TimeUnit.NANOSECONDS);
        }
        updateReading();
        super.channelWritabilityChanged(context);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object event) throws Exception {
        if (event instanceof RespDecoder.ReadingResumed) {
            updateReading();
            return;
        }
        if (event instanceof SslHandshakeCompletionEvent done && done.isSuccess() && connection != null) {
            String subject = TlsPeer.subject(context.channel());
            if (subject != null) {
                // a client certificate the listener verified is the credential; AUTH may still change it
                String limited = connection.authenticate(Credentials.certificatePrincipal(subject));
                if (limited != null) {
                    LOG.warn("event=resp-certificate-limited client={} reason=\"{}\"", connection.address(), limited);
                }
            }
        }
        super.userEventTriggered(context, event);
    }

    /** The client has left more than max-output-bytes unread for the whole slow-client timeout. */
    private void slowClient() {
        slowClientDeadline = null;
        if (ctx.channel().isWritable() || !ctx.channel().isActive()) {
            return;
        }
        metrics.slowClientClosed();
        long suppressed = SLOW_CLIENT_WARNINGS.admit();
        if (suppressed >= 0) {
            LOG.warn("event=resp-slow-client-closed client={} name={} pending_bytes={} limit={} timeout_ms={} suppressed={}",
                    connection.address(), LogValue.of(connection.clientName()), Connections.pendingOutput(ctx.channel()),
                    ctx.channel().config().getWriteBufferHighWaterMark(),
                    TimeUnit.NANOSECONDS.toMillis(slowClientTimeoutNanos), suppressed);
        }
        ctx.channel().close();
    }

    /** An incomplete command hit the request timeout or the door-wide budget: counted, logged, answered, closed. */
    private void refused(ProtocolViolation violation) {
        metrics.requestRefused(violation.limit());
        long suppressed = REFUSED_REQUEST_WARNINGS.admit();
        if (suppressed >= 0) {
            LOG.warn("event=resp-request-refused client={} limit={} suppressed={}", connection.address(),
                    violation.limit(), suppressed);
        }
    }

    @Override
    public boolean hasRoom() {
        return ctx.channel().isWritable() && (pending.isEmpty() || pending.peek().consume());
    }

    @Override
    public Executor executor() {
        return ctx.executor();
    }

    /** Lets the consumer hand records to the clients waiting for them, if there is room now. */
    private void serveConsumer() {
        ConsumerSession consumer = connection == null ? null : connection.consumer();
        if (consumer != null && ctx.channel().isActive()) {
            consumer.serve();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("connection {} failed: {}", context.channel().remoteAddress(), cause.getMessage());
        } else {
            LOG.warn("event=resp-connection-error client={} error=\"{}\"", context.channel().remoteAddress(),
                    cause.toString());
        }
        context.close();
    }

    private void execute(RespRequest request) {
        if (monitors.active()) {
            monitors.publish(ctx.channel(), connection.address(), request);
        }
        String name = request.name();
        RespCommand command = commands.get(name);
        String refusedAtConnect = connection.refusedAtConnect();
        if (refusedAtConnect != null && !(command != null && command.beforeAuth() && connection.credentialsRequired())) {
            // the anonymous principal's connection limit: the first command hears why, then the connection
            // closes; with credentials configured the client may still AUTH as someone else first
            enqueue(RespCommand.now(RespValue.error("ERR " + refusedAtConnect)), true, null, false);
            return;
        }
        if (command == null) {
            commands.unknownCounter().increment();
            reply(RespValue.error("ERR unknown command '" + request.text(0) + "'"));
            return;
        }
        commands.counter(name).increment();
        if (!command.beforeAuth() && !connection.authenticated()) {
            reply(RespValue.error("NOAUTH Authentication required."));
            return;
        }
        if (connection.access() != null && connection.access().expired() && !allowedAfterExpiry(command, request)) {
            reply(RespValue.error("NOPERM " + EXPIRED));
            return;
        }
        if (!command.arityAccepts(request.size())) {
            reply(RespValue.error("ERR wrong number of arguments for '" + name.toLowerCase(Locale.ROOT) + "' command"));
            return;
        }
        CompletableFuture<RespValue> result;
        try {
            result = command.handler().execute(connection, request);
        } catch (CommandError e) {
            result = RespCommand.now(e.reply());
        } catch (RuntimeException e) {
            LOG.warn("event=resp-command-failed command={} client={} error=\"{}\"", LogValue.of(name), connection.address(),
                    LogValue.of(e.toString()), e);
            result = RespCommand.now(RespValue.error("ERR internal error: " + e.getMessage()));
        }
        enqueue(result, name.equals("QUIT"), null, name.equals("BLPOP") || name.equals("BLMPOP"));
    }

    private static final String EXPIRED = new Decision.Expired().message();

    /**
     * Once the credential expired, only what lets a client authenticate again or identify itself:
     * {@code AUTH}, {@code HELLO}, {@code QUIT} (the commands allowed before {@code AUTH}),
     * {@code PING} and {@code CLIENT}.
     */
    private static boolean allowedAfterExpiry(RespCommand command, RespRequest request) {
        return command.beforeAuth() || command.name().equals("PING") || command.name().equals("CLIENT");
    }

    private void reply(RespValue value) {
        enqueue(RespCommand.now(value), false, null, false);
    }

    private void enqueue(CompletableFuture<RespValue> reply, boolean closeAfter, String errorKind, boolean consume) {
        if (closeAfter) {
            closing = true;
        }
        if (pending.isEmpty() && reply.isDone()) {
            write(value(reply), closeAfter, errorKind);
            return;
        }
        pending.add(new Pending(reply, closeAfter, errorKind, consume));
        if (!reply.isDone()) {
            reply.whenComplete((v, e) -> {
                if (ctx.executor().inEventLoop()) {
                    drain();
                } else {
                    ctx.executor().execute(this::drain);
                }
            });
        }
        updateReading();
    }

    private void drain() {
        boolean wrote = false;
        while (!pending.isEmpty() && pending.peek().reply().isDone()) {
            Pending p = pending.poll();
            write(value(p.reply()), p.closeAfter(), p.errorKind());
            wrote = true;
        }
        if (wrote && !inRead) {
            ctx.flush();
        }
        serveConsumer();
        updateReading();
    }

    private void write(RespValue value, boolean closeAfter, String errorKind) {
        if (value instanceof RespValue.Error e) {
            metrics.error(errorKind != null ? errorKind : e.kind());
        }
        if (!ctx.channel().isActive()) {
            return;
        }
        if (closeAfter) {
            ctx.writeAndFlush(value).addListener(ChannelFutureListener.CLOSE);
            pending.clear();
        } else {
            ctx.write(value, ctx.voidPromise());
        }
    }

    /** The reply of a completed future; failures become error replies. */
    private RespValue value(CompletableFuture<RespValue> reply) {
        try {
            return reply.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof CommandError c) {
                return c.reply();
            }
            if (cause instanceof ConsumeFailure f) {
                return RespValue.error("CONS " + f.getMessage());
            }
            LOG.warn("event=resp-command-failed client={} error=\"{}\"", connection.address(), cause.toString(), cause);
            return RespValue.error("ERR internal error: " + cause.getMessage());
        }
    }

    /** Reads from the connection only while it can take more work: see the class comment. */
    void updateReading() {
        if (connection == null || !ctx.channel().isActive()) {
            return;
        }
        boolean produceBlocked = connection.produce().mustPause();
        if (produceBlocked && !producePaused) {
            producePaused = true;
            connection.produce().pauseUntilRoom();
        }
        boolean read = !closing && ctx.channel().isWritable() && pending.size() < maxPendingReplies
                && !produceBlocked && (decoder == null || !decoder.pausedForBudget());
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }
}
