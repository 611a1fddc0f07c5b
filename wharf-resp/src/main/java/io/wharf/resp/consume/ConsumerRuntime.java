package io.wharf.resp.consume;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.wharf.core.kafka.Causes;
import io.wharf.core.kafka.KafkaAccess;
import io.wharf.core.kafka.UnknownTopicException;
import io.wharf.resp.config.RespSettings;
import io.wharf.resp.server.RespMetrics;
import io.wharf.resp.server.RespStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything consuming connections share: the poller threads that multiplex their consumers, the
 * lifecycle threads that create and close consumers (both can take a while and never run on an
 * event loop or a poller), and the counts behind the metrics.
 */
public final class ConsumerRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerRuntime.class);

    private final RespSettings settings;
    private final KafkaAccess kafka;
    private final RespStats stats;
    private final RespMetrics metrics;
    private final List<ConsumerPoller> pollers = new ArrayList<>();
    // Creating and closing consumers; at most two tasks per live session, and sessions are bounded by max-connections.
    private final ThreadPoolExecutor lifecycle;
    private final Set<ConsumerSession> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger blockedClients = new AtomicInteger();
    private final AtomicInteger consumers = new AtomicInteger();
    private volatile boolean closing;

    public ConsumerRuntime(RespSettings settings, KafkaAccess kafka, RespStats stats, RespMetrics metrics) {
        this.settings = settings;
        this.kafka = kafka;
        this.stats = stats;
        this.metrics = metrics;
        this.lifecycle = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(2 * settings.maxConnections() + 16),
                new DefaultThreadFactory("wharf-resp-consumer-lifecycle", true));
        this.lifecycle.allowCoreThreadTimeOut(true);
        int n = settings.effectivePollerThreads();
        for (int i = 0; i < n; i++) {
            ConsumerPoller p = new ConsumerPoller(this, i);
            pollers.add(p);
            p.start();
        }
    }

    /**
     * Starts a consumer-group member for a connection: checks the topics exist, creates the consumer
     * on a lifecycle thread and hands it to the least loaded poller. Clients may wait on the session
     * at once; if starting fails they get the reason.
     */
    public ConsumerSession open(String group, String name, List<String> topics, ConsumerOptions options) {
        ConsumerSession session = new ConsumerSession(group, name, topics, options, this);
        if (closing) {
            session.shutdown();
            return session;
        }
        sessions.add(session);
        CompletableFuture<?>[] checks = topics.stream().map(kafka::topic).toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(checks).whenComplete((ok, error) -> {
            if (error != null) {
                session.fail(describe(error));
                sessions.remove(session);
                return;
            }
            try {
                lifecycle.execute(() -> start(session));
            } catch (RuntimeException e) {
                session.fail("Cannot start a consumer now: " + e.getMessage());
                sessions.remove(session);
            }
        });
        return session;
    }

    private void start(ConsumerSession session) {
        try {
            if (!session.open(kafka)) {
                sessions.remove(session);
                return;
            }
        } catch (RuntimeException e) {
            session.fail("Cannot create a consumer: " + Causes.rootMessage(e));
            sessions.remove(session);
            return;
        }
        consumers.incrementAndGet();
        pollers.stream().min(Comparator.comparingInt(ConsumerPoller::load)).orElseThrow().add(session);
    }

    /** A poller let go of a session: close its consumer on a lifecycle thread. */
    void closeLater(ConsumerSession session) {
        Runnable close = () -> {
            try {
                session.closeConsumer();
            } finally {
                consumers.decrementAndGet();
                sessions.remove(session);
            }
        };
        try {
            lifecycle.execute(close);
        } catch (RuntimeException e) {
            close.run();
        }
    }

    RespSettings settings() {
        return settings;
    }

    RespStats stats() {
        return stats;
    }

    void consumed(int records) {
        stats.consumed(records);
        metrics.consumed(records);
    }

    /** Connections with at least one client blocked in BLPOP/BLMPOP. */
    public AtomicInteger blockedClients() {
        return blockedClients;
    }

    /** Consumer-group members alive now. */
    public int consumers() {
        return consumers.get();
    }

    private static String describe(Throwable error) {
        Throwable e = Causes.unwrap(error);
        if (e instanceof UnknownTopicException u) {
            return "Topic '" + u.topic() + "' does not exist";
        }
        return "Cannot read topic metadata: " + Causes.rootMessage(e);
    }


    /** Refuses new consumers and answers every waiting client with {@code CONS Server shutdown}. */
    public void stopWaiting() {
        closing = true;
        sessions.forEach(ConsumerSession::shutdown);
    }

    /** Every consumer commits what was acknowledged and leaves its group, within the close timeout. */
    @Override
    public void close() {
        stopWaiting();
        for (ConsumerPoller p : pollers) {
            p.stop();
        }
        long deadline = System.nanoTime() + settings.closeTimeout().toNanos() + TimeUnit.SECONDS.toNanos(2);
        try {
            for (ConsumerPoller p : pollers) {
                p.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
            lifecycle.shutdown();
            if (!lifecycle.awaitTermination(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                LOG.warn("event=resp-consumers-close-timeout remaining={}", sessions.size());
                lifecycle.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lifecycle.shutdownNow();
        }
    }
}
