package io.wharf.relay.http;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * One request and its response on one connection. Every method runs on the connection's event
 * loop, so its fields need no lock.
 */
final class Exchange {
    final HttpCall call;
    final Origin origin;
    final CompletableFuture<HttpReply> result;
    private final RelayHttpClient client;
    private Channel channel;
    private ScheduledFuture<?> timeout;
    private HttpResponse head;
    private byte[] body = new byte[0];
    private int length;
    private boolean truncated;
    private boolean done;

    Exchange(HttpCall call, Origin origin, CompletableFuture<HttpReply> result, RelayHttpClient client) {
        this.call = call;
        this.origin = origin;
        this.result = result;
        this.client = client;
    }

    void begin(Channel ch) {
        this.channel = ch;
        String path = call.url().getRawPath() == null || call.url().getRawPath().isEmpty() ? "/" : call.url().getRawPath();
        if (call.url().getRawQuery() != null) {
            path = path + "?" + call.url().getRawQuery();
        }
        // the call's headers become the request's: they are checked where they are made (config
        // validation, printable checks), so the codec need not check them again
        HttpHeaders h = call.headers();
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(call.method()),
                path, RelayHttpClient.body(call.body()), h, EmptyHttpHeaders.INSTANCE);
        h.set(HttpHeaderNames.HOST, origin.hostHeader());
        if (!h.contains(HttpHeaderNames.USER_AGENT)) {
            h.set(HttpHeaderNames.USER_AGENT, "wharf-relay");
        }
        if (call.body() != null) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(call.body().length));
        }
        timeout = ch.eventLoop().schedule(() -> fail(new RequestTimeoutException(call.timeoutMillis())),
                call.timeoutMillis(), TimeUnit.MILLISECONDS);
        ch.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess()) {
                fail(asIo(f.cause(), "cannot send the request"));
            }
        });
    }

    void onHead(HttpResponse response) {
        head = response;
    }

    void onContent(ByteBuf content) {
        int readable = content.readableBytes();
        int room = call.maxResponseBytes() - length;
        int take = Math.max(0, Math.min(room, readable));
        if (take < readable) {
            truncated = true;
        }
        if (take > 0) {
            if (length + take > body.length) {
                body = Arrays.copyOf(body, Math.min(call.maxResponseBytes(), Math.max(length + take, body.length * 2)));
            }
            content.getBytes(content.readerIndex(), body, length, take);
            length += take;
        }
    }

    boolean hasHead() {
        return head != null;
    }

    void finish() {
        if (done) {
            return;
        }
        done = true;
        timeout.cancel(false);
        RelayHttpClient.clear(channel);
        HttpReply reply = new HttpReply(head.status().code(), head.headers(),
                length == body.length ? body : Arrays.copyOf(body, length), truncated);
        if (HttpUtil.isKeepAlive(head)) {
            client.release(origin, channel);
        } else {
            channel.close();
        }
        result.complete(reply);
    }

    void fail(IOException error) {
        if (done) {
            return;
        }
        done = true;
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (channel != null) {
            RelayHttpClient.clear(channel);
            // whatever arrives on this connection now belongs to no one
            channel.close();
        }
        result.completeExceptionally(error);
    }

    static IOException asIo(Throwable cause, String what) {
        return cause instanceof IOException io ? io : new IOException(what + ": " + cause, cause);
    }
}
