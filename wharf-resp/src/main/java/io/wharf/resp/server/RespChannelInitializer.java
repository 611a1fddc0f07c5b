package io.wharf.resp.server;

import java.util.function.Supplier;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.wharf.resp.protocol.RespDecoder;
import io.wharf.resp.protocol.RespEncoder;

/** Builds each connection's pipeline: decode bytes to commands, encode replies, dispatch commands. */
final class RespChannelInitializer extends ChannelInitializer<Channel> {
    private final int maxBulkBytes;
    private final int maxRequestBytes;
    private final Supplier<CommandDispatcher> dispatchers;

    RespChannelInitializer(int maxBulkBytes, int maxRequestBytes, Supplier<CommandDispatcher> dispatchers) {
        this.maxBulkBytes = maxBulkBytes;
        this.maxRequestBytes = maxRequestBytes;
        this.dispatchers = dispatchers;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline()
                .addLast("decode", new RespDecoder(maxBulkBytes, maxRequestBytes))
                .addLast("encode", new RespEncoder())
                .addLast("dispatch", dispatchers.get());
    }
}
