package io.wharf.relay.webhook;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.wharf.core.kafka.RecordSize;
import io.wharf.relay.config.WebhookRouteSettings;
import io.wharf.relay.http.HttpReply;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds the route's Kafka outputs: a response record per delivered event (when a response topic
 * is configured) and a dead letter per event that cannot be delivered. Both are sized to fit the
 * producer's limit, so a transaction never fails on one oversized record.
 */
final class RouteOutputs {
    // the truncation marker added after the body is cut
    private static final int TRUNCATED_BYTES = RecordSize.of(null, null, new RecordHeaders().add(RelayHeaders.TRUNCATED,
            text("true"))) - RecordSize.of(null, null, null);

    private final WebhookRouteSettings route;
    private final int maxRecordBytes;

    RouteOutputs(WebhookRouteSettings route, int maxRecordBytes) {
        this.route = route;
        // the producer's own check may count a few bytes more than core's estimate, and one refused
        // record would abort the route's transaction: keep that slack
        this.maxRecordBytes = maxRecordBytes - RecordSize.PRODUCER_CHECK_SLACK;
    }

    /** The response record of a delivered event, or null when the route keeps no responses. */
    ProducerRecord<byte[], byte[]> response(WebhookEvent event, HttpReply reply) {
        if (route.responseTopic() == null) {
            return null;
        }
        Headers headers = source(event);
        headers.add(RelayHeaders.STATUS, text(Integer.toString(reply.status())));
        String contentType = reply.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (contentType != null) {
            headers.add(RelayHeaders.CONTENT_TYPE, text(contentType));
        }
        byte[] body = reply.body();
        boolean truncated = reply.truncated();
        int room = maxRecordBytes - RecordSize.of(event.key, null, headers) - TRUNCATED_BYTES;
        if (body.length > room) {
            body = Arrays.copyOf(body, Math.max(0, room));
            truncated = true;
        }
        if (truncated) {
            headers.add(RelayHeaders.TRUNCATED, text("true"));
        }
        return new ProducerRecord<>(route.responseTopic(), null, null, event.key, body, headers);
    }

    /**
     * The dead letter of an event: its key, value and headers as consumed, plus where it came from,
     * how many attempts it had, the last status (0 when there was no response) and why it stopped.
     * Call before {@link WebhookEvent#finish}, which lets go of the value.
     */
    ProducerRecord<byte[], byte[]> deadLetter(WebhookEvent event, int lastStatus, String reason) {
        Headers headers = new RecordHeaders();
        if (event.headers != null) {
            for (Header h : event.headers) {
                headers.add(h.key(), h.value());
            }
        }
        addDeadLetterHeaders(headers, event, lastStatus, reason);
        byte[] value = event.value;
        if (RecordSize.of(event.key, value, headers) > maxRecordBytes) {
            // the original headers go first; the value only when the record cannot fit at all
            headers = new RecordHeaders();
            addDeadLetterHeaders(headers, event, lastStatus, reason);
            if (RecordSize.of(event.key, value, headers) > maxRecordBytes) {
                headers.add(RelayHeaders.VALUE_OMITTED, text(size(value) + " bytes; read it from the source offset"));
                value = null;
            }
        }
        return new ProducerRecord<>(route.deadLetterTopic(), null, event.timestamp, event.key, value, headers);
    }

    private void addDeadLetterHeaders(Headers headers, WebhookEvent event, int lastStatus, String reason) {
        for (Header h : source(event)) {
            headers.add(h);
        }
        headers.add(RelayHeaders.LAST_STATUS, text(Integer.toString(lastStatus)));
        String r = reason.length() > 500 ? reason.substring(0, 500) : reason;
        headers.add(RelayHeaders.REASON, text(r));
    }

    private static Headers source(WebhookEvent event) {
        Headers headers = new RecordHeaders();
        headers.add(RelayHeaders.SOURCE_TOPIC, text(event.partition.tp.topic()));
        headers.add(RelayHeaders.SOURCE_PARTITION, text(Integer.toString(event.partition.tp.partition())));
        headers.add(RelayHeaders.SOURCE_OFFSET, text(Long.toString(event.offset)));
        headers.add(RelayHeaders.OUT_IDEMPOTENCY_KEY, text(event.idempotencyKey));
        headers.add(RelayHeaders.ATTEMPTS, text(Integer.toString(event.attempts)));
        return headers;
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int size(byte[] b) {
        return b == null ? 0 : b.length;
    }
}
