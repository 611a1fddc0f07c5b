package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleStateHandler;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket keep-alive behind the reader-idle check WebSocketRoute installs (half of
 * {@code http.websocket-idle-timeout}), on Netty's embedded channel whose clock the tests move.
 */
class WebSocketKeepAliveTest {
    private static final long IDLE_TIMEOUT_MILLIS = 60_000;
    private static final long CHECK_MILLIS = IDLE_TIMEOUT_MILLIS / 2;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpMetrics metrics = new HttpMetrics(registry);

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new IdleStateHandler(CHECK_MILLIS, 0, 0, TimeUnit.MILLISECONDS))
                .addLast(new WebSocketKeepAlive(metrics));
        return ch;
    }

    private static void elapse(EmbeddedChannel ch, long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }

    private double idleDisconnects() {
        return registry.get("wharf.http.idle.disconnects").counter().count();
    }

    /** One check interval passes and the keep-alive writes a ping (released here). */
    private static void pingedAfterAnInterval(EmbeddedChannel ch) {
        elapse(ch, CHECK_MILLIS);
        written(ch, PingWebSocketFrame.class).release();
    }

    private static <T extends WebSocketFrame> T written(EmbeddedChannel ch, Class<T> type) {
        Object frame = ch.readOutbound();
        assertThat(frame).isInstanceOf(type);
        return type.cast(frame);
    }

    @Test
    void pingsAClientSilentForHalfTheIdleTimeoutAndKeepsOneThatAnswers() {
        EmbeddedChannel ch = channel();
        elapse(ch, CHECK_MILLIS - 1);
        assertThat((Object) ch.readOutbound()).as("no ping before the interval").isNull();
        elapse(ch, 1);
        written(ch, PingWebSocketFrame.class).release();
        assertThat((Object) ch.readOutbound()).isNull();

        ch.writeInbound(new PongWebSocketFrame());
        assertThat((Object) ch.readInbound()).as("the pong is consumed here").isNull();
        elapse(ch, CHECK_MILLIS);
        assertThat(ch.isOpen()).isTrue();
        written(ch, PingWebSocketFrame.class).release();
        ch.writeInbound(new PongWebSocketFrame());
        pingedAfterAnInterval(ch);
        assertThat(ch.isOpen()).isTrue();
        assertThat(idleDisconnects()).isZero();
    }

    @Test
    void closesWith1001AClientThatDoesNotAnswerThePing() {
        EmbeddedChannel ch = channel();
        pingedAfterAnInterval(ch);
        elapse(ch, CHECK_MILLIS);
        CloseWebSocketFrame close = written(ch, CloseWebSocketFrame.class);
        assertThat(close.statusCode()).isEqualTo(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code());
        assertThat(close.reasonText()).isEqualTo("idle timeout: nothing received (http.websocket-idle-timeout)");
        close.release();
        assertThat(ch.isOpen()).isFalse();
        assertThat(idleDisconnects()).isEqualTo(1);
    }

    @Test
    void anyMessageCountsAsAnAnswerAndReachesTheHandlersAbove() {
        EmbeddedChannel ch = channel();
        pingedAfterAnInterval(ch);
        elapse(ch, CHECK_MILLIS / 2);
        ch.writeInbound(new TextWebSocketFrame("{\"type\":\"ack\"}"));
        TextWebSocketFrame passed = ch.readInbound();
        assertThat(passed.text()).isEqualTo("{\"type\":\"ack\"}");
        passed.release();
        pingedAfterAnInterval(ch);
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void neverPingsOrClosesWhileTheServerItselfStoppedReading() {
        EmbeddedChannel ch = channel();
        pingedAfterAnInterval(ch);
        // the client is not taking its deliveries; http.slow-client-timeout decides about it
        ch.config().setAutoRead(false);
        elapse(ch, CHECK_MILLIS);
        elapse(ch, CHECK_MILLIS);
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(ch.isOpen()).isTrue();

        ch.config().setAutoRead(true);
        pingedAfterAnInterval(ch);
        assertThat(ch.isOpen()).isTrue();
        assertThat(idleDisconnects()).isZero();
    }

    @Test
    void answersAPingWithAPongCarryingItsPayload() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(new PingWebSocketFrame(Unpooled.copiedBuffer("hb-7", StandardCharsets.US_ASCII)));
        PongWebSocketFrame pong = written(ch, PongWebSocketFrame.class);
        assertThat(pong.content().toString(StandardCharsets.US_ASCII)).isEqualTo("hb-7");
        pong.release();
        assertThat((Object) ch.readInbound()).isNull();
    }

    @Test
    void echoesTheClientsCloseAndEndsTheConnection() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE, "bye"));
        CloseWebSocketFrame echo = written(ch, CloseWebSocketFrame.class);
        assertThat(echo.statusCode()).isEqualTo(1000);
        assertThat(echo.reasonText()).isEqualTo("bye");
        echo.release();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void closesAnOversizedMessageWith1009AndEndsTheConnectionWhenTheClientAnswers() {
        EmbeddedChannel ch = channel();
        ch.pipeline().fireExceptionCaught(new TooLongFrameException("frame of 2000000 bytes"));
        CloseWebSocketFrame close = written(ch, CloseWebSocketFrame.class);
        assertThat(close.statusCode()).isEqualTo(WebSocketCloseStatus.MESSAGE_TOO_BIG.code());
        assertThat(close.reasonText()).isEqualTo("message larger than http.max-frame-bytes");
        close.release();
        assertThat(ch.isOpen()).isTrue();

        // what the client still sends before its close is dropped
        TextWebSocketFrame late = new TextWebSocketFrame("late");
        ch.writeInbound(late);
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(late.refCnt()).isZero();

        ch.writeInbound(new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG, "ok"));
        assertThat((Object) ch.readOutbound()).as("the close handshake is complete; no second close").isNull();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void closesAProtocolViolationWithItsStatusAndEndsTheConnectionAfterAGrace() {
        EmbeddedChannel ch = channel();
        ch.pipeline().fireExceptionCaught(new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR,
                "x".repeat(150)));
        CloseWebSocketFrame close = written(ch, CloseWebSocketFrame.class);
        assertThat(close.statusCode()).isEqualTo(1002);
        assertThat(close.reasonText()).as("a close reason fits a control frame").hasSize(100);
        close.release();

        // a second violation while closing sends nothing more
        ch.pipeline().fireExceptionCaught(new TooLongFrameException("again"));
        assertThat((Object) ch.readOutbound()).isNull();

        elapse(ch, 1_999);
        assertThat(ch.isOpen()).as("the client has a grace to answer the close").isTrue();
        elapse(ch, 1);
        assertThat(ch.isOpen()).isFalse();
    }
}
