package io.wharf.resp.consume;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread that polls many connections' consumers in turn, each with {@code poll(0)} so none can
 * hold the thread: a client blocked in {@code BLPOP} costs a poll now and then, not a thread.
 * Sessions arrive through a queue and leave (to be closed) through the lifecycle executor, so each
 * consumer is touched by one thread at a time. The thread sleeps until the earliest session is due
 * or a connection wakes it (a new waiter, an ack to commit, a close).
 */
final class ConsumerPoller implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerPoller.class);
    private static final long MAX_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ConsumerRuntime runtime;
    private final Thread thread;
    private final Queue<ConsumerSession> arrivals = new ConcurrentLinkedQueue<>();
    private final AtomicInteger load = new AtomicInteger();
    // poller thread only
    private final List<ConsumerSession> sessions = new ArrayList<>();
    private volatile boolean running = true;

    ConsumerPoller(ConsumerRuntime runtime, int index) {
        this.runtime = runtime;
        this.thread = new Thread(this, "wharf-resp-poller-" + index);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Takes over a session whose consumer is open; from now on only this thread touches it. */
    void add(ConsumerSession session) {
        load.incrementAndGet();
        session.attach(this);
        arrivals.add(session);
        wake();
    }

    /** Sessions this poller serves, to place new ones on the least loaded poller. */
    int load() {
        return load.get();
    }

    void wake() {
        LockSupport.unpark(thread);
    }

    /** Stops after handing every session to the lifecycle executor to be closed. */
    void stop() {
        running = false;
        wake();
    }

    void join(long millis) throws InterruptedException {
        thread.join(millis);
    }

    @Override
    public void run() {
        while (running) {
            ConsumerSession arrived;
            while ((arrived = arrivals.poll()) != null) {
                sessions.add(arrived);
            }
            long now = System.nanoTime();
            long wakeAt = now + MAX_SLEEP_NANOS;
            for (int i = sessions.size() - 1; i >= 0; i--) {
                ConsumerSession s = sessions.get(i);
                if (s.closeRequested()) {
                    release(i);
                    continue;
                }
                if (s.due(now)) {
                    try {
                        s.pollOnce(now);
                    } catch (RuntimeException e) {
                        s.fail(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                        release(i);
                        continue;
                    }
                }
                long next = s.nextPollNanos();
                if (next - wakeAt < 0) {
                    wakeAt = next;
                }
            }
            long sleep = wakeAt - System.nanoTime();
            if (sleep > 0 && arrivals.isEmpty()) {
                LockSupport.parkNanos(this, sleep);
            }
        }
        for (int i = sessions.size() - 1; i >= 0; i--) {
            release(i);
        }
        ConsumerSession left;
        while ((left = arrivals.poll()) != null) {
            load.decrementAndGet();
            runtime.closeLater(left);
        }
        LOG.debug("poller {} stopped", thread.getName());
    }

    private void release(int index) {
        ConsumerSession s = sessions.remove(index);
        load.decrementAndGet();
        runtime.closeLater(s);
    }
}
