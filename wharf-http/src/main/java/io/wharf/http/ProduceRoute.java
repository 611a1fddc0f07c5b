package io.wharf.http;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * {@code POST /topics/{topic}}: sends the records through the gateway's shared producer and answers
 * once Kafka acknowledged every one (acks=all), with the partition and offset of each, or the error
 * of the first that failed (the reply still lists which records were written).
 */
final class ProduceRoute {
    private final DoorContext door;

    ProduceRoute(DoorContext door) {
        this.door = door;
    }

    void produce(ChannelHandlerContext ctx, ApiRequest.Produce request, HttpExchange exchange) {
        int limit = door.kafka().maxRecordBytes();
        for (int i = 0; i < request.records().size(); i++) {
            int size = ProduceJson.size(request.records().get(i));
            if (size > limit) {
                throw new ApiError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "record_too_large",
                        (request.batch() ? "record " + i : "the record") + " is about " + size
                                + " bytes; Kafka accepts at most " + limit + " (max.request.size)");
            }
        }
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
        // the topic check first, so an unknown topic fails the whole request before anything is sent
        door.kafka().topic(request.topic()).thenCompose(info -> sendAll(request.records()))
                .whenComplete((results, error) -> {
                    FullHttpResponse response = error != null ? KafkaErrors.toApiError(error).toResponse()
                            : reply(request, results);
                    mine.complete(IdempotencyCache.of(response));
                    exchange.reply(response);
                });
    }

    private CompletableFuture<List<Object>> sendAll(List<ProducerRecord<byte[], byte[]>> records) {
        List<CompletableFuture<Object>> sends = new ArrayList<>(records.size());
        for (ProducerRecord<byte[], byte[]> record : records) {
            sends.add(door.kafka().send(record).<Object>thenApply(m -> m).exceptionally(e -> KafkaErrors.toApiError(e)));
        }
        return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<Object> out = new ArrayList<>(sends.size());
            sends.forEach(s -> out.add(s.join()));
            return out;
        });
    }

    private FullHttpResponse reply(ApiRequest.Produce request, List<Object> results) {
        ApiError firstError = null;
        int written = 0;
        for (Object r : results) {
            if (r instanceof ApiError e) {
                firstError = firstError == null ? e : firstError;
            } else {
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
