package io.wharf.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.ReferenceCountUtil;
import io.wharf.core.access.StreamScope;
import io.wharf.core.hub.HubEvent;
import io.wharf.core.kafka.RetryBackoff;
import io.wharf.core.logging.LogValue;
import io.wharf.core.logging.WarningThrottle;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A kafka-proxy compatible WebSocket: reads one partition for a consumer group (from {@code offset}
 * inclusive, else where the group's committed offset points, else the earliest record) and sends
 * each batch as a text frame holding a JSON array of {@code {"message","offset"}}. Unlike
 * kafka-proxy: offset 0 is a real offset, a null value is sent as {@code null}, a record of any
 * size is delivered, and batches are sent only while the socket is writable. As in kafka-proxy,
 * the group's offset is committed after a batch was written to the socket (what was sent, not what
 * the client processed); the native protocol commits on the client's ack instead.
 */
final class KafkaProxySocket extends FeedChannel implements SocketMember.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaProxySocket.class);
    private static final int MAX_BATCH_RECORDS = 500;
    private static final long MAX_BATCH_BYTES = 256 * 1024;
    /** A failed commit is retried after this, doubling per failure up to the max; a success resets it. */
    static final Duration COMMIT_RETRY_FIRST = Duration.ofMillis(100);
    static final Duration COMMIT_RETRY_MAX = Duration.ofSeconds(5);
    /** One commit-failed warning per interval for the whole door (an outage fails every socket's commits). */
    private static final WarningThrottle COMMIT_FAILED = new WarningThrottle(Duration.ofSeconds(10));

    private final DoorContext door;
    private final ApiRequest.KafkaProxyUpgrade request;
    private final TopicPartition partition;
    private Channel channel;
    private SocketMember reader;
    private long sentUpTo = -1;
    private long committing = -1;
    private boolean commitInFlight;
    /** A failed commit waits for its retry; sent batches meanwhile only raise the target. */
    private boolean commitRetryScheduled;
    private final RetryBackoff commitBackoff = new RetryBackoff(COMMIT_RETRY_FIRST, COMMIT_RETRY_MAX);

    /** The records the principal may read: out-of-scope ones are skipped, and committed past like sent ones. */
    private final StreamScope scope;
    /** Whether the principal may commit the group's offsets (it may read with {@code join} alone). */
    private final boolean mayCommit;

    KafkaProxySocket(DoorContext door, ApiRequest.KafkaProxyUpgrade request, HttpAccess access, StreamScope scope) {
        super("kafka-proxy socket");
        this.door = door;
        this.request = request;
        this.scope = scope;
        this.mayCommit = access.mayCommit(request.group());
        this.partition = new TopicPartition(request.topic(), request.partition());
    }

    void start(Channel channel) {
        this.channel = channel;
        int queueBytes = Math.max(door.settings().outboundBufferBytes(), 1024 * 1024);
        reader = SocketMember.assigned(door, request.group(), WebSocketRoute.consumerOverrides(), partition,
                request.offset(), channel, this, 2_000, queueBytes);
        LOG.info("event=kafka-proxy-connected remote={} topic={} partition={} group={} offset={}", channel.remoteAddress(),
                request.topic(), request.partition(), LogValue.of(request.group()), request.offset() == null ? "committed" : request.offset());
    }

    @Override
    public void recordsAvailable() {
        drain();
    }

    private void drain() {
        if (reader == null || !channel.isActive()) {
            return;
        }
        boolean wrote = false;
        while (channel.isWritable()) {
            List<ConsumerRecord<byte[], byte[]>> batch = reader.take(MAX_BATCH_RECORDS, MAX_BATCH_BYTES);
            if (batch.isEmpty()) {
                break;
            }
            long last = batch.get(batch.size() - 1).offset();
            if (!scope.unrestricted()) {
                batch = batch.stream().filter(r -> scope.admits(r.key(), HubEvent.Header.of(r.headers()))).toList();
                if (batch.isEmpty()) {
                    sent(last); // nothing the principal may read: the group still moves past it
                    continue;
                }
            }
            channel.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(frame(batch))))
                    .addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            sent(last);
                        }
                    });
            door.metrics().recordsOut(ConnectionKind.KAFKA_PROXY, batch.size());
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
    }

    private static byte[] frame(List<ConsumerRecord<byte[], byte[]>> batch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + batch.size() * 128);
        try (JsonGenerator g = RecordJson.generator(out)) {
            g.writeStartArray();
            for (ConsumerRecord<byte[], byte[]> r : batch) {
                RecordJson.kafkaProxyMessage(g, r.value(), r.offset());
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A batch reached the socket: commit after it (one commit in flight at a time, the latest wins). */
    private void sent(long offset) {
        sentUpTo = Math.max(sentUpTo, offset);
        commitNext();
    }

    private void commitNext() {
        if (!mayCommit || commitInFlight || commitRetryScheduled || sentUpTo <= committing || reader == null || !channel.isActive()) {
            return;
        }
        commitInFlight = true;
        long target = sentUpTo;
        reader.commit(Map.of(partition, target + 1), (offsets, error) -> {
            commitInFlight = false;
            if (error == null) {
                committing = target;
                commitBackoff.succeeded();
                commitNext();
                return;
            }
            door.metrics().commitFailure();
            Duration delay = commitBackoff.failed();
            long suppressed = COMMIT_FAILED.admit();
            if (suppressed >= 0) {
                LOG.warn("event=commit-failed topic={} partition={} group={} offset={} failures={} retry_ms={} "
                                + "error=\"{}\" suppressed={}", partition.topic(), partition.partition(),
                        LogValue.of(request.group()), target + 1, commitBackoff.failures(), delay.toMillis(),
                        LogValue.of(error.getMessage()), suppressed);
            }
            commitRetryScheduled = true;
            channel.eventLoop().schedule(() -> {
                commitRetryScheduled = false;
                commitNext();
            }, delay.toNanos(), TimeUnit.NANOSECONDS);
        });
    }

    @Override
    public void assigned(Collection<TopicPartition> partitions) {
        // one fixed partition: nothing to tell a kafka-proxy client
    }

    @Override
    public void revoked(Collection<TopicPartition> partitions) {
        // assign mode has no rebalances
    }

    @Override
    public void failed(Throwable error) {
        channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.INTERNAL_SERVER_ERROR,
                truncate("Kafka read failed: " + error.getMessage()))).addListener(ChannelFutureListener.CLOSE);
    }

    static String truncate(String reason) {
        // a close reason must fit a control frame (125 bytes with the status code)
        return reason.length() > 110 ? reason.substring(0, 110) : reason;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg); // kafka-proxy sockets are consume-only; client text is ignored
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            drain();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    void closeFeeds() {
        if (reader != null) {
            reader.close();
        }
    }
}
