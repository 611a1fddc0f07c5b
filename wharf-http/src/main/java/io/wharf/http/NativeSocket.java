package io.wharf.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.wharf.core.access.Operation;
import io.wharf.core.access.StreamScope;
import io.wharf.core.hub.HubEvent;
import io.wharf.core.hub.StartPosition;
import io.wharf.core.hub.SubscriptionRequest;
import io.wharf.core.hub.TopicHub;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native WebSocket protocol ({@code /ws}, documented in docs/http.md): subscriptions in hub
 * mode (fan-out with start position, filters and resume tokens) or group mode (a Kafka consumer
 * group committing what the client acknowledges), produce with a per-message reply, ack,
 * pause/resume and unsubscribe. Deliveries go out only while the socket is writable; produce
 * requests beyond {@code http.max-in-flight} stop the server reading from the client until Kafka
 * answered. All state is owned by the connection's event loop.
 */
final class NativeSocket extends FeedChannel {
    private static final Logger LOG = LoggerFactory.getLogger(NativeSocket.class);
    /** Most subscriptions on one connection. */
    static final int MAX_SUBSCRIPTIONS = 64;
    private static final int HUB_BATCH = 256;
    private static final int GROUP_BATCH = 500;
    private static final long GROUP_BATCH_BYTES = 256 * 1024;

    private final DoorContext door;
    /** What the principal that opened the socket may do; decided per message. */
    private final HttpAccess access;
    private final Map<String, Feed> subscriptions = new LinkedHashMap<>(4);
    private Channel channel;
    private int inFlight;

    NativeSocket(DoorContext door, HttpAccess access) {
        super("websocket");
        this.door = door;
        this.access = access;
    }

    /** One subscription's delivery. */
    private sealed interface Feed permits HubSubscription, GroupSubscription {
        void drain();

        void pause();

        void resume();

        void close();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!(msg instanceof TextWebSocketFrame text)) {
                if (msg instanceof WebSocketFrame) {
                    error(null, ApiError.badRequest("binary_frame", "send JSON text frames; binary values go base64 "
                            + "with valueEncoding \"base64\""));
                }
                return;
            }
            NativeMessage message;
            try {
                message = NativeMessage.parse(text.text());
            } catch (NativeMessage.Invalid e) {
                error(e.id(), e.error());
                return;
            }
            handle(message);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void handle(NativeMessage message) {
        if (message instanceof NativeMessage.Subscribe s) {
            subscribe(s);
        } else if (message instanceof NativeMessage.Produce p) {
            produce(p);
        } else if (message instanceof NativeMessage.Ack a) {
            Feed feed = subscriptions.get(a.id());
            if (feed == null) {
                error(a.id(), ApiError.badRequest("unknown_subscription", "no subscription '" + a.id() + "'"));
            } else if (feed instanceof GroupSubscription g) {
                g.ack(a.partition(), a.offset());
            } // hub mode: positions travel in resume tokens, there is nothing to commit
        } else {
            Feed feed = subscriptions.get(message.id());
            if (feed == null) {
                error(message.id(), ApiError.badRequest("unknown_subscription", "no subscription '" + message.id() + "'"));
                return;
            }
            if (message instanceof NativeMessage.Pause) {
                feed.pause();
                reply("paused", message.id());
            } else if (message instanceof NativeMessage.Resume) {
                reply("resumed", message.id());
                feed.resume();
            } else {
                subscriptions.remove(message.id());
                feed.close();
                reply("unsubscribed", message.id());
            }
        }
    }

