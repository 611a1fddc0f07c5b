package io.wharf.resp.produce;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.wharf.core.kafka.KafkaAccess;
import io.wharf.core.kafka.KafkaFailures;
import io.wharf.core.kafka.Sending;
import io.wharf.resp.metrics.RespMetrics;
import io.wharf.resp.metrics.RespStats;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One connection's records sent through the shared producer and not yet acknowledged: what
 * {@code DUMP} waits for and reports, and what stops the server reading from a connection that
 * produces faster than Kafka acknowledges. Kafka's callbacks update it from the producer's thread,
 * so the counts are atomic; the {@code DUMP} waiters are guarded by {@code flushWaitersLock}.
 */
public final class ProduceLedger {
    private final KafkaAccess kafka;
    private final ProduceBudget budget;
    private final RespStats stats;
    private final RespMetrics metrics;
    private final long limitBytes;
    private final Runnable onRoom;

    private final AtomicLong pendingRecords = new AtomicLong();
    private final AtomicLong pendingBytes = new AtomicLong();
    // failures of asynchronous sends not yet reported by DUMP; guarded by failuresLock
    private final Object failuresLock = new Object();
    private long unreportedFailures;
    private String firstFailure;
    private final AtomicBoolean waitingForRoom = new AtomicBoolean();

    private final Object flushWaitersLock = new Object();
    private final List<CompletableFuture<Long>> flushWaiters = new ArrayList<>();

    /**
     * @param limitBytes pending bytes beyond which the connection should stop being read
     * @param onRoom     called from any thread once a paused connection may be read again
     */
    public ProduceLedger(KafkaAccess kafka, ProduceBudget budget, RespStats stats, RespMetrics metrics,
                         long limitBytes, Runnable onRoom) {
        this.kafka = kafka;
        this.budget = budget;
        this.stats = stats;
        this.metrics = metrics;
        this.limitBytes = limitBytes;
        this.onRoom = onRoom;
    }

    /**
     * Sends a run of records to one topic through the shared producer (see {@link KafkaAccess#send(List)})
     * and tracks it until Kafka answered every record.
     *
     * @param replyCarriesOutcome true when the client learns the outcome from this command's own
     *                            reply (synchronous produce), so a failure is not reported again by DUMP
     */
    public Sending send(List<ProducerRecord<byte[], byte[]>> records, boolean replyCarriesOutcome) {
        Sending run = kafka.send(records);
        int n = run.size();
        if (run.refusal() != null) {
            // refused before anything was queued (unknown topic, too large, ...): the command's reply says so;
            // counted as refused, not as a delivery error (nothing was delivered to Kafka to fail)
            metrics.produceRefused(n);
            return run;
        }
        int bytes = run.bytes();
        pendingRecords.addAndGet(n);
        pendingBytes.addAndGet(bytes);
        budget.add(bytes);
        stats.produceStarted(n);
        run.answered().thenAccept(done -> finished(done, replyCarriesOutcome));
        return run;
    }

    private void finished(Sending run, boolean replyCarriesOutcome) {
        int n = run.size();
        int failed = run.failures();
        // a run refused after its topic lookup is the command's error reply, not DUMP's
        if (failed > 0 && !replyCarriesOutcome && run.refusal() == null) {
            String why = KafkaFailures.describe(run.firstError());
            synchronized (failuresLock) {
                unreportedFailures += failed;
                if (firstFailure == null) {
                    firstFailure = why;
                }
            }
        }
        if (run.refusal() != null) {
            // refused after the topic lookup (e.g. no such topic): nothing reached Kafka, so no delivery error
            stats.produceRefused(n);
            metrics.produceRefused(n);
        } else {
            stats.produceFinished(n - failed, failed);
            metrics.produceFinished(n - failed, failed);
        }
        int bytes = run.bytes();
        budget.release(bytes);
        long bytesLeft = pendingBytes.addAndGet(-bytes);
        long left = pendingRecords.addAndGet(-n);
        if (bytesLeft <= limitBytes / 2 && waitingForRoom.compareAndSet(true, false)) {
            onRoom.run();
        }
        if (left == 0) {
            completeFlushWaiters();
        }
    }

    /** True when this connection, or all of them together, have too many bytes awaiting Kafka. */
    public boolean mustPause() {
        return pendingBytes.get() > limitBytes || budget.exhausted();
    }

    /** Arranges for {@code onRoom} to run once this connection may be read again; call after {@link #mustPause()}. */
    public void pauseUntilRoom() {
        if (pendingBytes.get() > limitBytes) {
            waitingForRoom.set(true);
            if (pendingBytes.get() <= limitBytes / 2 && waitingForRoom.compareAndSet(true, false)) {
                onRoom.run();
            }
        } else {
            budget.whenRoom(onRoom);
        }
    }

    /** Records sent on this connection that Kafka has not answered yet. */
    public long pendingRecords() {
        return pendingRecords.get();
    }

    /**
     * Completes with 0 once every record sent so far is answered, or with the number still
     * unanswered when {@code timeout} runs (the caller schedules it).
     */
    public CompletableFuture<Long> awaitFlushed() {
        CompletableFuture<Long> waiter = new CompletableFuture<>();
        synchronized (flushWaitersLock) {
            if (pendingRecords.get() == 0) {
                waiter.complete(0L);
                return waiter;
            }
            flushWaiters.add(waiter);
        }
        // a completion may have raced with the registration
        if (pendingRecords.get() == 0) {
            completeFlushWaiters();
        }
        return waiter;
    }

    /** Gives up waiting: completes the waiter with the number of records still unanswered. */
    public void expire(CompletableFuture<Long> waiter) {
        synchronized (flushWaitersLock) {
            flushWaiters.remove(waiter);
        }
        waiter.complete(pendingRecords.get());
    }

    private void completeFlushWaiters() {
        List<CompletableFuture<Long>> done;
        synchronized (flushWaitersLock) {
            if (flushWaiters.isEmpty()) {
                return;
            }
            done = new ArrayList<>(flushWaiters);
            flushWaiters.clear();
        }
        done.forEach(w -> w.complete(0L));
    }

    /**
     * The failures not reported to the client yet (asynchronous produce) and the first one's
     * message (usually the cause: Kafka fails the rest of a batch along with an invalid record);
     * resets them. Null when there were none.
     */
    public Failures takeFailures() {
        synchronized (failuresLock) {
            if (unreportedFailures == 0) {
                return null;
            }
            Failures f = new Failures(unreportedFailures, firstFailure);
            unreportedFailures = 0;
            firstFailure = null;
            return f;
        }
    }

    /**
     * Failed records since the last report.
     *
     * @param count how many
     * @param first the first one's error
     */
    public record Failures(long count, String first) {
    }
}
