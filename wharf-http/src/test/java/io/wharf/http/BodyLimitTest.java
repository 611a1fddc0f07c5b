package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.Test;

/** The body limit behind the request decoder on Netty's embedded channel: within, over, drained, bounded. */
class BodyLimitTest {
    private static final int LIMIT = 100;
    private static final String TOO_LARGE = "{\"error\":\"body_too_large\",\"message\":\"the request body is larger than "
            + LIMIT + " bytes (http.max-body-bytes)\"}";

    private static EmbeddedChannel channel() {
        // the decoder's limits are those of HttpPipeline's codec
        return new EmbeddedChannel(new HttpRequestDecoder(4096, 16 * 1024, 16 * 1024), new BodyLimit(LIMIT));
    }

    private static void send(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    private static void assertTooLarge(EmbeddedChannel ch) {
        FullHttpResponse response = ch.readOutbound();
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
            assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
            assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
            assertThat(response.content().toString(StandardCharsets.UTF_8)).isEqualTo(TOO_LARGE);
        } finally {
            response.release();
        }
        assertThat((Object) ch.readOutbound()).isNull();
    }

    @Test
    void passesABodyUpToTheLimitAsOneRequest() {
        EmbeddedChannel ch = channel();
        String body = "x".repeat(LIMIT);
        send(ch, "POST /topics/t HTTP/1.1\r\nContent-Length: " + LIMIT + "\r\n\r\n" + body.substring(0, 40));
        assertThat((Object) ch.readInbound()).isNull();
        send(ch, body.substring(40));
        FullHttpRequest request = ch.readInbound();
        try {
            assertThat(request.uri()).isEqualTo("/topics/t");
            assertThat(request.content().toString(StandardCharsets.UTF_8)).isEqualTo(body);
        } finally {
            request.release();
        }
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void answersADeclaredOversizedBodyAt413ThenDrainsItBeforeClosing() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /topics/t HTTP/1.1\r\nContent-Length: 1000\r\n\r\n" + "x".repeat(300));
        assertTooLarge(ch);
        // still reading what the client is sending, so it sees the 413 rather than a reset
        assertThat(ch.isOpen()).isTrue();
        send(ch, "x".repeat(600));
        assertThat(ch.isOpen()).isTrue();
        send(ch, "x".repeat(100));
        assertThat(ch.isOpen()).as("closed once the whole body was read").isFalse();
        assertThat((Object) ch.readInbound()).as("nothing of the request reaches the routes").isNull();
    }

    @Test
    void answersAnOversizedHeadOnlyRequestAndClosesAtOnce() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /topics/t HTTP/1.1\r\nContent-Length: 101\r\n\r\n");
        assertTooLarge(ch);
        assertThat(ch.isOpen()).isTrue();
        send(ch, "x".repeat(101));
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void answersAChunkedBodyThatGrowsPastTheLimitAndCloses() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /topics/t HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n" + "x".repeat(80) + "\r\n");
        assertThat((Object) ch.readOutbound()).isNull();
        send(ch, "50\r\n" + "x".repeat(80) + "\r\n");
        assertTooLarge(ch);
        assertThat(ch.isOpen()).isFalse();
        assertThat((Object) ch.readInbound()).isNull();
    }

    @Test
    void stopsDrainingAfterItsBoundAndCloses() {
        EmbeddedChannel ch = channel();
        long declared = 1L << 30;
        send(ch, "POST /topics/t HTTP/1.1\r\nContent-Length: " + declared + "\r\n\r\n");
        assertTooLarge(ch);
        byte[] mebibyte = new byte[1024 * 1024];
        int sent = 0;
        while (ch.isOpen() && sent < 1024) {
            ch.writeInbound(Unpooled.wrappedBuffer(mebibyte));
            sent++;
        }
        assertThat(ch.isOpen()).isFalse();
        // the bound is 64 MiB: closed with the first read beyond it, long before the declared GiB
        assertThat(sent).isEqualTo(65);
        assertThat((Object) ch.readInbound()).isNull();
    }
}