    private void subscribe(NativeMessage.Subscribe s) {
        if (subscriptions.containsKey(s.id())) {
            error(s.id(), ApiError.badRequest("duplicate_subscription", "subscription '" + s.id() + "' already exists"));
            return;
        }
        if (subscriptions.size() >= MAX_SUBSCRIPTIONS) {
            error(s.id(), ApiError.badRequest("too_many_subscriptions", "at most " + MAX_SUBSCRIPTIONS
                    + " subscriptions per connection"));
            return;
        }
        StreamScope scope;
        try {
            scope = access.require(Operation.CONSUME, s.topic());
            if (s.mode() == NativeMessage.Mode.GROUP) {
                access.requireGroup(Operation.JOIN, s.group());
            }
        } catch (ApiError e) {
            error(s.id(), e);
            return;
        }
        TopicHub hub = s.mode() == NativeMessage.Mode.HUB ? door.hub() : null;
        // reserve the id now so a second subscribe with it is refused while the topic is checked
        subscriptions.put(s.id(), null);
        door.kafka().topic(s.topic()).whenComplete((info, failure) -> channel.eventLoop().execute(() -> {
            if (!subscriptions.containsKey(s.id()) || !channel.isActive()) {
                return;
            }
            try {
                if (failure != null) {
                    throw KafkaErrors.toApiError(failure);
                }
                for (int p : s.partitions()) {
                    String problem = info.partitionProblem(p);
                    if (problem != null) {
                        throw ApiError.badRequest("bad_partition", problem);
                    }
                }
                if (s.mode() == NativeMessage.Mode.HUB) {
                    access.openSubscription(); // closed with the subscription
                }
                Feed feed = s.mode() == NativeMessage.Mode.HUB ? new HubSubscription(s, hub, scope)
                        : new GroupSubscription(s, scope);
                subscriptions.put(s.id(), feed);
                ObjectNode ok = message("subscribed", "id", s.id()).put("topic", s.topic())
                        .put("mode", s.mode().name().toLowerCase()).put("partitions", info.partitions());
                send(ok);
                feed.drain();
            } catch (RuntimeException e) {
                subscriptions.remove(s.id());
                error(s.id(), KafkaErrors.toApiError(e));
            }
        }));
    }

    private void produce(NativeMessage.Produce p) {
        try {
            String topic = p.record().topic();
            HttpAccess.requireInScope(access.require(Operation.PRODUCE, topic), topic, List.of(p.record()), false);
            access.takeProduce(List.of(p.record()));
        } catch (ApiError e) {
            error(p.id(), e);
            return;
        }
        inFlight++;
        if (inFlight >= door.settings().maxInFlight()) {
            ReadPause.pause(channel, ReadPause.Reason.IN_FLIGHT);
        }
        door.kafka().send(List.of(p.record())).answered().whenComplete((done, e) -> channel.eventLoop().execute(() -> {
            inFlight--;
            if (inFlight < door.settings().maxInFlight()) {
                ReadPause.resume(channel, ReadPause.Reason.IN_FLIGHT);
            }
            if (done.refusal() != null) {
                error(p.id(), ProduceRoute.refusalError(false, done.refusal()));
            } else if (done.error(0) != null) {
                error(p.id(), KafkaErrors.toApiError(done.error(0)));
            } else {
                RecordMetadata m = done.metadata(0);
                door.metrics().recordsIn(ConnectionKind.WEBSOCKET, 1);
                send(message("produced", "id", p.id()).put("topic", m.topic()).put("partition", m.partition())
                        .put("offset", m.offset()).put("timestamp", m.timestamp()));
            }
        }));
    }

    private static ObjectNode message(String type, String idField, String id) {
        return HttpReplies.JSON.createObjectNode().put("type", type).put(idField, id);
    }

    private void reply(String type, String id) {
        send(message(type, "id", id));
    }

    private void error(String id, ApiError e) {
        ObjectNode m = HttpReplies.JSON.createObjectNode().put("type", "error");
        if (id != null) {
            m.put("id", id);
        }
        m.put("code", e.code()).put("message", e.getMessage());
        if (e.field() != null) {
            m.put("field", e.field());
        }
        send(m);
    }

