package io.wharf.relay.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.wharf.relay.http.HttpReply;
import io.wharf.relay.http.RequestTimeoutException;

/** What one attempt came to. */
sealed interface Outcome {
    /**
     * A 2xx: the effect happened (once, if the endpoint de-duplicates on the idempotency key).
     *
     * @param reply the response
     */
    record Delivered(HttpReply reply) implements Outcome {
    }

    /**
     * Worth another attempt with the same idempotency key.
     *
     * @param cause      why
     * @param status     the HTTP status, or 0 when there was no response
     * @param retryAfter the endpoint's {@code Retry-After}, or null
     * @param detail     one line for logs and the dead letter's reason
     */
    record Retry(RetryCause cause, int status, Duration retryAfter, String detail) implements Outcome {
    }

    /**
     * Will never succeed: the event goes to the dead-letter topic.
     *
     * @param status the HTTP status
     * @param detail one line for logs and the dead letter's reason
     */
    record Rejected(int status, String detail) implements Outcome {
    }

    /** Classifies a response. */
    static Outcome of(HttpReply reply) {
        int status = reply.status();
        if (reply.successful()) {
            return new Delivered(reply);
        }
        String detail = status + " " + snippet(reply.body());
        if (status == 429) {
            return new Retry(RetryCause.THROTTLED, status, retryAfter(reply), detail);
        }
        if (status == 409) {
            return new Retry(RetryCause.CONFLICT, status, retryAfter(reply), detail);
        }
        if (status == 408) {
            return new Retry(RetryCause.TIMEOUT, status, retryAfter(reply), detail);
        }
        if (status >= 500 && status < 600) {
            return new Retry(RetryCause.SERVER_ERROR, status, retryAfter(reply), detail);
        }
        return new Rejected(status, status >= 300 && status < 400 ? detail + " (redirects are not followed)" : detail);
    }

    /** Classifies a failure without a response. */
    static Outcome of(Throwable error) {
        Throwable cause = error;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        if (cause instanceof RequestTimeoutException) {
            return new Retry(RetryCause.TIMEOUT, 0, null, "timeout: " + message);
        }
        return new Retry(RetryCause.NETWORK, 0, null, "network: " + message);
    }

    /** {@code Retry-After} as delta-seconds or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(HttpReply reply) {
        String value = reply.headers().get(HttpHeaderNames.RETRY_AFTER);
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        if (v.chars().allMatch(Character::isDigit)) {
            try {
                return Duration.ofSeconds(Long.parseLong(v));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        try {
            Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String snippet(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        String s = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
        return s.replaceAll("[\\r\\n\\t]+", " ").strip();
    }
}
