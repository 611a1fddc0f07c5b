package io.wharf.http;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.Channel;
import io.wharf.core.hub.HubEvent;
import io.wharf.core.hub.HubListener;
import io.wharf.core.hub.Subscription;
import io.wharf.core.hub.SubscriptionRequest;
import io.wharf.core.hub.TopicHub;

/**
 * Carries one hub subscription to one connection. The hub calls in from its own threads; all the
 * work hops to the connection's event loop, which polls the subscription only while the connection
 * is writable: a client that stops reading stops being polled, and the hub (not this server's heap)
 * decides what happens to a reader that falls behind. It relies on the hub's edge trigger (see
 * {@link HubListener}): after a signal it polls until a poll comes back empty, and needs no timer.
 */
final class HubFeed implements HubListener {
    /** Where polled events go; called on the event loop. */
    interface Sink {
        /** Writes (without flushing) a batch of events. */
        void write(List<HubEvent> events);

        /** The subscription ended on the hub's side. */
        void ended(Throwable cause);
    }

    /** Batches per drain before yielding the event loop to other connections. */
    private static final int ROUNDS_PER_DRAIN = 8;

    private final Channel channel;
    private final int batchSize;
    private final Sink sink;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private Subscription subscription;
    private boolean paused;
    private boolean closed;

    private HubFeed(Channel channel, int batchSize, Sink sink) {
        this.channel = channel;
        this.batchSize = batchSize;
        this.sink = sink;
    }

    /** Subscribes; call on the channel's event loop. */
    static HubFeed open(TopicHub hub, SubscriptionRequest request, Channel channel, int batchSize, Sink sink) {
        HubFeed feed = new HubFeed(channel, batchSize, sink);
        feed.subscription = hub.subscribe(request, feed);
        return feed;
    }

    @Override
    public void eventsAvailable(Subscription s) {
        schedule();
    }

    @Override
    public void closed(Subscription s, Throwable cause) {
        channel.eventLoop().execute(() -> {
            if (!closed) {
                // deliver what is still queued, then say why it ended
                drainAll();
                closed = true;
                sink.ended(cause);
            }
        });
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(() -> {
                scheduled.set(false);
                drain();
            });
        }
    }

    /** Polls while the connection can take more; event loop only. */
    void drain() {
        if (closed || paused || subscription == null) {
            return;
        }
        boolean wrote = false;
        for (int round = 0; round < ROUNDS_PER_DRAIN; round++) {
            if (!channel.isWritable()) {
                break;
            }
            List<HubEvent> events = subscription.poll(batchSize);
            if (events.isEmpty()) {
                if (wrote) {
                    channel.flush();
                }
                return;
            }
            sink.write(events);
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
        if (channel.isWritable()) {
            schedule(); // more may be queued: come back after other connections had their turn
        }
    }

    private void drainAll() {
        if (subscription == null) {
            return;
        }
        for (int round = 0; round < 1000; round++) {
            List<HubEvent> events = subscription.poll(batchSize);
            if (events.isEmpty()) {
                break;
            }
            sink.write(events);
        }
        channel.flush();
    }

    /** The subscription (its position is the resume point after the last event taken). */
    Subscription subscription() {
        return subscription;
    }

    void pause() {
        paused = true;
    }

    void resume() {
        paused = false;
        drain();
    }

    boolean paused() {
        return paused;
    }

    /** Ends the subscription; event loop only. */
    void close() {
        if (!closed) {
            closed = true;
            if (subscription != null) {
                subscription.close();
            }
        }
    }
}
