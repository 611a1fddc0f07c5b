package io.wharf.resp.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** The encoder on Netty's embedded channel: the wire form of every reply in RESP2 and RESP3, gathering, the HELLO switch. */
class RespEncoderTest {
    /** The buffers written to the socket, as text. */
    private static List<String> buffers(EmbeddedChannel ch) {
        List<String> out = new ArrayList<>();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            out.add(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out;
    }

    /** Writes the replies as the dispatcher does (void promises), then flushes. */
    private static String encode(EmbeddedChannel ch, RespValue... replies) {
        for (RespValue reply : replies) {
            ch.write(reply, ch.voidPromise());
        }
        ch.flush();
        return String.join("", buffers(ch));
    }

    private static final RespValue EVERY_KIND = new RespValue.Array(List.of(
            new RespValue.Simple("OK"), new RespValue.Int(-42), new RespValue.Int(Long.MIN_VALUE),
            new RespValue.Int(1234567890123L), RespValue.Bulk.of("h\u00e9"), new RespValue.Bulk(new byte[] {'\r', '\n', 0}),
            RespValue.error("ERR two\r\nlines"), RespValue.NULL, RespValue.NULL_ARRAY,
            RespValue.Map.of("k", 1), new RespValue.Array(List.of()),
            new RespValue.Streamed(out -> {
                out.arrayHeader(1);
                out.bulk("streamed");
            }, 16)));

    @Test
    void writesEveryKindOfReplyInResp2() {
        assertThat(encode(new EmbeddedChannel(new RespEncoder()), EVERY_KIND)).isEqualTo("*12\r\n+OK\r\n:-42\r\n"
                + ":-9223372036854775808\r\n:1234567890123\r\n$3\r\nh\u00c3\u00a9\r\n$3\r\n\r\n\0\r\n"
                + "-ERR two  lines\r\n$-1\r\n*-1\r\n*2\r\n$1\r\nk\r\n:1\r\n*0\r\n*1\r\n$8\r\nstreamed\r\n");
    }

    @Test
    void switchesToResp3WithTheHelloReplyAndWritesItsTypesFromThen() {
        EmbeddedChannel ch = new EmbeddedChannel(new RespEncoder());
        String out = encode(ch, RespValue.NULL, new RespValue.SwitchProtocol(3, RespValue.Map.of("proto", 3)), EVERY_KIND);
        assertThat(out).isEqualTo("$-1\r\n" + "%1\r\n$5\r\nproto\r\n:3\r\n" + "*12\r\n+OK\r\n:-42\r\n"
                + ":-9223372036854775808\r\n:1234567890123\r\n$3\r\nh\u00c3\u00a9\r\n$3\r\n\r\n\0\r\n"
                + "-ERR two  lines\r\n_\r\n_\r\n%1\r\n$1\r\nk\r\n:1\r\n*0\r\n*1\r\n$8\r\nstreamed\r\n");
        assertThat(encode(ch, new RespValue.SwitchProtocol(2, RespValue.OK), RespValue.NULL)).isEqualTo("+OK\r\n$-1\r\n");
    }

    @Test
    void gathersTheRepliesOfOneBatchIntoOneBuffer() {
        EmbeddedChannel ch = new EmbeddedChannel(new RespEncoder());
        for (int i = 0; i < 100; i++) {
            ch.write(RespValue.ONE, ch.voidPromise());
        }
        assertThat(buffers(ch)).as("nothing leaves before the flush").isEmpty();
        ch.flush();
        assertThat(buffers(ch)).containsExactly(":1\r\n".repeat(100));
    }

    @Test
    void handsOnAGatheredBufferOnceItReachesItsSize() {
        EmbeddedChannel ch = new EmbeddedChannel(new RespEncoder());
        RespValue big = new RespValue.Bulk(new byte[RespEncoder.GATHER_BYTES / 4]);
        for (int i = 0; i < 5; i++) {
            ch.write(big, ch.voidPromise());
        }
        ch.flush();
        List<String> out = buffers(ch);
        assertThat(out).hasSize(2);
        assertThat(out.get(0).length()).isGreaterThanOrEqualTo(RespEncoder.GATHER_BYTES);
        assertThat(String.join("", out)).isEqualTo(("$" + RespEncoder.GATHER_BYTES / 4 + "\r\n"
                + "\0".repeat(RespEncoder.GATHER_BYTES / 4) + "\r\n").repeat(5));
    }

    @Test
    void writesAReplySomeoneWaitsForAtOnceAfterTheGatheredOnes() {
        EmbeddedChannel ch = new EmbeddedChannel(new RespEncoder());
        ch.write(RespValue.ONE, ch.voidPromise());
        ChannelFuture last = ch.write(RespValue.OK);
        ch.flush();
        assertThat(last.isSuccess()).isTrue();
        assertThat(buffers(ch)).containsExactly(":1\r\n+OK\r\n");
    }

    @Test
    void passesOtherMessagesThrough() {
        EmbeddedChannel ch = new EmbeddedChannel(new RespEncoder());
        ch.writeOutbound(Unpooled.copiedBuffer("+raw\r\n", StandardCharsets.US_ASCII));
        assertThat(buffers(ch)).containsExactly("+raw\r\n");
    }

    @Test
    void releasesWhatItGatheredWhenTheConnectionGoes() {
        List<ByteBuf> allocated = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel(new RespEncoder());
        ch.config().setAllocator(new AbstractByteBufAllocator(false) {
            @Override
            protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
                ByteBuf b = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
                allocated.add(b);
                return b;
            }

            @Override
            protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
                return newHeapBuffer(initialCapacity, maxCapacity);
            }

            @Override
            public boolean isDirectBufferPooled() {
                return false;
            }
        });
        ch.write(RespValue.ONE, ch.voidPromise());
        assertThat(allocated).hasSize(1);
        assertThat(allocated.get(0).refCnt()).isEqualTo(1);
        ch.close();
        assertThat(allocated.get(0).refCnt()).isZero();
        assertThat(buffers(ch)).isEmpty();
    }
}
