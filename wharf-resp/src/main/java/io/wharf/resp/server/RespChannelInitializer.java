package io.wharf.resp.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.wharf.resp.protocol.RespDecoder;
import io.wharf.resp.protocol.RespEncoder;

/** Builds each connection's pipeline: decode bytes to commands, encode replies, dispatch commands. */
public final class RespChannelInitializer extends ChannelInitializer<Channel> {
    private final RespServer server;

    public RespChannelInitializer(RespServer server) {
        this.server = server;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline()
                .addLast("decode", new RespDecoder(server.settings().maxBulkBytes(), server.settings().maxRequestBytes()))
                .addLast("encode", new RespEncoder())
                .addLast("dispatch", new CommandDispatcher(server));
    }
}
