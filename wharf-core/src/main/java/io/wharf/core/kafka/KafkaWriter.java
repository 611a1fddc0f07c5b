package io.wharf.core.kafka;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only caller of the shared producer's {@code send}: one thread ({@code wharf-kafka-writer})
 * drains a queue of runs and hands their records to the producer in queue order. The producer
 * blocks its caller while it fetches a topic's metadata or while its buffer is full (up to
 * {@code max.block.ms}); here only this thread waits, never a caller's (an event loop).
 *
 * <p>A caller's runs to one topic reach the producer in the order it submitted them: they pass one
 * FIFO queue, and a run whose topic lookup is still pending parks in that topic's lane, which every
 * later run of the topic joins until the lookup answers; runs to other topics go on meanwhile. The
 * lanes are owned by the writer thread. The queue holds at most {@code maxQueuedBytes} (size
 * estimates); a run offered beyond that is refused at once with {@link KafkaUnavailableException},
 * so memory stays bounded even when a door's own flow control lets too much through.
 */
final class KafkaWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaWriter.class);
    // a fault repeating per record must not flood the log
    private static final io.wharf.core.logging.WarningThrottle WRITER_FAILED_WARNINGS =
            new io.wharf.core.logging.WarningThrottle(java.time.Duration.ofSeconds(5));

    /** A topic's lookup answered: the runs parked in its lane may go. */
    private record LookupDone(String topic, CompletableFuture<TopicInfo> info) {
    }

    private final Producer<byte[], byte[]> producer;
    private final Function<String, CompletableFuture<TopicInfo>> topics;
    private final int maxRequestBytes;
    private final long maxQueuedBytes;
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Thread thread;
    private volatile boolean parked;
    private volatile boolean closing;
    // writer thread only: runs waiting for their topic's lookup, per topic, in arrival order
    private final Map<String, ArrayDeque<Sending>> lanes = new HashMap<>();

    KafkaWriter(Producer<byte[], byte[]> producer, Function<String, CompletableFuture<TopicInfo>> topics,
                int maxRequestBytes, long maxQueuedBytes) {
        this.producer = producer;
        this.topics = topics;
        this.maxRequestBytes = maxRequestBytes;
        this.maxQueuedBytes = maxQueuedBytes;
        this.thread = new Thread(this::run, "wharf-kafka-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Queues a run; never blocks. When the topic is already known (the usual case) the checks run
     * here, on the caller's thread, so {@link Sending#accepted()} is complete when this returns.
     */
    void submit(Sending run) {
        if (closing) {
            run.refuse(new KafkaUnavailableException("the gateway is shutting down; nothing was sent", null));
            return;
        }
        CompletableFuture<TopicInfo> info = topics.apply(run.topic());
        boolean checked = false;
        if (info.isDone()) {
            Throwable refusal = info.isCompletedExceptionally() ? failure(info) : run.check(info.join(), maxRequestBytes);
            if (refusal != null) {
                run.refuse(refusal);
                return;
            }
            checked = true;
        }
        long before = queuedBytes.get();
        if (before > 0 && before + run.bytes() > maxQueuedBytes) {
            run.refuse(new KafkaUnavailableException("Kafka is not taking records as fast as they arrive: " + before
                    + " bytes already wait for the shared producer (at most " + maxQueuedBytes + "); nothing was sent",
                    null));
            return;
        }
        queuedBytes.addAndGet(run.bytes());
        if (checked) {
            run.accept();
        }
        offer(run);
    }

    /** Bytes queued and not yet handed to the producer. */
    long queuedBytes() {
        return queuedBytes.get();
    }

    private void offer(Object item) {
        queue.offer(item);
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        while (true) {
            Object item = queue.poll();
            if (item == null) {
                if (closing) {
                    break;
                }
                parked = true;
                // a submit between the poll and here saw parked and unparks; re-check before sleeping
                if (queue.isEmpty() && !closing) {
                    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
                }
                parked = false;
                continue;
            }
            try {
                if (item instanceof Sending run) {
                    take(run);
                } else if (item instanceof LookupDone done) {
                    release(done);
                }
            } catch (RuntimeException e) {
                long suppressed = WRITER_FAILED_WARNINGS.admit();
                if (suppressed >= 0) {
                    LOG.error("event=kafka-writer-failed error=\"{}\" suppressed={}", e.toString(), suppressed, e);
                }
            }
        }
        for (ArrayDeque<Sending> lane : lanes.values()) {
            lane.forEach(this::refuseAtShutdown);
        }
        lanes.clear();
    }

    private void take(Sending run) {
        ArrayDeque<Sending> lane = lanes.get(run.topic());
        if (lane != null) {
            lane.add(run);
            return;
        }
        if (run.topicInfo() != null) {
            write(run);
            return;
        }
        CompletableFuture<TopicInfo> info = topics.apply(run.topic());
        if (info.isDone()) {
            checkAndWrite(run, info);
            return;
        }
        lane = new ArrayDeque<>();
        lane.add(run);
        lanes.put(run.topic(), lane);
        info.whenComplete((i, e) -> offer(new LookupDone(run.topic(), info)));
    }

    private void release(LookupDone done) {
        ArrayDeque<Sending> lane = lanes.remove(done.topic());
        if (lane == null) {
            return;
        }
        for (Sending run : lane) {
            if (run.topicInfo() != null) {
                write(run);
            } else {
                checkAndWrite(run, done.info());
            }
        }
    }

    private void checkAndWrite(Sending run, CompletableFuture<TopicInfo> info) {
        Throwable refusal = info.isCompletedExceptionally() ? failure(info) : run.check(info.join(), maxRequestBytes);
        if (refusal != null) {
            queuedBytes.addAndGet(-run.bytes());
            run.refuse(refusal);
            return;
        }
        run.accept();
        write(run);
    }

    // Hands every record to the producer, which may block here (metadata, full buffer): only this thread waits.
    private void write(Sending run) {
        TopicInfo info = run.topicInfo();
        try {
            for (int i = 0; i < run.size(); i++) {
                ProducerRecord<byte[], byte[]> record = run.records().get(i);
                String problem = record.partition() == null ? null : info.partitionProblem(record.partition());
                if (problem != null) {
                    run.answer(i, null, new InvalidPartitionsException(problem));
                    continue;
                }
                int index = i;
                try {
                    producer.send(record, (metadata, error) -> run.answer(index, error == null ? metadata : null, error));
                } catch (RuntimeException e) {
                    run.answer(i, null, e);
                }
            }
        } finally {
            queuedBytes.addAndGet(-run.bytes());
        }
    }

    private void refuseAtShutdown(Sending run) {
        queuedBytes.addAndGet(-run.bytes());
        run.refuse(new KafkaUnavailableException("the gateway is shutting down; nothing was sent", null));
    }

    private static Throwable failure(CompletableFuture<?> f) {
        try {
            f.join();
            return new IllegalStateException("not failed");
        } catch (RuntimeException e) {
            return Causes.unwrap(e);
        }
    }

    /**
     * Stops taking runs, hands what is queued to the producer (waiting at most {@code timeout}),
     * then refuses what is left: runs still waiting for a topic lookup, or all of them when the
     * producer kept the thread blocked.
     */
    void close(Duration timeout) {
        closing = true;
        LockSupport.unpark(thread);
        try {
            thread.join(Math.max(1, timeout.toMillis()));
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(1_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Object item;
        while ((item = queue.poll()) != null) {
            if (item instanceof Sending run) {
                refuseAtShutdown(run);
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
