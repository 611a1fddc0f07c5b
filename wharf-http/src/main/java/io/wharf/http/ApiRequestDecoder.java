package io.wharf.http;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.wharf.core.config.DurationText;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Turns a complete HTTP request into an {@link ApiRequest}, or throws an {@link ApiError} saying
 * precisely what is wrong with it. Pure: no I/O, no Kafka.
 */
final class ApiRequestDecoder {
    /** Most records one long poll may ask for. */
    static final int MAX_POLL_RECORDS = 10_000;

    private final HttpSettings settings;

    ApiRequestDecoder(HttpSettings settings) {
        this.settings = settings;
    }

    ApiRequest decode(FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            throw malformed(request.decoderResult().cause());
        }
        RequestTarget target = RequestTarget.parse(request.uri());
        String path = target.path();
        HttpMethod method = request.method();
        boolean upgrade = request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
        if (upgrade) {
            if (!method.equals(HttpMethod.GET)) {
                throw ApiError.methodNotAllowed(method.name(), path, "GET");
            }
            return switch (path) {
                case "/" -> kafkaProxy(target.text());
                case "/ws" -> new ApiRequest.NativeUpgrade();
                default -> throw ApiError.notFound("not_found", "no WebSocket endpoint at " + path + "; use / or /ws");
            };
        }
        switch (path) {
            case "/healthz" -> {
                get(method, path);
                return new ApiRequest.Health();
            }
            case "/readyz" -> {
                get(method, path);
                return new ApiRequest.Ready();
            }
            case "/metrics" -> {
                get(method, path);
                return new ApiRequest.Metrics();
            }
            case "/topics", "/topics/" -> {
                get(method, path);
                return new ApiRequest.ListTopics();
            }
            case "/", "/ws" -> throw ApiError.badRequest("websocket_required",
                    path + " is a WebSocket endpoint: send a WebSocket upgrade request");
            default -> {
                // fall through to /topics/...
            }
        }
        if (!path.startsWith("/topics/")) {
            throw ApiError.notFound("not_found", "no route for " + path);
        }
        String rest = path.substring("/topics/".length());
        if (rest.endsWith("/metadata")) {
            String topic = ProduceJson.topic(rest.substring(0, rest.length() - "/metadata".length()));
            get(method, path);
            return new ApiRequest.DescribeTopic(topic);
        }
        if (rest.contains("/")) {
            throw ApiError.notFound("not_found", "no route for " + path);
        }
        String topic = ProduceJson.topic(rest);
        if (method.equals(HttpMethod.POST)) {
            return produce(topic, request, target);
        }
        if (method.equals(HttpMethod.PUT)) {
            return createTopic(topic, request);
        }
        if (method.equals(HttpMethod.GET)) {
            Map<String, List<String>> params = target.text();
            String lastEventId = RequestTarget.headerText(request.headers().get("Last-Event-ID"), "Last-Event-ID");
            SubscriptionQuery query = SubscriptionQuery.parse(params, lastEventId);
            String accept = request.headers().get(HttpHeaderNames.ACCEPT, "");
            if (accept.contains("text/event-stream")) {
                return new ApiRequest.Stream(topic, query);
            }
            return new ApiRequest.LongPoll(topic, query, max(params), waitTime(params));
        }
        throw ApiError.methodNotAllowed(method.name(), path, "GET, POST, PUT");
    }

    private static void get(HttpMethod method, String path) {
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            throw ApiError.methodNotAllowed(method.name(), path, "GET, HEAD");
        }
    }

    private static ApiRequest kafkaProxy(Map<String, List<String>> params) {
        String topic = SubscriptionQuery.first(params, "topic");
        if (topic == null || topic.isEmpty()) {
            throw ApiError.badRequest("missing_topic", "the topic query parameter is required, e.g. /?topic=orders");
        }
        ProduceJson.topic(topic);
        String group = SubscriptionQuery.first(params, "consumerGroup");
        group = group == null || group.isEmpty() ? "default" : group;
        String offset = SubscriptionQuery.first(params, "offset");
        Long start = offset == null || offset.isEmpty() ? null : SubscriptionQuery.offset(offset);
        String partition = SubscriptionQuery.first(params, "partition");
        int p = partition == null || partition.isEmpty() ? 0 : SubscriptionQuery.partition(partition);
        return new ApiRequest.KafkaProxyUpgrade(topic, group, start, p);
    }

    /** A request the HTTP codec could not read: what was too long, or what was malformed. */
    static ApiError malformed(Throwable cause) {
        if (cause instanceof TooLongHttpHeaderException) {
            return new ApiError(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large",
                    "the request headers are larger than " + HttpPipeline.MAX_HEADER_BYTES + " bytes");
        }
        if (cause instanceof TooLongHttpLineException) {
            return new ApiError(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request_line_too_long",
                    "the request line is longer than " + HttpPipeline.MAX_REQUEST_LINE_BYTES + " bytes");
        }
        return ApiError.badRequest("bad_request", "malformed HTTP request: "
                + (cause == null ? "unreadable" : cause.getClass().getSimpleName() + ": " + cause.getMessage()));
    }

    private ApiRequest produce(String topic, FullHttpRequest request, RequestTarget target) {
        Map<String, List<String>> params = target.text(name -> name.equals("key") || name.startsWith("header."));
        String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        String idempotencyKey = RequestTarget.headerText(request.headers().get("Idempotency-Key"), "Idempotency-Key");
        ByteBuf body = request.content();
        if (contentType.toLowerCase().contains("json")) {
            JsonNode tree = parseJson(body);
            if (tree.isArray()) {
                if (tree.isEmpty()) {
                    throw ApiError.badRequest("empty_batch", "the batch is an empty JSON array");
                }
                List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(tree.size());
                for (int i = 0; i < tree.size(); i++) {
                    records.add(ProduceJson.record(topic, tree.get(i), "records[" + i + "]", "records[" + i + "].",
                            ProduceJson.RECORD_FIELDS));
                }
                return new ApiRequest.Produce(topic, records, true, idempotencyKey);
            }
        }
        byte[] value = ByteBufUtil.getBytes(body);
        // the key is bytes: kept exactly as percent-decoded, or as the header's bytes
        byte[] key = target.bytes("key");
        if (key == null) {
            String header = request.headers().get("Wharf-Key");
            key = header == null ? null : RequestTarget.headerBytes(header, "Wharf-Key");
        }
        String partition = SubscriptionQuery.first(params, "partition");
        Integer p = partition == null ? null : SubscriptionQuery.partition(partition);
        List<Header> headers = new ArrayList<>();
        target.params().forEach((name, values) -> {
            if (name.startsWith("header.") && name.length() > "header.".length()) {
                for (byte[] v : values) {
                    headers.add(new RecordHeader(name.substring("header.".length()), v));
                }
            }
        });
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, p, null, key, value, headers);
        return new ApiRequest.Produce(topic, List.of(record), false, idempotencyKey);
    }

    private static ApiRequest createTopic(String topic, FullHttpRequest request) {
        if (request.content().readableBytes() == 0) {
            return new ApiRequest.CreateTopic(topic, null, null, Map.of());
        }
        JsonNode tree = parseJson(request.content());
        if (!tree.isObject()) {
            throw ApiError.badRequest("bad_request", "the body must be a JSON object like "
                    + "{\"partitions\":3,\"configs\":{\"cleanup.policy\":\"compact\"}}");
        }
        Integer partitions = null;
        Short replicas = null;
        Map<String, String> configs = new java.util.LinkedHashMap<>();
        for (var field : (Iterable<Map.Entry<String, JsonNode>>) tree::fields) {
            JsonNode v = field.getValue();
            switch (field.getKey()) {
                case "partitions" -> {
                    if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
                        throw ApiError.badRequest("bad_partition", "partitions must be a whole number of at least 1, not " + v);
                    }
                    partitions = v.asInt();
                }
                case "replicationFactor" -> {
                    if (!v.isIntegralNumber() || v.asInt() < 1 || v.asInt() > Short.MAX_VALUE) {
                        throw ApiError.badRequest("bad_request", "replicationFactor must be a whole number of at least 1, not " + v);
                    }
                    replicas = (short) v.asInt();
                }
                case "configs" -> {
                    if (!v.isObject()) {
                        throw ApiError.badRequest("bad_request", "configs must be an object of topic configs");
                    }
                    v.fields().forEachRemaining(c -> configs.put(c.getKey(), c.getValue().isTextual()
                            ? c.getValue().asText() : c.getValue().toString()));
                }
                default -> throw ApiError.badRequest("bad_request", "unknown field '" + field.getKey()
                        + "' (use partitions, replicationFactor, configs)");
            }
        }
        return new ApiRequest.CreateTopic(topic, partitions, replicas, configs);
    }

    private static JsonNode parseJson(ByteBuf body) {
        try {
            JsonNode tree = HttpReplies.STRICT_JSON.readTree((java.io.InputStream) new ByteBufInputStream(body.duplicate()));
            if (tree == null || tree.isMissingNode()) {
                throw ApiError.badRequest("bad_json", "the body is empty but Content-Type says JSON");
            }
            return tree;
        } catch (MismatchedInputException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("Trailing token")) {
                throw ApiError.badRequest("bad_json", "the body holds more than one JSON document: send one "
                        + "(a batch is one array)");
            }
            throw ApiError.badRequest("bad_json", "the body is not valid JSON: " + firstLine(e.getMessage()));
        } catch (IOException e) {
            throw ApiError.badRequest("bad_json", "the body is not valid JSON: " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static int max(Map<String, List<String>> params) {
        String v = SubscriptionQuery.first(params, "max");
        if (v == null) {
            return 100;
        }
        try {
            int max = Integer.parseInt(v);
            if (max >= 1 && max <= MAX_POLL_RECORDS) {
                return max;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw ApiError.badRequest("bad_max", "max must be 1-" + MAX_POLL_RECORDS + ", not '" + v + "'");
    }

    private Duration waitTime(Map<String, List<String>> params) {
        String v = SubscriptionQuery.first(params, "wait");
        if (v == null) {
            return Duration.ofSeconds(10).compareTo(settings.longPollMaxWait()) < 0 ? Duration.ofSeconds(10)
                    : settings.longPollMaxWait();
        }
        Duration wait;
        try {
            wait = v.chars().allMatch(Character::isDigit) ? Duration.ofMillis(Long.parseLong(v)) : DurationText.parse(v);
        } catch (RuntimeException e) {
            throw ApiError.badRequest("bad_wait", "wait must be a duration like 500ms or 10s (a bare number is "
                    + "milliseconds), not '" + v + "'");
        }
        if (wait.isNegative() || wait.compareTo(settings.longPollMaxWait()) > 0) {
            throw ApiError.badRequest("bad_wait", "wait must be between 0 and " + settings.longPollMaxWait().toMillis()
                    + "ms (http.long-poll-max-wait)");
        }
        return wait;
    }
}
