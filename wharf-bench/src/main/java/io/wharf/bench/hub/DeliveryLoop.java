package io.wharf.bench.hub;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.wharf.core.hub.HubEvent;
import org.HdrHistogram.Histogram;

/**
 * What a front door's event loop does with hub subscriptions, without the network: when told a
 * subscription has events it polls one batch, counts (and times) it, and goes round the ready
 * subscriptions in turn. Its histogram and counters are touched by its own thread only.
 */
final class DeliveryLoop implements AutoCloseable {
    private final int maxPerPoll;
    private final ConcurrentLinkedQueue<CountingSubscriber> ready = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean timing;
    /** Send-to-delivery delay in microseconds, while {@link #timeDeliveries} is on. */
    final Histogram delays = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);

    DeliveryLoop(String name, int maxPerPoll) {
        this.maxPerPoll = maxPerPoll;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Records the delay of every record delivered from now on (values carry their send time). */
    void timeDeliveries(boolean on) {
        timing = on;
    }

    /** Called from hub threads: queue the subscriber and wake the loop. */
    void ready(CountingSubscriber subscriber) {
        ready.add(subscriber);
        LockSupport.unpark(thread);
    }

    private void run() {
        while (running) {
            CountingSubscriber s = ready.poll();
            if (s == null) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                continue;
            }
            List<HubEvent> events = s.subscription().poll(maxPerPoll);
            long records = 0;
            boolean time = timing;
            long now = time ? System.nanoTime() : 0;
            for (HubEvent e : events) {
                if (e instanceof HubEvent.Record r) {
                    records++;
                    if (time && r.value() != null && r.value().length >= 8) {
                        delays.recordValue(Math.max(0, (now - sentAt(r.value())) / 1_000));
                    }
                }
            }
            s.add(records);
            if (events.size() == maxPerPoll) {
                ready.add(s); // more waiting: back of the line, as an event loop would
            }
        }
    }

    private static long sentAt(byte[] value) {
        long sent = 0;
        for (int b = 0; b < 8; b++) {
            sent = (sent << 8) | (value[b] & 0xFF);
        }
        return sent;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        LockSupport.unpark(thread);
        thread.join(5_000);
    }
}
