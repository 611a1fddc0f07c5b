package io.wharf.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.wharf.core.access.Operation;
import io.wharf.core.logging.LogValue;
import io.wharf.core.kafka.KafkaAccess;
import io.wharf.core.kafka.TopicInfo;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /topics} (names), {@code PUT /topics/{topic}} (create) and
 * {@code GET /topics/{topic}/metadata} (partitions, offsets, cleanup policy).
 */
final class TopicRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(TopicRoutes.class);
    private static final Duration TOPIC_WRITABLE_WAIT = Duration.ofSeconds(30);

    private final DoorContext door;

    TopicRoutes(DoorContext door) {
        this.door = door;
    }

    void list(HttpExchange exchange) {
        HttpAccess access = exchange.access();
        door.kafka().topicNames().whenComplete((names, error) -> {
            if (error != null) {
                exchange.fail(error);
                return;
            }
            ObjectNode body = HttpReplies.JSON.createObjectNode();
            ArrayNode topics = body.putArray("topics");
            // only what the principal may describe: a listing must not reveal other tenants' topics
            new TreeSet<>(names).stream().filter(access::mayDescribe).forEach(topics::add);
            exchange.reply(HttpReplies.json(HttpResponseStatus.OK, body));
        });
    }

    void create(ApiRequest.CreateTopic request, HttpExchange exchange) {
        exchange.access().require(Operation.CREATE, request.topic());
        NewTopic topic = new NewTopic(request.topic(), Optional.ofNullable(request.partitions()),
                Optional.ofNullable(request.replicationFactor())).configs(request.configs());
        KafkaAccess kafka = door.kafka();
        kafka.createTopic(topic) // refuses names Kafka reserves (400 bad_topic)
                // 201 promises the topic takes writes, which Kafka's own "created" does not yet
                .thenCompose(ignored -> kafka.awaitWritable(request.topic(), TOPIC_WRITABLE_WAIT))
                .whenComplete((ignored, error) -> {
                    kafka.forgetTopic(request.topic());
                    if (error != null) {
                        exchange.fail(error);
                        return;
                    }
                    LOG.info("event=topic-created topic={} partitions={} configs={}", request.topic(),
                            request.partitions() == null ? "default" : request.partitions(), LogValue.of(request.configs().keySet()));
                    kafka.topic(request.topic()).whenComplete((info, e) -> {
                        ObjectNode body = HttpReplies.JSON.createObjectNode().put("topic", request.topic()).put("created", true);
                        if (info != null) {
                            body.put("partitions", info.partitions()).put("compacted", info.compacted());
                        }
                        exchange.reply(HttpReplies.json(HttpResponseStatus.CREATED, body));
                    });
                });
    }

    void describe(ApiRequest.DescribeTopic request, HttpExchange exchange) {
        exchange.access().require(Operation.DESCRIBE, request.topic());
        KafkaAccess kafka = door.kafka();
        kafka.topic(request.topic()).thenCompose(info -> offsets(kafka, info).thenApply(o -> body(info, o)))
                .whenComplete((body, error) -> {
                    if (error != null) {
                        exchange.fail(error);
                    } else {
                        exchange.reply(HttpReplies.json(HttpResponseStatus.OK, body));
                    }
                });
    }

    private static CompletableFuture<List<long[]>> offsets(KafkaAccess kafka, TopicInfo info) {
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < info.partitions(); p++) {
            earliest.put(new TopicPartition(info.name(), p), OffsetSpec.earliest());
            latest.put(new TopicPartition(info.name(), p), OffsetSpec.latest());
        }
        ListOffsetsResult first = kafka.admin().listOffsets(earliest);
        ListOffsetsResult last = kafka.admin().listOffsets(latest);
        return KafkaAccess.toCompletable(first.all()).thenCombine(KafkaAccess.toCompletable(last.all()), (e, l) -> {
            List<long[]> out = new ArrayList<>();
            for (int p = 0; p < info.partitions(); p++) {
                TopicPartition tp = new TopicPartition(info.name(), p);
                out.add(new long[] {e.get(tp).offset(), l.get(tp).offset()});
            }
            return out;
        });
    }

    private static ObjectNode body(TopicInfo info, List<long[]> offsets) {
        ObjectNode body = HttpReplies.JSON.createObjectNode();
        body.put("topic", info.name());
        body.put("partitions", info.partitions());
        body.put("compacted", info.compacted());
        body.put("cleanupPolicy", info.configs().getOrDefault("cleanup.policy", "delete"));
        ArrayNode parts = body.putArray("offsets");
        for (int p = 0; p < offsets.size(); p++) {
            parts.addObject().put("partition", p).put("earliest", offsets.get(p)[0]).put("latest", offsets.get(p)[1]);
        }
        ObjectNode configs = body.putObject("configs");
        new java.util.TreeMap<>(info.configs()).forEach(configs::put);
        return body;
    }
}
