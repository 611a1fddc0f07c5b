package io.wharf.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts each connection under its current {@link ConnectionKind} and refuses connections beyond
 * {@code http.max-connections}: whatever such a connection sends first is answered with a JSON 503
 * and the connection is closed.
 */
final class ConnectionGate extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGate.class);
    private static final AttributeKey<ConnectionGate> KEY = AttributeKey.valueOf("wharf.http.gate");

    private final HttpMetrics metrics;
    private final int maxConnections;
    private ConnectionKind kind = ConnectionKind.HTTP;
    private boolean counted;
    private boolean refused;
    private boolean answered;

    ConnectionGate(HttpMetrics metrics, int maxConnections) {
        this.metrics = metrics;
        this.maxConnections = maxConnections;
    }

    /** Moves a connection to another kind (e.g. after a WebSocket upgrade). Event loop only. */
    static void become(Channel channel, ConnectionKind kind) {
        ConnectionGate gate = channel.attr(KEY).get();
        if (gate != null && gate.counted && gate.kind != kind) {
            gate.metrics.closed(gate.kind);
            gate.metrics.opened(kind);
        }
        if (gate != null) {
            gate.kind = kind;
        }
    }

    /** The connection's current kind. */
    static ConnectionKind kindOf(Channel channel) {
        ConnectionGate gate = channel.attr(KEY).get();
        return gate == null ? ConnectionKind.HTTP : gate.kind;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.channel().attr(KEY).set(this);
        if (metrics.open() >= maxConnections) {
            refused = true;
            metrics.refused();
            LOG.warn("event=connection-refused reason=max-connections limit={} remote={}", maxConnections,
                    ctx.channel().remoteAddress());
        } else {
            counted = true;
            metrics.opened(kind);
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (counted) {
            counted = false;
            metrics.closed(kind);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!refused) {
            ctx.fireChannelRead(msg);
            return;
        }
        ReferenceCountUtil.release(msg);
        if (!answered) {
            // the gate sits below the HTTP codec: answer with the encoded response, whatever was sent
            answered = true;
            ctx.writeAndFlush(Unpooled.wrappedBuffer(refusal())).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private byte[] refusal() {
        return HttpReplies.encoded(HttpResponseStatus.SERVICE_UNAVAILABLE, HttpReplies.errorBody("too_many_connections",
                "the server already has " + maxConnections + " connections (http.max-connections); try later"));
    }
}
