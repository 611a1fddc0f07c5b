package io.wharf.http;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/** Builds and writes HTTP replies: JSON bodies, JSON errors with a stable code, keep-alive handling. */
final class HttpReplies {
    /** The one JSON mapper of the door (thread-safe once configured). */
    static final ObjectMapper JSON = new ObjectMapper();
    /** Reads exactly one JSON document: anything after it is an error, never silently dropped. */
    static final ObjectReader STRICT_JSON = JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private HttpReplies() {
    }

    static FullHttpResponse json(HttpResponseStatus status, ObjectNode body) {
        return bytes(status, body.toString().getBytes(StandardCharsets.UTF_8), HttpHeaderValues.APPLICATION_JSON.toString());
    }

    static FullHttpResponse bytes(HttpResponseStatus status, byte[] body, String contentType) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpUtil.setContentLength(response, body.length);
        return response;
    }

    /** {@code {"error": code, "message": message}} with the status. */
    static FullHttpResponse error(HttpResponseStatus status, String code, String message) {
        return json(status, errorBody(code, message));
    }

    static ObjectNode errorBody(String code, String message) {
        return JSON.createObjectNode().put("error", code).put("message", message);
    }

    /**
     * A whole JSON response with {@code Connection: close}, as bytes, for handlers below the HTTP
     * codec that answer whatever state the codec is in.
     */
    static byte[] encoded(HttpResponseStatus status, ObjectNode body) {
        byte[] json = body.toString().getBytes(StandardCharsets.UTF_8);
        byte[] head = ("HTTP/1.1 " + status.code() + " " + status.reasonPhrase() + "\r\nContent-Type: application/json"
                + "\r\nContent-Length: " + json.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + json.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(json, 0, out, head.length, json.length);
        return out;
    }

    /** Marks the response as the connection's last. */
    static FullHttpResponse close(FullHttpResponse response) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }

    /** Writes a response, closing the connection afterwards unless the request asked for keep-alive. */
    static ChannelFuture respond(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (keepAlive && !HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(response.headers().get(HttpHeaderNames.CONNECTION, ""))) {
            HttpUtil.setKeepAlive(response, true);
            return ctx.writeAndFlush(response);
        }
        close(response);
        // a refused request may still be arriving: closing at once could reset the reply away
        return ctx.writeAndFlush(response).addListener(response.status().code() >= 400
                ? LingeringClose.AFTER_REPLY : ChannelFutureListener.CLOSE);
    }
}
