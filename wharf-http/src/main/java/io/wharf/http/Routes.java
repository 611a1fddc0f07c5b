package io.wharf.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;

/** Sends each decoded request to the route that serves it. */
final class Routes {
    private final HealthRoutes health;
    private final TopicRoutes topics;
    private final ProduceRoute produce;
    private final StreamRoute stream;
    private final LongPollRoute longPoll;
    private final WebSocketRoute webSocket;

    Routes(DoorContext door) {
        this.health = new HealthRoutes(door);
        this.topics = new TopicRoutes(door);
        this.produce = new ProduceRoute(door);
        this.stream = new StreamRoute(door);
        this.longPoll = new LongPollRoute(door);
        this.webSocket = new WebSocketRoute(door);
    }

    void dispatch(ChannelHandlerContext ctx, FullHttpRequest http, ApiRequest request, HttpExchange exchange) {
        if (request instanceof ApiRequest.Health) {
            health.health(exchange);
        } else if (request instanceof ApiRequest.Ready) {
            health.ready(exchange);
        } else if (request instanceof ApiRequest.Metrics) {
            health.metrics(exchange);
        } else if (request instanceof ApiRequest.ListTopics) {
            topics.list(exchange);
        } else if (request instanceof ApiRequest.DescribeTopic d) {
            topics.describe(d, exchange);
        } else if (request instanceof ApiRequest.CreateTopic c) {
            topics.create(c, exchange);
        } else if (request instanceof ApiRequest.Produce p) {
            produce.produce(ctx, p, exchange);
        } else if (request instanceof ApiRequest.Stream s) {
            stream.open(ctx, s, exchange);
        } else if (request instanceof ApiRequest.LongPoll l) {
            longPoll.poll(ctx, l, exchange);
        } else if (request instanceof ApiRequest.KafkaProxyUpgrade k) {
            webSocket.kafkaProxy(ctx, http, k, exchange);
        } else if (request instanceof ApiRequest.NativeUpgrade) {
            webSocket.nativeProtocol(ctx, http, exchange);
        } else {
            throw new IllegalStateException("no route for " + request);
        }
    }
}
