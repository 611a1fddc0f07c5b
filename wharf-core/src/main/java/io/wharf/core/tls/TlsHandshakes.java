package io.wharf.core.tls;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.wharf.core.logging.LogValue;
import io.wharf.core.logging.WarningThrottle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits right behind the {@code SslHandler} until the handshake ends: counts a failed (or timed
 * out) handshake and keeps its error from reaching the door's handlers, which never saw a byte of
 * that connection; steps aside once the handshake succeeds. What was negotiated is not logged: one
 * line per connection would drown everything else.
 */
@ChannelHandler.Sharable
final class TlsHandshakes extends ChannelInboundHandlerAdapter {
    /** The {@code SslHandler}'s name in every TLS pipeline. */
    static final String TLS = "tls";
    /** This handler's name. */
    static final String NAME = "tls-handshake";
    private static final Logger LOG = LoggerFactory.getLogger(TlsHandshakes.class);

    private final String door;
    private final Counter failures;
    private final WarningThrottle warnings = new WarningThrottle(Duration.ofSeconds(10));

    TlsHandshakes(String door, Counter failures) {
        this.door = door;
        this.failures = failures;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                ctx.pipeline().remove(this);
            } else {
                failures.increment();
                long suppressed = warnings.admit();
                if (suppressed >= 0) {
                    LOG.warn("event=tls-handshake-failed door={} remote={} error=\"{}\" suppressed={}", door,
                            ctx.channel().remoteAddress(), LogValue.of(String.valueOf(done.cause().getMessage())),
                            suppressed);
                }
                ctx.close();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // before the handshake completed, so from TLS or the socket: the completion event counts it
        ctx.close();
    }
}
