package io.wharf.http;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.wharf.core.hub.HubEvent;
import io.wharf.core.logging.LogValue;
import io.wharf.core.logging.WarningThrottle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Server-Sent Events stream of one hub subscription. Every event's {@code id:} is the resume
 * token after it, so a client reconnecting with {@code Last-Event-ID} (to any instance) continues
 * exactly after the last event it saw. Records are {@code event: record}, lost ranges
 * {@code event: gap}, the end of a compacted topic's snapshot {@code event: snapshot-end}; a comment
 * line keeps an idle stream alive. Events are polled only while the socket is writable.
 */
final class SseStream extends FeedChannel implements HubFeed.Sink {
    private static final Logger LOG = LoggerFactory.getLogger(SseStream.class);
    private static final WarningThrottle ENDED_WARNINGS = new WarningThrottle(java.time.Duration.ofSeconds(5));
    private static final byte[] HEARTBEAT = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

    private final DoorContext door;
    private final ValueEncoding encoding;
    private ChannelHandlerContext ctx;
    private HubFeed feed;

    SseStream(DoorContext door, ValueEncoding encoding) {
        super("sse stream");
        this.door = door;
        this.encoding = encoding;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    void attach(HubFeed feed) {
        this.feed = feed;
    }

    @Override
    public void write(List<HubEvent> events) {
        ByteBuf chunk = ctx.alloc().buffer(events.size() * 256);
        int records = 0;
        for (HubEvent e : events) {
            chunk.writeBytes(ID);
            chunk.writeCharSequence(e.next().encode(), StandardCharsets.US_ASCII);
            if (e instanceof HubEvent.Record r) {
                chunk.writeBytes(RECORD);
                chunk.writeBytes(RecordJson.of(r, encoding));
                records++;
            } else if (e instanceof HubEvent.Gap g) {
                chunk.writeBytes(GAP);
                chunk.writeCharSequence(HttpReplies.JSON.createObjectNode().put("topic", g.topic())
                        .put("partition", g.partition()).put("from", g.fromOffset()).put("to", g.toOffset())
                        .toString(), StandardCharsets.UTF_8);
            } else {
                chunk.writeBytes(SNAPSHOT_END);
                chunk.writeCharSequence("{}", StandardCharsets.US_ASCII);
            }
            chunk.writeByte('\n').writeByte('\n');
        }
        door.metrics().recordsOut(ConnectionKind.SSE, records);
        ctx.write(new DefaultHttpContent(chunk));
    }

    private static final byte[] ID = "id: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RECORD = "\nevent: record\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GAP = "\nevent: gap\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SNAPSHOT_END = "\nevent: snapshot-end\ndata: ".getBytes(StandardCharsets.US_ASCII);

    @Override
    public void ended(Throwable cause) {
        ApiError error = cause == null ? new ApiError(io.netty.handler.codec.http.HttpResponseStatus.SERVICE_UNAVAILABLE,
                "stream_ended", "the subscription ended") : KafkaErrors.toApiError(cause);
        long suppressed = ENDED_WARNINGS.admit();
        if (suppressed >= 0) {
            // every stream of a topic Kafka refuses ends this way, as often as clients open them
            LOG.warn("event=sse-stream-ended remote={} code={} error=\"{}\" suppressed={}", ctx.channel().remoteAddress(),
                    error.code(), LogValue.of(error.getMessage()), suppressed);
        }
        ByteBuf chunk = ctx.alloc().buffer();
        chunk.writeCharSequence("event: error\ndata: " + HttpReplies.errorBody(error.code(), error.getMessage()) + "\n\n",
                StandardCharsets.UTF_8);
        ctx.write(new DefaultHttpContent(chunk));
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
    }

    /** The principal's credential expired: a last {@code event: error} says so, then the stream ends. */
    void expired() {
        if (feed != null) {
            feed.close();
        }
        LOG.info("event=sse-stream-expired remote={}", ctx.channel().remoteAddress());
        ByteBuf chunk = ctx.alloc().buffer();
        chunk.writeCharSequence("event: error\ndata: " + HttpReplies.errorBody("expired", HttpAccess.expiredMessage())
                + "\n\n", StandardCharsets.UTF_8);
        ctx.write(new DefaultHttpContent(chunk));
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg); // a stream takes no further requests
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable() && feed != null) {
            feed.drain();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            if (ctx.channel().isWritable()) {
                ctx.writeAndFlush(new DefaultHttpContent(ctx.alloc().buffer(HEARTBEAT.length).writeBytes(HEARTBEAT)));
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    void closeFeeds() {
        if (feed != null) {
            feed.close();
        }
    }
}
