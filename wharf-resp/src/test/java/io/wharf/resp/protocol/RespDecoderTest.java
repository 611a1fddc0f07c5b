package io.wharf.resp.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** The decoder on Netty's embedded channel: fragments, pipelines, inline quoting and every protocol error. */
class RespDecoderTest {
    private static EmbeddedChannel channel() {
        // each argument costs 32 bytes more than its length against the request limit
        return new EmbeddedChannel(new RespDecoder(16, 160));
    }

    private static List<Object> feed(EmbeddedChannel ch, String... chunks) {
        for (String chunk : chunks) {
            ch.writeInbound(Unpooled.copiedBuffer(chunk, StandardCharsets.ISO_8859_1));
        }
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        return out;
    }

    private static List<String> args(Object request) {
        return ((RespRequest) request).args().stream().map(b -> new String(b, StandardCharsets.ISO_8859_1)).toList();
    }

    @Test
    void assemblesACommandFromAnyFragmentation() {
        String whole = "*3\r\n$6\r\nRPUSHX\r\n$8\r\ntopics:t\r\n$5\r\nhello\r\n";
        for (int split = 1; split < whole.length(); split++) {
            List<Object> out = feed(channel(), whole.substring(0, split), whole.substring(split));
            assertThat(out).hasSize(1);
            assertThat(args(out.get(0))).containsExactly("RPUSHX", "topics:t", "hello");
        }
    }

    @Test
    void decodesPipelinesMixingInlineAndMultiBulkAndSkipsEmptyOnes() {
        List<Object> out = feed(channel(), "PING\r\n*0\r\n\r\n*1\r\n$4\r\nPING\r\nECHO \"a\\x41\\n\" 'b\\'c'\n");
        assertThat(out).hasSize(3);
        assertThat(args(out.get(0))).containsExactly("PING");
        assertThat(args(out.get(1))).containsExactly("PING");
        assertThat(args(out.get(2))).containsExactly("ECHO", "aA\n", "b'c");
    }

    @Test
    void keepsBinaryValuesIntact() {
        List<Object> out = feed(channel(), "*2\r\n$4\r\nECHO\r\n$4\r\n\r\n\0\u00ff\r\n");
        assertThat(((RespRequest) out.get(0)).arg(1)).containsExactly('\r', '\n', 0, 0xff);
    }

    @Test
    void reportsEachProtocolErrorOnceAndDiscardsTheRest() {
        assertThat(feed(channel(), "*1\r\n$17\r\n")).containsExactly(new ProtocolViolation(
                "Protocol error: bulk string of 17 bytes exceeds the limit of 16 bytes (resp.max-bulk-bytes)"));
        String sixteen = "$16\r\n0123456789abcdef\r\n";
        assertThat(feed(channel(), "*4\r\n" + sixteen + sixteen + sixteen + "$16\r\n")).containsExactly(
                new ProtocolViolation("Protocol error: command larger than 160 bytes (resp.max-request-bytes)"));
        assertThat(feed(channel(), "*1\r\nPING\r\n")).containsExactly(new ProtocolViolation("Protocol error: expected '$', got 'P'"));
        assertThat(feed(channel(), "*1\rX")).containsExactly(new ProtocolViolation("Protocol error: invalid multibulk length"));
        assertThat(feed(channel(), "*" + "9".repeat(40))).containsExactly(new ProtocolViolation("Protocol error: invalid multibulk length"));
        EmbeddedChannel ch = channel();
        assertThat(feed(ch, "ECHO 'open\r\n", "PING\r\n")).containsExactly(new ProtocolViolation("Protocol error: unbalanced quotes in request"));
        assertThat(feed(ch, "PING\r\n")).isEmpty();
    }
}
