package io.wharf.http;

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

    ApiError(HttpResponseStatus status, String code, String message) {
        this(status, code, message, null);
    }

    private ApiError(HttpResponseStatus status, String code, String message, String allow) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.allow = allow;
    }

    /** 405 naming the methods the path does allow. */
    static ApiError methodNotAllowed(String method, String path, String allow) {
        return new ApiError(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                method + " is not allowed on " + path + "; use " + allow, allow);
    }

    static ApiError notFound(String code, String message) {
        return new ApiError(HttpResponseStatus.NOT_FOUND, code, message);
    }

    static ApiError badRequest(String code, String message) {
        return new ApiError(HttpResponseStatus.BAD_REQUEST, code, message);
    }

    HttpResponseStatus status() {
        return status;
    }

    String code() {
        return code;
    }

    FullHttpResponse toResponse() {
        FullHttpResponse response = HttpReplies.error(status, code, getMessage());
        if (allow != null) {
            response.headers().set(io.netty.handler.codec.http.HttpHeaderNames.ALLOW, allow);
        }
        return response;
    }
}
