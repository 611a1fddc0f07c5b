package io.wharf.http;

import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;

/**
 * Builds each connection's pipeline: byte counting, limits (connections, idle time, outbound
 * buffer, request pace), HTTP codec, body limit, Origin check and CORS (before authentication: a
 * preflight carries no credentials, and a foreign page's WebSocket is refused also with auth off), authentication, then the request/response exchange. Streams and
 * WebSockets replace the tail of this pipeline when they take a connection over.
 */
final class HttpPipeline extends ChannelInitializer<Channel> {
    static final String IDLE = "idle";
    static final String AUTH = "auth";
    /** Longest request line (method, target, version) the codec reads; longer is a 414. */
    static final int MAX_REQUEST_LINE_BYTES = 4096;
    /** Most bytes of request headers the codec reads; more is a 431. */
    static final int MAX_HEADER_BYTES = 16 * 1024;

    private final DoorContext door;
    private final ChannelGroup connections;
    private final ByteCounter bytes;
    private final Authenticator authenticator;
    private final ApiRequestDecoder decoder;
    private final Routes routes;
    private final AllowedOrigins origins;
    private final OriginCheck originCheck;

    HttpPipeline(DoorContext door, ChannelGroup connections) {
        this.door = door;
        this.connections = connections;
        this.bytes = new ByteCounter(door.metrics());
        this.authenticator = new Authenticator(door.gateway().credentials(), door.gateway().access(), door.metrics());
        this.decoder = new ApiRequestDecoder(door.settings());
        this.routes = new Routes(door);
        this.origins = AllowedOrigins.of(door.settings().cors().allowedOrigins());
        this.originCheck = new OriginCheck(origins, door.metrics());
    }

    @Override
    protected void initChannel(Channel ch) {
        connections.add(ch);
        RequestClock clock = new RequestClock(door.metrics(), door.settings());
        int high = door.settings().outboundBufferBytes();
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(high / 2, high));
        ch.pipeline()
                .addLast("bytes", bytes)
                .addLast("gate", new ConnectionGate(door.metrics(), door.settings().maxConnections()))
                .addLast("outbound", new OutboundGuard(door.metrics(), door.settings().slowClientTimeout()))
                .addLast(IDLE, new IdleStateHandler(door.settings().idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                .addLast(RequestClock.BYTES, clock.bytes())
                .addLast("codec", new HttpServerCodec(MAX_REQUEST_LINE_BYTES, MAX_HEADER_BYTES, 16 * 1024))
                .addLast(RequestClock.MESSAGES, clock.messages())
                .addLast("body", new BodyLimit(door.settings().maxBodyBytes()))
                .addLast("origin", originCheck)
                .addLast("cors", new CorsPolicy(door.settings().cors(), origins, door.metrics()))
                .addLast(AUTH, authenticator)
                .addLast("exchange", new HttpExchange(door, decoder, routes));
    }
}
