package io.wharf.resp.server;

import java.util.function.Supplier;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.WriteBufferWaterMark;
import io.wharf.resp.config.RespSettings;
import io.wharf.resp.protocol.RequestBudget;
import io.wharf.resp.protocol.RespDecoder;
import io.wharf.resp.protocol.RespEncoder;

/**
 * Builds each connection's pipeline: decode bytes to commands (within the door-wide budget for
 * incomplete commands), encode replies, dispatch commands. A connection becomes unwritable once
 * {@code resp.max-output-bytes} of replies wait for its client to read them.
 */
final class RespChannelInitializer extends ChannelInitializer<Channel> {
    private final RespSettings settings;
    private final RequestBudget budget;
    private final Supplier<CommandDispatcher> dispatchers;

    RespChannelInitializer(RespSettings settings, RequestBudget budget, Supplier<CommandDispatcher> dispatchers) {
        this.settings = settings;
        this.budget = budget;
        this.dispatchers = dispatchers;
    }

    @Override
    protected void initChannel(Channel ch) {
        int high = settings.maxOutputBytes();
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(high / 2, high));
        ch.pipeline()
                .addLast("decode", new RespDecoder(settings.maxBulkBytes(), settings.maxRequestBytes(), budget,
                        settings.requestTimeout()))
                .addLast("encode", new RespEncoder())
                .addLast("dispatch", dispatchers.get());
    }
}
