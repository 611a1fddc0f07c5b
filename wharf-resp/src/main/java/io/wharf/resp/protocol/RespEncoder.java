package io.wharf.resp.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Writes replies in the connection's protocol, gathering the replies of one pipelined batch into
 * one buffer (up to {@link #GATHER_BYTES}) so a hundred {@code :1} replies cost one buffer and one
 * write, not a hundred. It owns the protocol version: replies leave in order, so switching when the
 * {@code HELLO} reply passes is exactly right even when earlier replies were still pending. One
 * instance per connection (it is stateful).
 */
public final class RespEncoder extends ChannelOutboundHandlerAdapter {
    static final int GATHER_BYTES = 64 * 1024;

    private boolean resp3;
    private ByteBuf gathered;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof RespValue value)) {
            ctx.write(msg, promise);
            return;
        }
        RespValue reply = value;
        if (value instanceof RespValue.SwitchProtocol p) {
            resp3 = p.protocol() == 3;
            reply = p.reply();
        }
        int hint = reply instanceof RespValue.Streamed s ? s.sizeHint() : 64;
        if (gathered == null) {
            gathered = ctx.alloc().ioBuffer(Math.max(256, Math.min(hint, 16 * 1024 * 1024)));
        } else {
            gathered.ensureWritable(Math.min(hint, 16 * 1024 * 1024));
        }
        new RespOutput(gathered, resp3).write(reply);
        if (!promise.isVoid() || gathered.readableBytes() >= GATHER_BYTES) {
            // someone waits for this write (e.g. to close after it), or enough is gathered
            ByteBuf out = gathered;
            gathered = null;
            ctx.write(out, promise);
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (gathered != null) {
            ByteBuf out = gathered;
            gathered = null;
            ctx.write(out, ctx.voidPromise());
        }
        ctx.flush();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (gathered != null) {
            gathered.release();
            gathered = null;
        }
    }
}
