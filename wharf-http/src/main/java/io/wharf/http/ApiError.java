package io.wharf.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request that cannot be served, with the HTTP status, a stable machine-readable code and a
 * sentence for humans. Thrown while decoding a request, or built from a Kafka failure.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient HttpResponseStatus status;
    private final String code;
    private final String allow;
    private final String field;
    private final long retryAfterSeconds;

    ApiError(HttpResponseStatus status, String code, String message) {
        this(status, code, message, null, null, 0);
    }

    private ApiError(HttpResponseStatus status, String code, String message, String allow, String field,
                     long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.allow = allow;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 403 {@code forbidden}: the access rules refuse the operation (the message names it and the resource). */
    static ApiError forbidden(String message) {
        return new ApiError(HttpResponseStatus.FORBIDDEN, "forbidden", message);
    }

    /** 429 {@code rate_limited} with {@code Retry-After}: a per-principal limit refuses the request for now. */
    static ApiError rateLimited(String message, long retryAfterSeconds) {
        return new ApiError(HttpResponseStatus.TOO_MANY_REQUESTS, "rate_limited", message, null, null,
                Math.max(1, retryAfterSeconds));
    }

    /** 405 naming the methods the path does allow. */
    static ApiError methodNotAllowed(String method, String path, String allow) {
        return new ApiError(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                method + " is not allowed on " + path + "; use " + allow, allow, null, 0);
    }

    static ApiError notFound(String code, String message) {
        return new ApiError(HttpResponseStatus.NOT_FOUND, code, message);
    }

    static ApiError badRequest(String code, String message) {
        return new ApiError(HttpResponseStatus.BAD_REQUEST, code, message);
    }

    /** 400 about one field of a JSON body or message: the reply names it in {@code field}. */
    static ApiError badField(String code, String field, String message) {
        return new ApiError(HttpResponseStatus.BAD_REQUEST, code, message, null, field, 0);
    }

    HttpResponseStatus status() {
        return status;
    }

    String code() {
        return code;
    }

    /** The field the error is about ({@code records[0].value}), or null. */
    String field() {
        return field;
    }

    /** {@code {"error", "message"}} and {@code "field"} when there is one. */
    ObjectNode toJson() {
        ObjectNode body = HttpReplies.errorBody(code, getMessage());
        if (field != null) {
            body.put("field", field);
        }
        return body;
    }

    FullHttpResponse toResponse() {
        FullHttpResponse response = HttpReplies.json(status, toJson());
        if (allow != null) {
            response.headers().set(io.netty.handler.codec.http.HttpHeaderNames.ALLOW, allow);
        }
        if (retryAfterSeconds > 0) {
            response.headers().set(io.netty.handler.codec.http.HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        }
        return response;
    }
}
