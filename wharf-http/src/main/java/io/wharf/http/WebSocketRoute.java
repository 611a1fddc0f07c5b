package io.wharf.http;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.timeout.IdleStateHandler;
import io.wharf.core.access.Operation;
import io.wharf.core.access.StreamScope;
import io.wharf.core.kafka.KafkaAccess;
import io.wharf.core.tls.TlsPeer;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;

/**
 * WebSocket upgrades: {@code /} for kafka-proxy's URL (topic, partition and offset are checked
 * before the upgrade, so a bad one gets a plain HTTP error), {@code /ws} for the native protocol.
 * After the handshake the connection's pipeline carries WebSocket frames: aggregation up to
 * {@code http.max-frame-bytes}, keep-alive, then the socket's own handler.
 */
final class WebSocketRoute {
    /** The native protocol's subprotocol name (optional for clients). */
    static final String SUBPROTOCOL = "wharf.v1";
    /** The close reason of a WebSocket whose credential expired. */
    static final String EXPIRED_REASON = "credential expired";

    private final DoorContext door;

    WebSocketRoute(DoorContext door) {
        this.door = door;
    }

    void kafkaProxy(ChannelHandlerContext ctx, FullHttpRequest http, ApiRequest.KafkaProxyUpgrade request,
                    HttpExchange exchange) {
        // a refused group or topic is refused before the upgrade, as a plain HTTP 403
        HttpAccess access = exchange.access();
        StreamScope scope = access.require(Operation.CONSUME, request.topic());
        access.requireGroup(Operation.JOIN, request.group());
        http.retain();
        KafkaAccess kafka = door.kafka();
        kafka.topic(request.topic()).thenCompose(info -> {
            String problem = info.partitionProblem(request.partition());
            if (problem != null) {
                throw ApiError.badRequest("bad_partition", problem);
            }
            return request.offset() == null ? CompletableFuture.completedFuture(null)
                    : checkOffset(kafka, new TopicPartition(request.topic(), request.partition()), request.offset());
        }).whenComplete((ok, error) -> ctx.executor().execute(() -> {
            try {
                if (error != null) {
                    exchange.fail(error);
                    return;
                }
                if (!ctx.channel().isActive()) {
                    return;
                }
                try {
                    access.openConnectionUntilClosed(ctx.channel());
                } catch (ApiError e) {
                    exchange.reply(e.toResponse());
                    return;
                }
                KafkaProxySocket socket = new KafkaProxySocket(door, request, access, scope);
                if (upgrade(ctx, http, exchange, null, ConnectionKind.KAFKA_PROXY, socket)) {
                    socket.start(ctx.channel());
                    access.endAtExpiry(ctx.channel(), () -> closeExpired(ctx.channel()));
                }
            } finally {
                http.release();
            }
        }));
    }

    private static CompletableFuture<Void> checkOffset(KafkaAccess kafka, TopicPartition tp, long offset) {
        var earliest = KafkaAccess.toCompletable(kafka.admin().listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp));
        var latest = KafkaAccess.toCompletable(kafka.admin().listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp));
        return earliest.thenCombine(latest, (e, l) -> {
            if (offset < e.offset() || offset > l.offset()) {
                throw ApiError.badRequest("offset_out_of_range", "offset " + offset + " is outside partition "
                        + tp.partition() + " of '" + tp.topic() + "', which holds offsets " + e.offset() + " to "
                        + l.offset() + " (the end is where new records go)");
            }
            return null;
        });
    }

    void nativeProtocol(ChannelHandlerContext ctx, FullHttpRequest http, HttpExchange exchange) {
        HttpAccess access = exchange.access();
        access.openConnectionUntilClosed(ctx.channel()); // a refusal is a plain HTTP 429, before the upgrade
        if (upgrade(ctx, http, exchange, SUBPROTOCOL, ConnectionKind.WEBSOCKET, new NativeSocket(door, access))) {
            access.endAtExpiry(ctx.channel(), () -> closeExpired(ctx.channel()));
        }
    }

    /** Ends a WebSocket whose principal's credential expired: close 1008 (policy violation), "credential expired". */
    static void closeExpired(Channel channel) {
        channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.POLICY_VIOLATION, EXPIRED_REASON))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private boolean upgrade(ChannelHandlerContext ctx, FullHttpRequest http, HttpExchange exchange, String subprotocols,
                            ConnectionKind kind, ChannelHandler socket) {
        String url = (TlsPeer.isTls(ctx.channel()) ? "wss://" : "ws://") + http.headers().get(HttpHeaderNames.HOST, "localhost") + http.uri();
        WebSocketDecoderConfig config = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(door.settings().maxFrameBytes())
                .allowExtensions(false)
                .closeOnProtocolViolation(false) // WebSocketKeepAlive closes with the status, after a grace
                .build();
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(url, subprotocols, config)
                .newHandshaker(http);
        if (handshaker == null) {
            exchange.handOff();
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return false;
        }
        exchange.handOff();
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.remove(HttpPipeline.AUTH);
        long idle = door.settings().websocketIdleTimeout().toMillis();
        pipeline.replace(HttpPipeline.IDLE, HttpPipeline.IDLE, new IdleStateHandler(idle / 2, 0, 0, TimeUnit.MILLISECONDS));
        try {
            handshaker.handshake(ctx.channel(), http);
        } catch (WebSocketServerHandshakeException e) {
            // refused before the pipeline changed: the HTTP codec is still there to say why
            FullHttpResponse refusal = HttpReplies.close(HttpReplies.error(HttpResponseStatus.BAD_REQUEST, "bad_request",
                    "not a valid WebSocket upgrade: " + e.getMessage()));
            ctx.channel().writeAndFlush(refusal).addListener(ChannelFutureListener.CLOSE);
            return false;
        }
        // added right away so no frame sent just after the handshake can pass them by
        pipeline.addLast("ws-aggregate", new WebSocketFrameAggregator(door.settings().maxFrameBytes()));
        pipeline.addLast("ws-keepalive", new WebSocketKeepAlive(door.metrics()));
        pipeline.addLast("ws-socket", socket);
        ConnectionGate.become(ctx.channel(), kind);
        return true;
    }

    /** Consumer settings for readers started by WebSocket connections. */
    static Map<String, Object> consumerOverrides() {
        return Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    }
}
