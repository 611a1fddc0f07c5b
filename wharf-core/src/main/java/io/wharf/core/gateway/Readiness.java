package io.wharf.core.gateway;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.wharf.core.kafka.Causes;
import io.wharf.core.kafka.KafkaAccess;

/**
 * Whether the gateway can serve: every listener up and Kafka answering. Checking never blocks;
 * Kafka's answer is cached for a second so a busy probe cannot load the cluster.
 */
public final class Readiness {
    /**
     * A readiness verdict.
     *
     * @param ready  true when the gateway can serve
     * @param reason why not, or {@code ok}
     */
    public record Status(boolean ready, String reason) {
    }

    private static final long CACHE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final KafkaAccess kafka;
    private volatile boolean listenersUp;
    private volatile boolean stopping;
    private volatile CompletableFuture<Status> lastKafkaCheck;
    private volatile long lastKafkaCheckAt;

    public Readiness(KafkaAccess kafka) {
        this.kafka = kafka;
    }

    /** Called by the gateway once every front door has started. */
    public void markListenersUp() {
        listenersUp = true;
    }

    /** Called by the gateway when it starts draining. */
    public void markStopping() {
        stopping = true;
    }

    /** Whether the gateway is shutting down. */
    public boolean stopping() {
        return stopping;
    }

    /** The current verdict, without blocking. */
    public CompletableFuture<Status> check() {
        if (stopping) {
            return CompletableFuture.completedFuture(new Status(false, "shutting down"));
        }
        if (!listenersUp) {
            return CompletableFuture.completedFuture(new Status(false, "starting: listeners not up yet"));
        }
        long now = System.nanoTime();
        CompletableFuture<Status> last = lastKafkaCheck;
        if (last != null && now - lastKafkaCheckAt < CACHE_NANOS) {
            return last;
        }
        CompletableFuture<Status> fresh = kafka.clusterId()
                .orTimeout(2, TimeUnit.SECONDS)
                .thenApply(id -> new Status(true, "ok"))
                .exceptionally(e -> new Status(false, "Kafka at " + kafka.bootstrapServers() + " does not answer ("
                        + Causes.rootMessage(e) + ")"));
        lastKafkaCheck = fresh;
        lastKafkaCheckAt = now;
        return fresh;
    }

}
