package io.wharf.http;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import io.wharf.core.hub.HubEvent;
import io.wharf.core.hub.HubListener;
import io.wharf.core.hub.Subscription;
import io.wharf.core.hub.SubscriptionRequest;
import io.wharf.core.hub.TopicHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one hub subscription to one connection. The hub calls in from its own threads; all the
 * work hops to the connection's event loop, which polls the subscription only while the connection
 * is writable: a client that stops reading stops being polled, and the hub (not this server's heap)
 * decides what happens to a reader that falls behind.
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
    /** How often a feed looks for events it was not told about (a missed edge trigger must not stall it). */
    private static final long CHECK_MILLIS = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(HubFeed.class);

    private final Channel channel;
    private final int batchSize;
    private final Sink sink;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private Subscription subscription;
    private ScheduledFuture<?> check;
    private boolean signalledSinceCheck;
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
        feed.check = channel.eventLoop().scheduleWithFixedDelay(feed::checkMissed, CHECK_MILLIS, CHECK_MILLIS,
                TimeUnit.MILLISECONDS);
        return feed;
    }

    @Override
    public void eventsAvailable(Subscription s) {
        schedule();
    }

    @Override
    public void closed(Subscription s, Throwable cause) {
        channel.eventLoop().execute(() -> {
            if (check != null) {
                check.cancel(false);
            }
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

    /**
     * Polls once in a while without being told to: the hub's listener is edge-triggered, and a lost
     * edge would otherwise stall this subscriber for good. Finding events that way is logged, since
     * it means the hub did not signal them.
     */
    private void checkMissed() {
        boolean signalled = signalledSinceCheck;
        signalledSinceCheck = false;
        if (closed || paused || subscription == null || !channel.isWritable() || signalled || scheduled.get()) {
            return;
        }
        List<HubEvent> events = subscription.poll(batchSize);
        if (!events.isEmpty()) {
            missedSignals.incrementAndGet();
            LOG.warn("event=hub-signal-missed topic={} events={} remote={}", subscription.topic(), events.size(),
                    channel.remoteAddress());
            sink.write(events);
            drain();
            channel.flush();
        }
    }

    /** How many times a feed found events the hub had not signalled (all feeds of this JVM). */
    static long missedSignals() {
        return missedSignals.get();
    }

    private static final java.util.concurrent.atomic.AtomicLong missedSignals = new java.util.concurrent.atomic.AtomicLong();

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
            signalledSinceCheck = true; // active: the next check has nothing to prove
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
        if (check != null) {
            check.cancel(false);
        }
        if (!closed) {
            closed = true;
            if (subscription != null) {
                subscription.close();
            }
        }
    }
}
