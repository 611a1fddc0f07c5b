package io.wharf.resp.consume;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.wharf.core.access.StreamScope;
import io.wharf.core.group.GroupRuntime;
import io.wharf.core.kafka.KafkaAccess;
import io.wharf.resp.config.RespSettings;
import io.wharf.resp.metrics.RespMetrics;
import io.wharf.resp.metrics.RespStats;

/**
 * Everything consuming connections share: the core group runtime whose {@code resp.poller-threads}
 * poller threads multiplex their consumers (and whose lifecycle threads create and close them), the
 * live sessions (to answer their waiting clients at shutdown) and the counts behind the metrics.
 */
public final class ConsumerRuntime implements AutoCloseable {
    private final RespSettings settings;
    private final KafkaAccess kafka;
    private final RespStats stats;
    private final RespMetrics metrics;
    private final GroupRuntime groups;
    private final Set<ConsumerSession> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger blockedClients = new AtomicInteger();
    private volatile boolean closing;

    public ConsumerRuntime(RespSettings settings, KafkaAccess kafka, RespStats stats, RespMetrics metrics) {
        this.settings = settings;
        this.kafka = kafka;
        this.stats = stats;
        this.metrics = metrics;
        // at most two lifecycle tasks per live session, and sessions are bounded by max-connections
        this.groups = new GroupRuntime("wharf-resp", settings.effectivePollerThreads(), 2 * settings.maxConnections() + 16,
                settings.closeTimeout());
    }

    /**
     * Starts a consumer-group member for a connection: checks the topics exist, creates the consumer
     * on a lifecycle thread and hands it to the least loaded poller. Clients may wait on the session
     * at once; if starting fails they get the reason.
     *
     * @param configJson the consumer settings after the topics of the first consume key, or null
     * @param scopes     per topic, the records the principal may receive (others are skipped); absent means all
     * @param outlet     the connection the records go to
     * @throws io.wharf.resp.protocol.CommandError ({@code CONS}) when the settings are invalid
     */
    public ConsumerSession open(String group, String name, List<String> topics, String configJson,
                                Map<String, StreamScope> scopes, Outlet outlet) {
        ConsumerOptions options = ConsumerOptions.parse(configJson, settings);
        ConsumerSession session = new ConsumerSession(group, name, topics, options, scopes, this, outlet);
        if (closing) {
            session.shutdown();
            return session;
        }
        sessions.add(session);
        session.closed().whenComplete((ok, error) -> sessions.remove(session));
        session.start();
        return session;
    }

    GroupRuntime groups() {
        return groups;
    }

    KafkaAccess kafka() {
        return kafka;
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
        return groups.consumers();
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
        groups.close();
    }
}
