package io.wharf.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.ScheduledFuture;
import io.wharf.core.hub.HubEvent;
import io.wharf.core.hub.HubListener;
import io.wharf.core.hub.ResumeToken;
import io.wharf.core.hub.StartPosition;
import io.wharf.core.hub.Subscription;
import io.wharf.core.hub.TopicHub;

/**
 * {@code GET /topics/{topic}} without SSE: waits up to {@code wait} for the first events from the
 * hub and answers with up to {@code max} of them and the resume token to pass as {@code token} (or
 * {@code Last-Event-ID}) on the next poll.
 */
final class LongPollRoute {
    private final DoorContext door;

    LongPollRoute(DoorContext door) {
        this.door = door;
    }

    void poll(ChannelHandlerContext ctx, ApiRequest.LongPoll request, HttpExchange exchange) {
        TopicHub hub = door.hub();
        StreamRoute.whenTopicFits(door, ctx, request.topic(), request.query(), exchange, () -> {
            try {
                new Poll(ctx, request, exchange).start(hub);
            } catch (RuntimeException e) {
                exchange.fail(e);
            }
        });
    }

    /** One waiting poll; every method runs on the connection's event loop. */
    private final class Poll implements HubListener {
        private final ChannelHandlerContext ctx;
        private final ApiRequest.LongPoll request;
        private final HttpExchange exchange;
        private final List<HubEvent> events = new ArrayList<>();
        private Subscription subscription;
        private ScheduledFuture<?> timeout;
        private boolean done;

        Poll(ChannelHandlerContext ctx, ApiRequest.LongPoll request, HttpExchange exchange) {
            this.ctx = ctx;
            this.request = request;
            this.exchange = exchange;
        }

        void start(TopicHub hub) {
            subscription = hub.subscribe(request.query().toRequest(request.topic(), 0), this);
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
            if (!events.isEmpty()) {
                finish();
            }
        }

        private void abandon() {
            if (!done) {
                done = true;
                timeout.cancel(false);
                subscription.close();
            }
        }

        private void finish() {
            if (done) {
                return;
            }
            done = true;
            if (timeout != null) {
                timeout.cancel(false);
            }
            if (events.size() < request.max()) {
                events.addAll(subscription.poll(request.max() - events.size()));
            }
            ResumeToken next = events.isEmpty() ? subscription.position() : events.get(events.size() - 1).next();
            subscription.close();
            if (next == null || next.nextOffsets().isEmpty()) {
                next = request.query().start() instanceof StartPosition.FromToken t ? t.token() : null;
            }
            door.metrics().recordsOut(ConnectionKind.HTTP,
                    (int) events.stream().filter(e -> e instanceof HubEvent.Record).count());
            exchange.reply(HttpReplies.bytes(HttpResponseStatus.OK, body(next), HttpHeaderValues.APPLICATION_JSON.toString()));
        }

        private byte[] body(ResumeToken next) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256 + events.size() * 200);
            write(out, "{\"topic\":" + HttpReplies.JSON.getNodeFactory().textNode(request.topic()) + ",\"records\":[");
            array(out, HubEvent.Record.class, r -> RecordJson.of(r, request.query().encoding()));
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
