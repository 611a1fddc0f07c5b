package io.wharf.relay.webhook;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.wharf.relay.config.WebhookRouteSettings;
import io.wharf.relay.http.HttpCall;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** Turns events into the route's HTTP calls, and records into idempotency keys. */
final class WebhookCalls {
    private static final int ERROR_BODY_BYTES = 1024;
    private static final DefaultHttpHeadersFactory UNCHECKED = DefaultHttpHeadersFactory.headersFactory()
            .withNameValidation(false).withValueValidation(false);

    private final WebhookRouteSettings route;
    private final boolean keepsResponses;
    private final boolean configuredContentType;

    WebhookCalls(WebhookRouteSettings route) {
        this.route = route;
        this.keepsResponses = route.responseTopic() != null;
        this.configuredContentType = route.headers().keySet().stream().anyMatch(h -> h.equalsIgnoreCase("content-type"));
    }

    /**
     * The idempotency key of a record: the configured header's value when it has one (as text when
     * printable, else base64), otherwise derived from group, topic, partition and offset, which
     * stays the same on every attempt and after any restart.
     */
    String idempotencyKey(ConsumerRecord<byte[], byte[]> record) {
        if (route.idempotencyKeyHeader() != null) {
            Header h = record.headers().lastHeader(route.idempotencyKeyHeader());
            if (h != null && h.value() != null && h.value().length > 0) {
                return RelayHeaders.printable(h.value()) ? new String(h.value(), StandardCharsets.US_ASCII)
                        : Base64.getEncoder().encodeToString(h.value());
            }
        }
        return "wharf:" + route.group() + ":" + record.topic() + ":" + record.partition() + ":" + record.offset();
    }

    /** Whether the configured idempotency-key header is missing from a record (the derived key is used then). */
    boolean lacksKeyHeader(ConsumerRecord<byte[], byte[]> record) {
        if (route.idempotencyKeyHeader() == null) {
            return false;
        }
        Header h = record.headers().lastHeader(route.idempotencyKeyHeader());
        return h == null || h.value() == null || h.value().length == 0;
    }

    /** The HTTP call for the event's next attempt. */
    HttpCall call(WebhookEvent event) {
        // every name and value here is checked already (config validation, printable checks, numbers)
        HttpHeaders h = UNCHECKED.newHeaders();
        for (Map.Entry<String, String> e : route.headers().entrySet()) {
            h.set(e.getKey(), e.getValue());
        }
        h.set(RelayHeaders.IDEMPOTENCY_KEY, event.idempotencyKey);
        h.set(RelayHeaders.TOPIC, event.partition.tp.topic());
        h.set(RelayHeaders.PARTITION, Integer.toString(event.partition.tp.partition()));
        h.set(RelayHeaders.OFFSET, Long.toString(event.offset));
        h.set(RelayHeaders.TIMESTAMP, Long.toString(event.timestamp));
        h.set(RelayHeaders.ATTEMPT, Integer.toString(event.attempts));
        if (event.key != null) {
            if (RelayHeaders.printable(event.key)) {
                h.set(RelayHeaders.KEY, new String(event.key, StandardCharsets.US_ASCII));
            } else {
                h.set(RelayHeaders.KEY_BASE64, Base64.getEncoder().encodeToString(event.key));
            }
        }
        if (event.value == null) {
            h.set(RelayHeaders.NULL_VALUE, "true");
        }
        String recordContentType = null;
        if (event.headers != null) {
            for (Header header : event.headers) {
                byte[] v = header.value() == null ? new byte[0] : header.value();
                String name = RelayHeaders.tokenName(header.key());
                if (RelayHeaders.printable(v)) {
                    String text = new String(v, StandardCharsets.US_ASCII);
                    h.add(RelayHeaders.HEADER_PREFIX + name, text);
                    if (header.key().equalsIgnoreCase("content-type")) {
                        recordContentType = text;
                    }
                } else {
                    h.add(RelayHeaders.HEADER64_PREFIX + name, Base64.getEncoder().encodeToString(v));
                }
            }
        }
        if (!configuredContentType) {
            h.set(HttpHeaderNames.CONTENT_TYPE, recordContentType != null ? recordContentType : "application/octet-stream");
        }
        return new HttpCall(route.url(), route.method(), h, event.value == null ? new byte[0] : event.value,
                route.connectTimeout().toMillis(), route.requestTimeout().toMillis(),
                keepsResponses ? route.maxResponseBytes() : ERROR_BODY_BYTES);
    }
}
