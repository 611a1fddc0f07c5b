package io.wharf.http;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateHandler;
import io.wharf.core.access.Operation;
import io.wharf.core.access.StreamScope;
import io.wharf.core.hub.TopicHub;
import io.wharf.core.kafka.TopicInfo;

/** {@code GET /topics/{topic}} with {@code Accept: text/event-stream}: turns the connection into an {@link SseStream}. */
final class StreamRoute {
    /** Events polled from the hub per write. */
    static final int BATCH = 256;

    private final DoorContext door;

    StreamRoute(DoorContext door) {
        this.door = door;
    }

    void open(ChannelHandlerContext ctx, ApiRequest.Stream request, HttpExchange exchange) {
        TopicHub hub = door.hub();
        // refused before the topic is looked up: a denied principal learns nothing about the topic
        StreamScope scope = exchange.access().require(Operation.CONSUME, request.topic());
        whenTopicFits(door, ctx, request.topic(), request.query(), exchange, info -> {
            try {
                start(ctx, hub, request, exchange, scope);
            } catch (ApiError e) {
                exchange.reply(e.toResponse());
            }
        });
    }

    /**
     * Looks the topic up and checks the query's partitions against it, then runs {@code then} with
     * it on the connection's event loop while the connection is open; a failure becomes the exchange's reply.
     */
    static void whenTopicFits(DoorContext door, ChannelHandlerContext ctx, String topic, SubscriptionQuery query,
                              HttpExchange exchange, Consumer<TopicInfo> then) {
        door.kafka().topic(topic).whenComplete((info, error) -> ctx.executor().execute(() -> {
            if (error != null) {
                exchange.fail(error);
                return;
            }
            try {
                checkPartitions(info, query);
            } catch (RuntimeException e) {
                exchange.fail(e);
                return;
            }
            if (ctx.channel().isActive()) {
                then.accept(info);
            }
        }));
    }

    static void checkPartitions(TopicInfo info, SubscriptionQuery query) {
        for (int p : query.partitions()) {
            String problem = info.partitionProblem(p);
            if (problem != null) {
                throw ApiError.badRequest("bad_partition", problem);
            }
        }
    }

    private void start(ChannelHandlerContext ctx, TopicHub hub, ApiRequest.Stream request, HttpExchange exchange,
                       StreamScope scope) {
        HttpAccess access = exchange.access();
        access.openConnection();
        try {
            access.openSubscription();
        } catch (ApiError e) {
            access.quota().closeConnection();
            throw e;
        }
        ctx.channel().closeFuture().addListener(f -> {
            access.quota().closeSubscription();
            access.quota().closeConnection();
        });
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        response.headers().set("X-Accel-Buffering", "no");
        HttpUtil.setTransferEncodingChunked(response, true);
        exchange.handOff();
        ConnectionGate.become(ctx.channel(), ConnectionKind.SSE);
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.replace(HttpPipeline.IDLE, HttpPipeline.IDLE, new IdleStateHandler(0,
                door.settings().heartbeatInterval().toMillis(), 0, TimeUnit.MILLISECONDS));
        SseStream stream = new SseStream(door, request.query().encoding());
        pipeline.addLast("sse", stream);
        ctx.channel().write(response);
        ctx.channel().writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(
                ("retry: 2000\n: subscribed to " + request.topic() + "\n\n").getBytes(StandardCharsets.UTF_8))));
        try {
            stream.attach(HubFeed.open(hub, request.query().toRequest(request.topic(), 0).boundTo(scope.anyOf()),
                    ctx.channel(), BATCH, stream));
        } catch (RuntimeException e) {
            stream.ended(e);
            return;
        }
        access.endAtExpiry(ctx.channel(), stream::expired);
    }
}
