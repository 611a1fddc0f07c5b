package io.wharf.relay.webhook;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.wharf.core.kafka.KafkaAccess;
import io.wharf.core.kafka.RetryBackoff;
import io.wharf.core.logging.WarningThrottle;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route's transactional producer and the thread that owns it: runs one commit transaction at a
 * time (outputs, then the offsets with their metadata through {@code sendOffsetsToTransaction} and
 * the consumer's group metadata), so the route's thread keeps dispatching while Kafka commits.
 * The producer is opened, used, renewed and closed on this thread only.
 */
final class RouteCommitter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RouteCommitter.class);
    // every route fails its commits together in an outage: one line per interval for all of them
    private static final WarningThrottle COMMIT_FAILED_WARNINGS = new WarningThrottle(Duration.ofSeconds(5));

    private final KafkaAccess kafka;
    private final String transactionalId;
    private final Map<String, Object> overrides;
    private final RouteMetrics metrics;
    private final String route;
    private final ExecutorService thread;
    // touched only on the committer's thread
    private KafkaProducer<byte[], byte[]> producer;
    // after a failed commit the next one waits 100 ms doubling to 5 s; owned by the commit thread
    private final RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(5));

    RouteCommitter(KafkaAccess kafka, String transactionalId, Map<String, Object> overrides, RouteMetrics metrics,
                   String route) {
        this.kafka = kafka;
        this.transactionalId = transactionalId;
        this.overrides = new HashMap<>(overrides);
        this.metrics = metrics;
        this.route = route;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "wharf-relay-" + route + "-commit");
            t.setDaemon(true);
            return t;
        });
    }

    /** Logs a failed commit (throttled) and backs the next one off; the last two placeholders are the delay and the count held back. */
    private void warnCommitFailed(String format, Object... args) {
        Duration retryIn = backoff.failed();
        long suppressed = COMMIT_FAILED_WARNINGS.admit();
        if (suppressed >= 0) {
            Object[] all = Arrays.copyOf(args, args.length + 2);
            all[args.length] = retryIn.toMillis();
            all[args.length + 1] = suppressed;
            LOG.warn(format, all);
        }
    }

    /**
     * Opens the producer and initialises transactions, which fences any earlier producer with this
     * transactional id and aborts what it left open. Blocks until done; throws when Kafka refuses.
     */
    void open() {
        try {
            thread.submit(this::renew).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening the transactional producer", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /**
     * Commits the plans in one transaction. Completes with true when Kafka committed it, false when
     * it was aborted or failed (nothing of it is visible then, and the outputs wait for a later try);
     * never completes exceptionally.
     */
    CompletableFuture<Boolean> commit(List<CommitPlan> plans, ConsumerGroupMetadata group) {
        return CompletableFuture.supplyAsync(() -> transact(plans, group), thread);
    }

    private boolean transact(List<CommitPlan> plans, ConsumerGroupMetadata group) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        int written = 0;
        long wait = backoff.remainingNanos();
        if (wait > 0) {
            // on the committer's own thread, never a network thread; the route loop goes on meanwhile
            LockSupport.parkNanos(wait);
        }
        long started = System.nanoTime();
        try {
            if (producer == null) {
                renew();
            }
            producer.beginTransaction();
            for (CommitPlan plan : plans) {
                for (ProducerRecord<byte[], byte[]> output : plan.outputs().values()) {
                    producer.send(output);
                    written++;
                }
                offsets.put(plan.partition().tp, new OffsetAndMetadata(plan.offset(), plan.metadata()));
            }
            producer.sendOffsetsToTransaction(offsets, group);
            producer.commitTransaction();
        } catch (ProducerFencedException | InvalidProducerEpochException | AuthorizationException
                 | UnsupportedVersionException | IllegalStateException e) {
            metrics.commitFailures.increment();
            warnCommitFailed("event=relay-commit-failed route={} partitions={} outputs={} error=\"{}\" action=new-producer"
                    + " retry-in={}ms suppressed={}",
                    route, offsets.size(), written, e.toString());
            closeProducer(Duration.ZERO);
            return false;
        } catch (KafkaException e) {
            metrics.commitFailures.increment();
            warnCommitFailed("event=relay-commit-failed route={} partitions={} outputs={} error=\"{}\" action=abort-and-retry"
                    + " retry-in={}ms suppressed={}",
                    route, offsets.size(), written, e.toString());
            try {
                producer.abortTransaction();
            } catch (KafkaException again) {
                closeProducer(Duration.ZERO);
            }
            return false;
        } catch (RuntimeException e) {
            metrics.commitFailures.increment();
            warnCommitFailed("event=relay-commit-failed route={} error=\"{}\" action=new-producer retry-in={}ms suppressed={}",
                    route, e.toString());
            closeProducer(Duration.ZERO);
            return false;
        }
        backoff.succeeded();
        metrics.commits.increment();
        metrics.commitTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        return true;
    }

    private void renew() {
        closeProducer(Duration.ZERO);
        KafkaProducer<byte[], byte[]> p = kafka.newTransactionalProducer(transactionalId, overrides);
        try {
            p.initTransactions();
        } catch (RuntimeException e) {
            p.close(Duration.ZERO);
            throw e;
        }
        producer = p;
    }

    private void closeProducer(Duration timeout) {
        if (producer != null) {
            try {
                producer.close(timeout);
            } catch (RuntimeException e) {
                LOG.warn("event=relay-producer-close-failed route={} error=\"{}\"", route, e.toString());
            }
            producer = null;
        }
    }

    /** Closes the producer (after any commit already submitted) and ends the thread. */
    @Override
    public void close() {
        try {
            thread.submit(() -> closeProducer(Duration.ofSeconds(5))).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | java.util.concurrent.TimeoutException | java.util.concurrent.RejectedExecutionException e) {
            LOG.warn("event=relay-producer-close-failed route={} error=\"{}\"", route, e.toString());
        }
        thread.shutdownNow();
    }
}
