package io.wharf.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.ScheduledFuture;
import io.wharf.core.access.Operation;
import io.wharf.core.access.StreamScope;
import io.wharf.core.hub.HubEvent;
import io.wharf.core.hub.HubListener;
import io.wharf.core.hub.ResumeToken;
import io.wharf.core.hub.StartPosition;
import io.wharf.core.hub.Subscription;
import io.wharf.core.hub.TopicHub;
import io.wharf.core.kafka.KafkaAccess;
import io.wharf.core.kafka.TopicInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code GET /topics/{topic}} without SSE: waits up to {@code wait} for the first events from the
 * hub and answers with up to {@code max} of them and the resume token to pass as {@code token} (or
 * {@code Last-Event-ID}) on the next poll.
 *
 * <p>Once the first events are there it keeps collecting until it holds {@code max}, or it has read
 * every chosen partition up to the end Kafka reported when those first events arrived, or
 * {@link #GATHER_MAX} passed: the hub reads each partition on its own thread, so on a cold topic one
 * partition's records arrive before the others', and answering with the first alone would return
 * 1 of 3 records that were all there.
 *
 * <p>A reply holds at most {@link #MAX_REPLY_BYTES} of records (always at least one): {@code max}
 * alone would let 10,000 records of a megabyte each make one reply of 10 GB.
 */
final class LongPollRoute {
    /** Most bytes of record JSON in one reply; the rest comes with the next poll, from its token. */
    static final int MAX_REPLY_BYTES = 4 * 1024 * 1024;
    /** Longest a poll that has records waits for the rest of what Kafka holds (bounded by {@code wait}). */
    static final Duration GATHER_MAX = Duration.ofSeconds(2);
    /** How often a gathering poll looks again (filtered-out records advance the position without a signal). */
    private static final long GATHER_TICK_NANOS = Duration.ofMillis(20).toNanos();

    private final DoorContext door;

    LongPollRoute(DoorContext door) {
        this.door = door;
    }

    void poll(ChannelHandlerContext ctx, ApiRequest.LongPoll request, HttpExchange exchange) {
        TopicHub hub = door.hub();
        HttpAccess access = exchange.access();
        StreamScope scope = access.require(Operation.CONSUME, request.topic());
        StreamRoute.whenTopicFits(door, ctx, request.topic(), request.query(), exchange, info -> {
            try {
                access.openConnection(); // a waiting poll holds a connection of the principal's until it is answered
            } catch (ApiError e) {
                exchange.reply(e.toResponse());
                return;
            }
            Poll poll = new Poll(ctx, request, exchange, info, access);
            try {
                poll.start(hub, scope);
            } catch (RuntimeException e) {
                poll.release();
                exchange.fail(e);
            }
        });
    }

    /** One waiting poll; every method runs on the connection's event loop. */
    private final class Poll implements HubListener {
        private final ChannelHandlerContext ctx;
        private final ApiRequest.LongPoll request;
        private final HttpExchange exchange;
        private final TopicInfo info;
        private final List<HubEvent> events = new ArrayList<>();
        private Subscription subscription;
        private ScheduledFuture<?> timeout;
        private boolean done;
        /** When gathering began (the first events arrived), or 0. */
        private long gatherStartNanos;
        private long deadlineNanos;
        /** The end offset of each chosen partition when gathering began; null until Kafka answered. */
        private Map<Integer, Long> ends;
        private ScheduledFuture<?> tick;
        private final HttpAccess access;
        private boolean released;

        Poll(ChannelHandlerContext ctx, ApiRequest.LongPoll request, HttpExchange exchange, TopicInfo info,
             HttpAccess access) {
            this.access = access;
            this.ctx = ctx;
            this.request = request;
            this.exchange = exchange;
            this.info = info;
        }

        /** Gives the principal's connection back; once. */
        void release() {
            if (!released) {
                released = true;
                access.quota().closeConnection();
            }
        }

        void start(TopicHub hub, StreamScope scope) {
            subscription = hub.subscribe(request.query().toRequest(request.topic(), 0).boundTo(scope.anyOf()), this);
            deadlineNanos = System.nanoTime() + request.maxWait().toNanos();
            timeout = ctx.executor().schedule(this::finish, request.maxWait().toNanos(), TimeUnit.NANOSECONDS);
            ctx.channel().closeFuture().addListener((ChannelFutureListener) f -> ctx.executor().execute(this::abandon));
            collect();
        }

        @Override
        public void eventsAvailable(Subscription s) {
            ctx.executor().execute(this::collect);
        }

        @Override
        public void closed(Subscription s, Throwable cause) {
            ctx.executor().execute(() -> {
                if (!done && events.isEmpty()) {
                    done = true;
                    release();
                    timeout.cancel(false);
                    exchange.fail(cause == null ? new IllegalStateException("the subscription ended") : cause);
                } else {
                    finish();
                }
            });
        }

        private void collect() {
            if (done || subscription == null) {
                return;
            }
            events.addAll(subscription.poll(request.max() - events.size()));
            if (events.isEmpty()) {
                return;
            }
            if (events.size() >= request.max() || caughtUp()) {
                finish();
                return;
            }
            long now = System.nanoTime();
            if (gatherStartNanos == 0) {
                gatherStartNanos = now;
                askEnds();
            } else if (now - gatherStartNanos >= GATHER_MAX.toNanos()) {
                finish();
                return;
            }
            if (tick == null && deadlineNanos - now > GATHER_TICK_NANOS) {
                tick = ctx.executor().schedule(() -> {
                    tick = null;
                    collect();
                }, GATHER_TICK_NANOS, TimeUnit.NANOSECONDS);
            }
        }

        /** Asks Kafka where each chosen partition ends now: what is there to gather. */
        private void askEnds() {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            if (request.query().partitions().isEmpty()) {
                for (int p = 0; p < info.partitions(); p++) {
                    latest.put(new TopicPartition(request.topic(), p), OffsetSpec.latest());
                }
            } else {
                request.query().partitions().forEach(p -> latest.put(new TopicPartition(request.topic(), p), OffsetSpec.latest()));
            }
            KafkaAccess.toCompletable(door.kafka().admin().listOffsets(latest).all()).whenComplete((offsets, error) -> {
                if (error != null) {
                    return; // gather until GATHER_MAX instead
                }
                Map<Integer, Long> byPartition = new HashMap<>();
                offsets.forEach((tp, o) -> byPartition.put(tp.partition(), o.offset()));
                ctx.executor().execute(() -> {
                    ends = byPartition;
                    collect();
                });
            });
        }

        /** Whether every chosen partition has been read up to where it ended when gathering began. */
        private boolean caughtUp() {
            if (ends == null) {
                return false;
            }
            Map<Integer, Long> position = subscription.position().nextOffsets();
            for (Map.Entry<Integer, Long> end : ends.entrySet()) {
                Long next = position.get(end.getKey());
                if (end.getValue() > 0 && (next == null || next < end.getValue())) {
                    return false;
                }
            }
            return true;
        }

        private void abandon() {
            if (!done) {
                done = true;
                release();
                timeout.cancel(false);
                cancelTick();
                subscription.close();
            }
        }

        private void cancelTick() {
            if (tick != null) {
                tick.cancel(false);
                tick = null;
            }
        }

        private void finish() {
            if (done) {
                return;
            }
            done = true;
            release();
            if (timeout != null) {
                timeout.cancel(false);
            }
            cancelTick();
            if (events.size() < request.max()) {
                events.addAll(subscription.poll(request.max() - events.size()));
            }
            List<byte[]> records = cutToReplyBytes();
            ResumeToken next = events.isEmpty() ? subscription.position() : events.get(events.size() - 1).next();
            subscription.close();
            if (next == null || next.nextOffsets().isEmpty()) {
                next = request.query().start() instanceof StartPosition.FromToken t ? t.token() : null;
            }
            door.metrics().recordsOut(ConnectionKind.HTTP,
                    (int) events.stream().filter(e -> e instanceof HubEvent.Record).count());
            exchange.reply(HttpReplies.bytes(HttpResponseStatus.OK, body(next, records), HttpHeaderValues.APPLICATION_JSON.toString()));
        }

        /**
         * Encodes the records and drops the events past {@link #MAX_REPLY_BYTES}, so the token of
         * the last event kept resumes exactly after it.
         */
        private List<byte[]> cutToReplyBytes() {
            List<byte[]> records = new ArrayList<>();
            long bytes = 0;
            for (int i = 0; i < events.size(); i++) {
                if (events.get(i) instanceof HubEvent.Record r) {
                    byte[] json = RecordJson.of(r, request.query().encoding());
                    if (!records.isEmpty() && bytes + json.length > MAX_REPLY_BYTES) {
                        events.subList(i, events.size()).clear();
                        break;
                    }
                    bytes += json.length + 1;
                    records.add(json);
                }
            }
            return records;
        }

        private byte[] body(ResumeToken next, List<byte[]> records) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(MAX_REPLY_BYTES + 1024L,
                    256 + records.stream().mapToLong(r -> r.length + 1L).sum()));
            write(out, "{\"topic\":" + HttpReplies.JSON.getNodeFactory().textNode(request.topic()) + ",\"records\":[");
            for (int i = 0; i < records.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                out.writeBytes(records.get(i));
            }
            write(out, "],\"gaps\":[");
            array(out, HubEvent.Gap.class, g -> HttpReplies.JSON.createObjectNode().put("partition", g.partition())
                    .put("from", g.fromOffset()).put("to", g.toOffset()).toString().getBytes(StandardCharsets.UTF_8));
            boolean snapshotEnd = events.stream().anyMatch(e -> e instanceof HubEvent.SnapshotEnd);
            write(out, "],\"snapshotEnd\":" + snapshotEnd + ",\"next\":" + (next == null ? "null" : "\"" + next.encode() + "\"") + "}");
            return out.toByteArray();
        }

        /** The events of one kind, as the elements of a JSON array, in the order they came. */
        private <E extends HubEvent> void array(ByteArrayOutputStream out, Class<E> kind, Function<E, byte[]> json) {
            boolean first = true;
            for (HubEvent e : events) {
                if (kind.isInstance(e)) {
                    if (!first) {
                        out.write(',');
                    }
                    first = false;
                    out.writeBytes(json.apply(kind.cast(e)));
                }
            }
        }

        private static void write(ByteArrayOutputStream out, String s) {
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        }
    }
}
