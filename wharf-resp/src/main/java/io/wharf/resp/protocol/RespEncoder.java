package io.wharf.resp.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes replies in the connection's protocol. It owns the protocol version: replies leave in
 * order, so switching when the {@code HELLO} reply passes is exactly right even when earlier
 * replies were still pending. One instance per connection (it is stateful).
 */
public final class RespEncoder extends MessageToByteEncoder<RespValue> {
    private boolean resp3;

    public RespEncoder() {
        super(RespValue.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, RespValue value, ByteBuf out) {
        RespValue reply = value;
        if (value instanceof RespValue.SwitchProtocol p) {
            resp3 = p.protocol() == 3;
            reply = p.reply();
        }
        new RespOutput(out, resp3).write(reply);
    }
}
