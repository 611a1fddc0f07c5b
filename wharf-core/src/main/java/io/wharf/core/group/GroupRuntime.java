package io.wharf.core.group;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.wharf.core.kafka.Causes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A door's consumer-group members and the threads they share: a few poller threads that multiplex
 * every member's consumer, and two lifecycle threads that create and close consumers (both can
 * take a while and run neither on an event loop nor on a poller). A door creates one runtime with
 * its own thread count and closes it when it stops.
 */
public final class GroupRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupRuntime.class);

    private final String name;
    private final Duration closeTimeout;
    private final List<MemberPoller> pollers = new ArrayList<>();
    // Creating and closing consumers; at most two tasks per live member, and the door bounds its members.
    private final ThreadPoolExecutor lifecycle;
    private final Set<GroupMember> members = ConcurrentHashMap.newKeySet();
    private final AtomicInteger consumers = new AtomicInteger();
    private volatile boolean closing;

    /**
     * Starts the poller threads.
     *
     * @param name           thread name prefix, e.g. {@code wharf-resp}: threads are {@code <name>-poller-<i>}
     *                       and {@code <name>-consumer-lifecycle-*}
     * @param pollerThreads  how many poller threads
     * @param lifecycleQueue most create/close tasks waiting at once (beyond, a new member fails to start)
     * @param closeTimeout   the longest a member may take to close; {@link #close} waits about this long
     */
    public GroupRuntime(String name, int pollerThreads, int lifecycleQueue, Duration closeTimeout) {
        if (pollerThreads < 1) {
            throw new IllegalArgumentException("a group runtime needs at least one poller thread");
        }
        this.name = name;
        this.closeTimeout = closeTimeout;
        this.lifecycle = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(lifecycleQueue),
                new DefaultThreadFactory(name + "-consumer-lifecycle", true));
        this.lifecycle.allowCoreThreadTimeOut(true);
        for (int i = 0; i < pollerThreads; i++) {
            MemberPoller p = new MemberPoller(this, name + "-poller-" + i);
            pollers.add(p);
            p.start();
        }
    }

    /** One poller per core, at most four: the default of doors that have no setting for it. */
    public static int defaultPollerThreads() {
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * A new member, not started yet: the door keeps it, then calls {@link GroupMember#start} (so no
     * listener call can arrive before the door holds the member).
     */
    public GroupMember member(MemberSpec spec, MemberListener listener) {
        return new GroupMember(spec, listener, this);
    }

    /** See {@link GroupMember#start}. */
    void start(GroupMember member, CompletionStage<?> check) {
        if (closing) {
            member.fail(MemberFailure.Stage.START, new RejectedExecutionException(name + " consumers are shutting down"));
            member.finish();
            return;
        }
        members.add(member);
        check.whenComplete((ok, error) -> {
            if (error != null) {
                member.fail(MemberFailure.Stage.CHECK, Causes.unwrap(error));
                finished(member);
                return;
            }
            try {
                lifecycle.execute(() -> create(member));
            } catch (RejectedExecutionException e) {
                member.fail(MemberFailure.Stage.START, e);
                finished(member);
            }
        });
    }

    private void create(GroupMember member) {
        boolean started;
        try {
            started = member.open();
        } catch (RuntimeException e) {
            member.fail(MemberFailure.Stage.CREATE, e);
            finished(member);
            return;
        }
        if (!started) {
            finished(member);
            return;
        }
        consumers.incrementAndGet();
        pollers.stream().min(Comparator.comparingInt(MemberPoller::load)).orElseThrow().add(member);
    }

    /** A poller let go of a member: close its consumer on a lifecycle thread. */
    void closeLater(GroupMember member) {
        Runnable close = () -> {
            try {
                member.closeConsumer();
            } finally {
                consumers.decrementAndGet();
                finished(member);
            }
        };
        try {
            lifecycle.execute(close);
        } catch (RejectedExecutionException e) {
            close.run();
        }
    }

    private void finished(GroupMember member) {
        members.remove(member);
        member.finish();
    }

    /** Members whose consumer is open now. */
    public int consumers() {
        return consumers.get();
    }

    /**
     * Closes every member (each commits what was asked and leaves its group) and stops the threads,
     * waiting about the close timeout at most.
     */
    @Override
    public void close() {
        closing = true;
        members.forEach(GroupMember::close);
        for (MemberPoller p : pollers) {
            p.stop();
        }
        long deadline = System.nanoTime() + closeTimeout.toNanos() + TimeUnit.SECONDS.toNanos(2);
        try {
            for (MemberPoller p : pollers) {
                p.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
            lifecycle.shutdown();
            if (!lifecycle.awaitTermination(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                LOG.warn("event=group-members-close-timeout runtime={} remaining={}", name, members.size());
                lifecycle.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lifecycle.shutdownNow();
        }
    }
}
