package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

/** The connection gate on Netty's embedded channel: counting by kind, the limit, and what a refused connection gets. */
class ConnectionGateTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpMetrics metrics = new HttpMetrics(registry);

    private EmbeddedChannel connect(int maxConnections) {
        return new EmbeddedChannel(new ConnectionGate(metrics, maxConnections));
    }

    private double open(ConnectionKind kind) {
        return registry.get("wharf.http.connections").tag("kind", kind.tag()).gauge().value();
    }

    private double refused() {
        return registry.get("wharf.http.connections.refused").counter().count();
    }

    private static String written(EmbeddedChannel ch) {
        ByteBuf out = ch.readOutbound();
        try {
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            out.release();
        }
    }

    @Test
    void passesTrafficOfConnectionsWithinTheLimitAndCountsThemUntilTheyClose() {
        EmbeddedChannel first = connect(2);
        EmbeddedChannel second = connect(2);
        assertThat(open(ConnectionKind.HTTP)).isEqualTo(2);

        first.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n\r\n", StandardCharsets.US_ASCII));
        ByteBuf passed = first.readInbound();
        assertThat(passed.toString(StandardCharsets.US_ASCII)).isEqualTo("GET / HTTP/1.1\r\n\r\n");
        passed.release();
        assertThat((Object) first.readOutbound()).isNull();

        first.close();
        assertThat(open(ConnectionKind.HTTP)).isEqualTo(1);
        second.close();
        assertThat(open(ConnectionKind.HTTP)).isZero();
        assertThat(refused()).isZero();
    }

    @Test
    void answersAConnectionBeyondTheLimitWithA503AndClosesIt() {
        EmbeddedChannel first = connect(1);
        EmbeddedChannel extra = connect(1);
        assertThat(refused()).isEqualTo(1);
        assertThat(open(ConnectionKind.HTTP)).isEqualTo(1);
        assertThat(extra.isOpen()).as("open until it sends something, so it can be answered").isTrue();

        ByteBuf request = Unpooled.copiedBuffer("GET /topics HTTP/1.1\r\n\r\n", StandardCharsets.US_ASCII);
        extra.writeInbound(request);
        assertThat(request.refCnt()).as("what it sent is released").isZero();
        assertThat((Object) extra.readInbound()).as("nothing reaches the handlers above").isNull();
        String body = "{\"error\":\"too_many_connections\",\"message\":\"the server already has 1 connections"
                + " (http.max-connections); try later\"}";
        assertThat(written(extra)).isEqualTo("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body);
        assertThat(extra.isOpen()).isFalse();

        // the refused connection was never counted, so closing it leaves the count alone
        assertThat(open(ConnectionKind.HTTP)).isEqualTo(1);
        assertThat(first.isOpen()).isTrue();
        first.close();
        assertThat(open(ConnectionKind.HTTP)).isZero();
    }

    @Test
    void answersARefusedConnectionOnceWhateverItSendsBeforeTheCloseLands() {
        connect(1);
        // holds what the gate writes, as a socket still sending the answer does, so the close waits
        List<Object> held = new ArrayList<>();
        ChannelOutboundHandlerAdapter socket = new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                held.add(msg);
            }
        };
        EmbeddedChannel extra = new EmbeddedChannel(socket, new ConnectionGate(metrics, 1));
        ByteBuf first = Unpooled.copiedBuffer("GET / HTTP/1.1\r\n\r\n", StandardCharsets.US_ASCII);
        ByteBuf second = Unpooled.copiedBuffer("GET / HTTP/1.1\r\n\r\n", StandardCharsets.US_ASCII);
        extra.writeInbound(first);
        extra.writeInbound(second);
        assertThat(first.refCnt()).isZero();
        assertThat(second.refCnt()).isZero();
        assertThat(held).hasSize(1);
        assertThat(((ByteBuf) held.get(0)).toString(StandardCharsets.UTF_8)).startsWith("HTTP/1.1 503 ");
        assertThat((Object) extra.readInbound()).isNull();
        assertThat(refused()).isEqualTo(1);
        held.forEach(ReferenceCountUtil::release);
    }

    @Test
    void aConnectionFreedByACloseLetsTheNextOneIn() {
        EmbeddedChannel first = connect(1);
        first.close();
        EmbeddedChannel next = connect(1);
        next.writeInbound(Unpooled.copiedBuffer("x", StandardCharsets.US_ASCII));
        ByteBuf passed = next.readInbound();
        assertThat(passed).isNotNull();
        passed.release();
        assertThat(refused()).isZero();
    }

    @Test
    void movesAConnectionBetweenKindsAndCountsItUnderItsLastKindWhenItCloses() {
        EmbeddedChannel ch = connect(10);
        assertThat(ConnectionGate.kindOf(ch)).isEqualTo(ConnectionKind.HTTP);

        ConnectionGate.become(ch, ConnectionKind.WEBSOCKET);
        assertThat(ConnectionGate.kindOf(ch)).isEqualTo(ConnectionKind.WEBSOCKET);
        assertThat(open(ConnectionKind.HTTP)).isZero();
        assertThat(open(ConnectionKind.WEBSOCKET)).isEqualTo(1);
        assertThat(metrics.open()).isEqualTo(1);

        ch.close();
        assertThat(open(ConnectionKind.WEBSOCKET)).isZero();
        assertThat(metrics.open()).isZero();
    }

    @Test
    void theLimitCountsConnectionsOfEveryKind() {
        EmbeddedChannel sse = connect(2);
        ConnectionGate.become(sse, ConnectionKind.SSE);
        EmbeddedChannel proxy = connect(2);
        ConnectionGate.become(proxy, ConnectionKind.KAFKA_PROXY);
        connect(2);
        assertThat(refused()).isEqualTo(1);
        assertThat(open(ConnectionKind.SSE)).isEqualTo(1);
        assertThat(open(ConnectionKind.KAFKA_PROXY)).isEqualTo(1);
        assertThat(open(ConnectionKind.HTTP)).isZero();
    }
}
