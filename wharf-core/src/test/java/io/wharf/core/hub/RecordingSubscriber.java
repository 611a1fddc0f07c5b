package io.wharf.core.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test subscriber that behaves like a front door: when told events are available it polls on its
 * own thread (its "event loop") until a poll returns less than it asked for. It can be paused to
 * play a stalled client.
 */
final class RecordingSubscriber implements HubListener {
    private final ExecutorService loop;
    private final int maxPerPoll;
    private final List<HubEvent> events = new ArrayList<>();
    final AtomicInteger signals = new AtomicInteger();
    private volatile boolean paused;
    private volatile Throwable closedCause;
    private volatile Subscription subscription;

    RecordingSubscriber(ExecutorService loop, int maxPerPoll) {
        this.loop = loop;
        this.maxPerPoll = maxPerPoll;
    }

    RecordingSubscriber subscribe(TopicHub hub, SubscriptionRequest request) {
        subscription = hub.subscribe(request, this);
        return this;
    }

    Subscription subscription() {
        return subscription;
    }

    @Override
    public void eventsAvailable(Subscription s) {
        signals.incrementAndGet();
        if (!paused) {
            loop.execute(() -> drain(s));
        }
    }

    @Override
    public void closed(Subscription s, Throwable cause) {
        closedCause = cause;
    }

    /** Like a connection's event loop, one poll at a time: poll and record together, so order is kept. */
    private void drain(Subscription s) {
        while (!paused) {
            int got;
            synchronized (events) {
                List<HubEvent> batch = s.poll(maxPerPoll);
                events.addAll(batch);
                got = batch.size();
            }
            if (got < maxPerPoll) {
                return;
            }
        }
    }

    /** Polls once on the caller's thread, as a client taking a few events would. */
    List<HubEvent> pollNow(int max) {
        synchronized (events) {
            List<HubEvent> got = subscription.poll(max);
            events.addAll(got);
            return got;
        }
    }

    void pause() {
        paused = true;
    }

    /** Starts taking events again, as a client that became writable would. */
    void resume() {
        paused = false;
        Subscription s = subscription;
        loop.execute(() -> drain(s));
    }

    List<HubEvent> events() {
        synchronized (events) {
            return new ArrayList<>(events);
        }
    }

    List<HubEvent.Record> records() {
        List<HubEvent.Record> out = new ArrayList<>();
        for (HubEvent e : events()) {
            if (e instanceof HubEvent.Record r) {
                out.add(r);
            }
        }
        return out;
    }

    List<String> values() {
        return records().stream().map(r -> r.value() == null ? null : new String(r.value())).toList();
    }

    int recordCount() {
        return records().size();
    }

    Throwable closedCause() {
        return closedCause;
    }
}
