package io.wharf.core.group;

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
 * A thread that polls many members' consumers in turn, each with {@code poll(0)} so none can hold
 * the thread: a member waiting for records costs a poll now and then, not a thread. Members arrive
 * through a queue and leave (to be closed) through the lifecycle executor, so each consumer is
 * touched by one thread at a time. The thread sleeps until the earliest member is due or a door
 * wakes it (records taken, a commit asked for, a close).
 */
final class MemberPoller implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(MemberPoller.class);
    private static final long MAX_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final GroupRuntime runtime;
    private final Thread thread;
    private final Queue<GroupMember> arrivals = new ConcurrentLinkedQueue<>();
    private final AtomicInteger load = new AtomicInteger();
    // poller thread only
    private final List<GroupMember> members = new ArrayList<>();
    private volatile boolean running = true;

    MemberPoller(GroupRuntime runtime, String name) {
        this.runtime = runtime;
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Takes over a member whose consumer is open; from now on only this thread touches it. */
    void add(GroupMember member) {
        load.incrementAndGet();
        member.attach(this);
        arrivals.add(member);
        wake();
    }

    /** Members this poller serves, to place new ones on the least loaded poller. */
    int load() {
        return load.get();
    }

    void wake() {
        LockSupport.unpark(thread);
    }

    /** Stops after handing every member to the lifecycle executor to be closed. */
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
            GroupMember arrived;
            while ((arrived = arrivals.poll()) != null) {
                members.add(arrived);
            }
            long now = System.nanoTime();
            long wakeAt = now + MAX_SLEEP_NANOS;
            for (int i = members.size() - 1; i >= 0; i--) {
                GroupMember m = members.get(i);
                if (m.closeRequested()) {
                    release(i);
                    continue;
                }
                if (m.due(now)) {
                    try {
                        m.pollOnce(now);
                    } catch (RuntimeException e) {
                        m.fail(MemberFailure.Stage.POLL, e);
                        release(i);
                        continue;
                    }
                }
                long next = m.nextPollNanos();
                if (next - wakeAt < 0) {
                    wakeAt = next;
                }
            }
            long sleep = wakeAt - System.nanoTime();
            if (sleep > 0 && arrivals.isEmpty()) {
                LockSupport.parkNanos(this, sleep);
            }
        }
        for (int i = members.size() - 1; i >= 0; i--) {
            release(i);
        }
        GroupMember left;
        while ((left = arrivals.poll()) != null) {
            load.decrementAndGet();
            runtime.closeLater(left);
        }
        LOG.debug("poller {} stopped", thread.getName());
    }

    private void release(int index) {
        GroupMember m = members.remove(index);
        load.decrementAndGet();
        m.detach();
        runtime.closeLater(m);
    }
}