    private void send(ObjectNode message) {
        // replies are small and one per client message; reading pauses while the socket is full
        channel.writeAndFlush(new TextWebSocketFrame(message.toString()));
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            for (Feed feed : List.copyOf(subscriptions.values())) {
                if (feed != null) {
                    feed.drain();
                }
            }
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    void closeFeeds() {
        for (Feed feed : subscriptions.values()) {
            if (feed != null) {
                feed.close();
            }
        }
        subscriptions.clear();
    }

    /** A hub subscription: records batches carry the resume token after their last record. */
    private final class HubSubscription implements Feed, HubFeed.Sink {
        private final String id;
        private final ValueEncoding encoding;
        private final byte[] recordsPrefix;
        private final HubFeed feed;
        private boolean released;

        HubSubscription(NativeMessage.Subscribe s, TopicHub hub, StreamScope scope) {
            this.id = s.id();
            this.encoding = s.encoding();
            this.recordsPrefix = ("{\"type\":\"records\",\"sub\":" + HttpReplies.JSON.getNodeFactory().textNode(id)
                    + ",\"count\":").getBytes(StandardCharsets.UTF_8);
            HubFeed opened;
            try {
                opened = HubFeed.open(hub, new SubscriptionRequest(s.topic(), s.partitions(), s.start(), s.filters(), 0)
                        .boundTo(scope.anyOf()), channel, HUB_BATCH, this);
            } catch (RuntimeException e) {
                release();
                throw e;
            }
            this.feed = opened;
        }

        @Override
        public void write(List<HubEvent> events) {
            ByteBuf frame = null;
            HubEvent last = null;
            int records = 0;
            for (int i = 0; i < events.size(); i++) {
                HubEvent e = events.get(i);
                if (e instanceof HubEvent.Record r) {
                    if (frame == null) {
                        frame = channel.alloc().buffer(recordsPrefix.length + events.size() * 200);
                        frame.writeBytes(recordsPrefix);
                        frame.writeCharSequence(recordsFrom(events, i) + ",\"records\":[", StandardCharsets.US_ASCII);
                    } else {
                        frame.writeByte(',');
                    }
                    frame.writeBytes(RecordJson.of(r, encoding));
                    last = e;
                    records++;
                } else {
                    frame = flushRecords(frame, last);
                    if (e instanceof HubEvent.Gap g) {
                        send(message("gap", "sub", id).put("topic", g.topic()).put("partition", g.partition())
                                .put("from", g.fromOffset()).put("to", g.toOffset()).put("token", g.next().encode()), false);
                    } else {
                        send(message("snapshot-end", "sub", id).put("token", e.next().encode()), false);
                    }
                }
            }
            flushRecords(frame, last);
            door.metrics().recordsOut(ConnectionKind.WEBSOCKET, records);
        }

        /** How many records follow in a row from index i (the next gap or snapshot end starts a new frame). */
        private int recordsFrom(List<HubEvent> events, int i) {
            int n = 0;
            while (i + n < events.size() && events.get(i + n) instanceof HubEvent.Record) {
                n++;
            }
            return n;
        }

        private ByteBuf flushRecords(ByteBuf frame, HubEvent last) {
            if (frame != null) {
                frame.writeCharSequence("],\"token\":\"" + last.next().encode() + "\"}", StandardCharsets.US_ASCII);
                channel.write(new TextWebSocketFrame(frame));
            }
            return null;
        }

        private void send(ObjectNode message, boolean flush) {
            TextWebSocketFrame frame = new TextWebSocketFrame(message.toString());
            if (flush) {
                channel.writeAndFlush(frame);
            } else {
                channel.write(frame);
            }
        }

        /** Gives the principal's subscription back; once. */
        private void release() {
            if (!released) {
                released = true;
                access.quota().closeSubscription();
            }
        }

        @Override
        public void ended(Throwable cause) {
            release();
            if (subscriptions.remove(id) == null) {
                return;
            }
            ApiError e = cause == null ? ApiError.badRequest("ended", "the subscription ended") : KafkaErrors.toApiError(cause);
            send(message("ended", "sub", id).put("code", e.code()).put("message", e.getMessage())
                    .put("token", feed.subscription().position().encode()), true);
        }

        @Override
        public void drain() {
            feed.drain();
        }

        @Override
        public void pause() {
            feed.pause();
        }

        @Override
        public void resume() {
            feed.resume();
        }

        @Override
        public void close() {
            release();
            feed.close();
        }
    }

    /**
     * A consumer-group subscription: at most {@code window} records delivered and not acknowledged;
     * an ack commits the partition up to the acknowledged record.
     */
    private final class GroupSubscription implements Feed, SocketMember.Listener {
        private final String id;
        private final ValueEncoding encoding;
        private final int window;
        private final byte[] recordsPrefix;
        private final SocketMember reader;
        /** Delivered, not yet acknowledged offsets per partition, in order. */
        private final Map<Integer, ArrayDeque<Long>> unacked = new HashMap<>();
        private int unackedCount;
        private boolean paused;
        /** The records the principal may read; others are skipped and count as acknowledged. */
        private final StreamScope scope;
        private final String group;
        /** Per partition, the last skipped offset not yet committed past (bound filters only). */
        private final Map<Integer, Long> skippedThrough = new HashMap<>();

        GroupSubscription(NativeMessage.Subscribe s, StreamScope scope) {
            this.scope = scope;
            this.id = s.id();
            this.encoding = s.encoding();
            this.window = s.window();
            this.group = s.group();
            this.recordsPrefix = ("{\"type\":\"records\",\"sub\":" + HttpReplies.JSON.getNodeFactory().textNode(id)
                    + ",\"count\":").getBytes(StandardCharsets.UTF_8);
            Map<String, Object> overrides = new HashMap<>(WebSocketRoute.consumerOverrides());
            overrides.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                    s.start() instanceof StartPosition.Earliest ? "earliest" : "latest");
            int queueBytes = Math.max(door.settings().outboundBufferBytes(), 1024 * 1024);
            this.reader = SocketMember.subscribed(door, s.group(), overrides, s.topic(), channel, this,
                    Math.min(window, 2_000), queueBytes);
        }

        @Override
        public void recordsAvailable() {
            drain();
        }

        @Override
        public void drain() {
            if (paused || subscriptions.get(id) != this) {
                return;
            }
            boolean wrote = false;
            while (channel.isWritable() && unackedCount < window) {
                List<ConsumerRecord<byte[], byte[]>> batch = reader.take(Math.min(GROUP_BATCH, window - unackedCount),
                        GROUP_BATCH_BYTES);
                if (batch.isEmpty()) {
                    break;
                }
                if (!scope.unrestricted()) {
                    batch = skipOutOfScope(batch);
                    if (batch.isEmpty()) {
                        continue;
                    }
                }
                ByteBuf frame = channel.alloc().buffer(recordsPrefix.length + batch.size() * 200);
                frame.writeBytes(recordsPrefix);
                frame.writeCharSequence(batch.size() + ",\"records\":[", StandardCharsets.US_ASCII);
                for (int i = 0; i < batch.size(); i++) {
                    ConsumerRecord<byte[], byte[]> r = batch.get(i);
                    if (i > 0) {
                        frame.writeByte(',');
                    }
                    frame.writeBytes(RecordJson.of(r, encoding));
                    unacked.computeIfAbsent(r.partition(), p -> new ArrayDeque<>()).add(r.offset());
                }
                frame.writeCharSequence("]}", StandardCharsets.US_ASCII);
                unackedCount += batch.size();
                channel.write(new TextWebSocketFrame(frame));
                door.metrics().recordsOut(ConnectionKind.WEBSOCKET, batch.size());
                wrote = true;
            }
            if (wrote) {
                channel.flush();
            }
        }

        /**
         * Drops the records outside the scope: each counts as acknowledged, so a partition with
         * nothing delivered and unacknowledged before it is committed past it at once, and one with
         * such records is committed past it once they are acknowledged. Never delivered, never blocking.
         */
        private List<ConsumerRecord<byte[], byte[]>> skipOutOfScope(List<ConsumerRecord<byte[], byte[]>> batch) {
            List<ConsumerRecord<byte[], byte[]>> kept = new java.util.ArrayList<>(batch.size());
            Map<TopicPartition, Long> commitNow = new HashMap<>();
            java.util.Set<Integer> keptPartitions = new java.util.HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : batch) {
                if (scope.admits(r.key(), HubEvent.Header.of(r.headers()))) {
                    kept.add(r);
                    keptPartitions.add(r.partition());
                    continue;
                }
                ArrayDeque<Long> delivered = unacked.get(r.partition());
                boolean deliveredBefore = delivered != null && !delivered.isEmpty() || keptPartitions.contains(r.partition());
                if (deliveredBefore) {
                    skippedThrough.put(r.partition(), r.offset());
                } else {
                    skippedThrough.remove(r.partition());
                    commitNow.put(new TopicPartition(reader.topic(), r.partition()), r.offset() + 1);
                }
            }
            if (!commitNow.isEmpty() && access.mayCommit(group)) {
                reader.commit(commitNow, (offsets, error) -> {
                    if (error != null) {
                        door.metrics().commitFailure(); // the next ack or skip commits past it again
                    }
                });
            }
            return kept;
        }

