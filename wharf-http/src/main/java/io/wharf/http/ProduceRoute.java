package io.wharf.http;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.wharf.core.access.Operation;
import io.wharf.core.access.StreamScope;
import io.wharf.core.kafka.OversizedRecordException;
import io.wharf.core.kafka.Sending;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * {@code POST /topics/{topic}}: sends the records as one run through core's write path and answers
 * once Kafka acknowledged every one (acks=all), with the partition and offset of each, or the error
 * of the first that failed (the reply still lists which records were written).
 */
final class ProduceRoute {
    // a large batch's reply is built off the Netty and Kafka threads: it may list hundreds of thousands of records
    private static final Executor REPLIES = ForkJoinPool.commonPool();
    private static final int INLINE_REPLY_RECORDS = 1_000;

    private final DoorContext door;

    ProduceRoute(DoorContext door) {
        this.door = door;
    }

    void produce(ChannelHandlerContext ctx, ApiRequest.Produce request, HttpExchange exchange) {
        HttpAccess access = exchange.access();
        StreamScope scope = access.require(Operation.PRODUCE, request.topic());
        HttpAccess.requireInScope(scope, request.topic(), request.records(), request.batch());
        // before the idempotency cache, so a replay is refused as the first request would be
        access.takeProduce(request.records());
        CompletableFuture<IdempotencyCache.Reply> mine = new CompletableFuture<>();
        if (request.idempotencyKey() != null) {
            CompletableFuture<IdempotencyCache.Reply> earlier = door.idempotency().claim(request.topic(),
                    request.idempotencyKey(), mine);
            if (earlier != null) {
                earlier.whenComplete((reply, error) -> {
                    if (error != null) {
                        exchange.fail(error);
                    } else {
                        FullHttpResponse response = HttpReplies.bytes(HttpResponseStatus.valueOf(reply.status()),
                                reply.body(), HttpHeaderValues.APPLICATION_JSON.toString());
                        response.headers().set("Idempotent-Replayed", "true");
                        exchange.reply(response);
                    }
                });
                return;
            }
        }
        // core looks the topic up and checks every record before any is sent; the writer thread sends them
        door.kafka().send(request.records()).answered().thenCompose(done -> done.size() <= INLINE_REPLY_RECORDS
                        ? CompletableFuture.completedFuture(reply(request, done))
                        : CompletableFuture.supplyAsync(() -> reply(request, done), REPLIES))
                .whenComplete((response, error) -> {
                    if (error != null) {
                        response = KafkaErrors.toApiError(error).toResponse();
                    }
                    mine.complete(IdempotencyCache.of(response));
                    exchange.reply(response);
                });
    }

    /** The whole request was refused before anything was sent. */
    static ApiError refusalError(boolean batch, Throwable refusal) {
        if (refusal instanceof OversizedRecordException e) {
            return new ApiError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "record_too_large",
                    (batch ? "record " + e.index() : "the record") + " is about " + e.size()
                            + " bytes; Kafka accepts at most " + e.limit() + " (" + e.limitSetting() + ")");
        }
        return KafkaErrors.toApiError(refusal);
    }

    private FullHttpResponse reply(ApiRequest.Produce request, Sending done) {
        if (done.refusal() != null) {
            return refusalError(request.batch(), done.refusal()).toResponse();
        }
        List<Object> results = new ArrayList<>(done.size());
        ApiError firstError = null;
        int written = 0;
        for (int i = 0; i < done.size(); i++) {
            if (done.error(i) != null) {
                ApiError e = KafkaErrors.toApiError(done.error(i));
                firstError = firstError == null ? e : firstError;
                results.add(e);
            } else {
                results.add(done.metadata(i));
                written++;
            }
        }
        door.metrics().recordsIn(ConnectionKind.HTTP, written);
        if (!request.batch()) {
            if (firstError != null) {
                return firstError.toResponse();
            }
            RecordMetadata m = (RecordMetadata) results.get(0);
            return HttpReplies.json(HttpResponseStatus.OK, metadata(HttpReplies.JSON.createObjectNode()
                    .put("topic", request.topic()), m));
        }
        ObjectNode body = HttpReplies.JSON.createObjectNode().put("topic", request.topic());
        ArrayNode list = body.putArray("records");
        for (Object r : results) {
            if (r instanceof ApiError e) {
                list.addObject().put("error", e.code()).put("message", e.getMessage());
            } else {
                metadata(list.addObject(), (RecordMetadata) r);
            }
        }
        if (firstError != null) {
            body.put("error", firstError.code()).put("message", written + " of " + results.size()
                    + " records were written; the others failed: " + firstError.getMessage());
        }
        return HttpReplies.json(firstError == null ? HttpResponseStatus.OK : firstError.status(), body);
    }

    private static ObjectNode metadata(ObjectNode node, RecordMetadata m) {
        return node.put("partition", m.partition()).put("offset", m.offset()).put("timestamp", m.timestamp());
    }
}