        void ack(int partition, long offset) {
            if (!access.mayCommit(group)) {
                error(id, ApiError.forbidden("not allowed to commit group '" + group + "'"));
                return;
            }
            ArrayDeque<Long> delivered = unacked.get(partition);
            if (delivered == null || delivered.isEmpty() || delivered.peekFirst() > offset) {
                error(id, ApiError.badRequest("bad_ack", "offset " + offset + " of partition " + partition
                        + " was not delivered on this subscription or is already acknowledged"));
                return;
            }
            while (!delivered.isEmpty() && delivered.peekFirst() <= offset) {
                delivered.pollFirst();
                unackedCount--;
            }
            TopicPartition tp = new TopicPartition(reader.topic(), partition);
            long target = offset + 1;
            if (!scope.unrestricted()) {
                // skipped records up to the next unacknowledged one count as acknowledged
                Long skipped = skippedThrough.get(partition);
                if (delivered.isEmpty()) {
                    if (skipped != null && skipped > offset) {
                        target = skipped + 1;
                    }
                    skippedThrough.remove(partition);
                } else {
                    target = delivered.peekFirst();
                }
            }
            long committed = target;
            reader.commit(Map.of(tp, committed), (offsets, error) -> {
                if (error != null) {
                    door.metrics().commitFailure();
                    error(id, new ApiError(io.netty.handler.codec.http.HttpResponseStatus.CONFLICT, "commit_failed",
                            "commit of partition " + partition + " offset " + committed + " failed: " + error.getMessage()));
                } else {
                    NativeSocket.this.send(message("committed", "sub", id).put("partition", partition).put("offset", committed));
                }
            });
            drain();
        }

        @Override
        public void assigned(Collection<TopicPartition> partitions) {
            NativeSocket.this.send(partitions("assigned", partitions));
        }

        @Override
        public void revoked(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                skippedThrough.remove(tp.partition());
                ArrayDeque<Long> dropped = unacked.remove(tp.partition());
                if (dropped != null) {
                    unackedCount -= dropped.size();
                }
            }
            NativeSocket.this.send(partitions("revoked", partitions));
            drain();
        }

        private ObjectNode partitions(String type, Collection<TopicPartition> partitions) {
            ObjectNode m = message(type, "sub", id);
            ArrayNode list = m.putArray("partitions");
            partitions.stream().mapToInt(TopicPartition::partition).sorted().forEach(list::add);
            return m;
        }

        @Override
        public void failed(Throwable error) {
            if (subscriptions.remove(id) == this) {
                ApiError e = KafkaErrors.toApiError(error);
                NativeSocket.this.send(message("ended", "sub", id).put("code", e.code()).put("message", e.getMessage()));
            }
        }

        @Override
        public void pause() {
            paused = true;
        }

        @Override
        public void resume() {
            paused = false;
            drain();
        }

        @Override
        public void close() {
            reader.close();
        }
    }
}
