package io.wharf.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.netty.channel.Channel;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka consumer feeding one connection. The consumer lives on its own thread (Kafka's
 * single-thread contract); records cross to the connection's event loop through a queue bounded by
 * count and bytes: when it is full the consumer pauses its partitions (and keeps polling, so it
 * stays in its group), and resumes when the connection has taken half. Commits are asked for from
 * the event loop and run on the consumer's thread; their results come back to the event loop.
 */
final class GroupReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupReader.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    /** What the reader tells its connection; every call arrives on the connection's event loop. */
    interface Listener {
        /** Records are waiting in {@link #take}. */
        void recordsAvailable();

        /** Partitions were assigned (group mode) or the single partition is being read (assign mode). */
        void assigned(Collection<TopicPartition> partitions);

        /** Partitions were taken away: records of them not yet taken are dropped (another member gets them). */
        void revoked(Collection<TopicPartition> partitions);

        /** The reader stopped because of an error. */
        void failed(Throwable error);
    }

    /** A queued record and the assignment epoch of its partition when it was read. */
    private record Queued(ConsumerRecord<byte[], byte[]> record, int epoch) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Consumer<KafkaConsumer<byte[], byte[]>> start;
    private final boolean groupMode;
    private final String topic;
    private final Channel channel;
    private final Listener listener;
    private final int maxRecords;
    private final long maxBytes;
    private final ConcurrentLinkedQueue<Queued> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedRecords = new AtomicInteger();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final ConcurrentLinkedQueue<Consumer<KafkaConsumer<byte[], byte[]>>> commands = new ConcurrentLinkedQueue<>();
    private final Map<Integer, Integer> epochs = new ConcurrentHashMap<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Thread thread;
    private Set<GroupReader> live = Set.of();
    private volatile boolean running = true;
    private boolean paused; // consumer thread only

    private GroupReader(KafkaConsumer<byte[], byte[]> consumer, Consumer<KafkaConsumer<byte[], byte[]>> start,
                        boolean groupMode, String topic, Channel channel, Listener listener, int maxRecords, long maxBytes) {
        this.consumer = consumer;
        this.start = start;
        this.groupMode = groupMode;
        this.topic = topic;
        this.channel = channel;
        this.listener = listener;
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
        this.thread = new Thread(this::run, "wharf-http-reader-" + THREADS.incrementAndGet());
        this.thread.setDaemon(true);
    }

    /** Reads one partition from an offset (or the group's committed offset when null), without joining the group; call {@link #start}. */
    static GroupReader assigned(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, Long offset,
                                Channel channel, Listener listener, int maxRecords, long maxBytes) {
        GroupReader reader = new GroupReader(consumer, c -> {
            c.assign(List.of(partition));
            if (offset != null) {
                c.seek(partition, offset);
            }
        }, false, partition.topic(), channel, listener, maxRecords, maxBytes);
        return reader;
    }

    /** Starts the consumer thread; the reader is in {@code live} until its consumer has closed. */
    GroupReader start(Set<GroupReader> live) {
        this.live = live;
        live.add(this);
        thread.start();
        return this;
    }

    /** Joins the consumer's group on the topic; partitions come and go with rebalances; call {@link #start}. */
    static GroupReader subscribed(KafkaConsumer<byte[], byte[]> consumer, String topic, Channel channel,
                                  Listener listener, int maxRecords, long maxBytes) {
        GroupReader[] self = new GroupReader[1];
        GroupReader reader = new GroupReader(consumer, c -> c.subscribe(List.of(topic), self[0].rebalances()), true,
                topic, channel, listener, maxRecords, maxBytes);
        self[0] = reader;
        return reader;
    }

    private ConsumerRebalanceListener rebalances() {
        return new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                for (TopicPartition tp : partitions) {
                    epochs.merge(tp.partition(), 1, Integer::sum);
                }
                List<TopicPartition> copy = List.copyOf(partitions);
                if (!copy.isEmpty()) {
                    channel.eventLoop().execute(() -> listener.revoked(copy));
                }
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                List<TopicPartition> copy = List.copyOf(partitions);
                if (!copy.isEmpty()) {
                    channel.eventLoop().execute(() -> listener.assigned(copy));
                }
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                onPartitionsRevoked(partitions);
            }
        };
    }

    private void run() {
        try {
            start.accept(consumer);
            if (!groupMode) {
                List<TopicPartition> assignment = List.copyOf(consumer.assignment());
                channel.eventLoop().execute(() -> listener.assigned(assignment));
            }
            while (running) {
                Consumer<KafkaConsumer<byte[], byte[]>> command;
                while ((command = commands.poll()) != null) {
                    command.accept(consumer);
                }
                applyBackpressure();
                org.apache.kafka.clients.consumer.ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(Duration.ofMillis(200));
                } catch (WakeupException e) {
                    continue; // a command or a drained queue woke us up
                }
                if (records.isEmpty()) {
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    queue.add(new Queued(r, epochs.getOrDefault(r.partition(), 0)));
                    queuedRecords.incrementAndGet();
                    queuedBytes.addAndGet(size(r));
                }
                signal();
            }
        } catch (WakeupException e) {
            if (running) {
                fail(e);
            }
        } catch (RuntimeException e) {
            fail(e);
        } finally {
            // commits asked for just before the close still happen: close() waits for them to finish
            Consumer<KafkaConsumer<byte[], byte[]>> pending;
            while ((pending = commands.poll()) != null) {
                try {
                    pending.accept(consumer);
                } catch (RuntimeException e) {
                    LOG.warn("event=command-at-close-failed topic={} error=\"{}\"", topic, e.toString());
                }
            }
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("event=consumer-close-failed topic={} error=\"{}\"", topic, e.getMessage());
            }
            live.remove(this);
        }
    }

    private void fail(RuntimeException e) {
        running = false;
        LOG.warn("event=reader-failed topic={} error=\"{}\"", topic, e.toString());
        channel.eventLoop().execute(() -> listener.failed(e));
    }

    private void applyBackpressure() {
        boolean full = queuedRecords.get() >= maxRecords || queuedBytes.get() >= maxBytes;
        boolean drained = queuedRecords.get() <= maxRecords / 2 && queuedBytes.get() <= maxBytes / 2;
        Set<TopicPartition> assignment = consumer.assignment();
        if (full && !assignment.isEmpty()) {
            consumer.pause(assignment); // also pauses partitions assigned since the last pause
            paused = true;
        } else if (paused && drained) {
            consumer.resume(consumer.paused());
            paused = false;
        }
    }

    private void signal() {
        if (scheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(() -> {
                scheduled.set(false);
                listener.recordsAvailable();
            });
        }
    }

    /** Takes up to {@code max} queued records of partitions still owned; event loop only. */
    List<ConsumerRecord<byte[], byte[]>> take(int max, long maxBatchBytes) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>(Math.min(max, 64));
        long bytes = 0;
        boolean wasFull = queuedRecords.get() >= maxRecords || queuedBytes.get() >= maxBytes;
        while (out.size() < max && bytes < maxBatchBytes) {
            Queued q = queue.poll();
            if (q == null) {
                break;
            }
            long size = size(q.record());
            queuedRecords.decrementAndGet();
            queuedBytes.addAndGet(-size);
            if (q.epoch() != epochs.getOrDefault(q.record().partition(), 0)) {
                continue; // read before a rebalance took the partition away
            }
            out.add(q.record());
            bytes += size;
        }
        if (wasFull && queuedRecords.get() <= maxRecords / 2 && queuedBytes.get() <= maxBytes / 2) {
            consumer.wakeup(); // let the consumer thread resume now rather than after its poll timeout
        }
        return out;
    }

    /** Whether records are waiting. */
    boolean hasQueued() {
        return !queue.isEmpty();
    }

    /**
     * Commits offsets (each the next offset to read) on the consumer's thread; the callback runs on
     * the event loop with null or the error. In group mode partitions not owned any more fail.
     */
    void commit(Map<TopicPartition, Long> offsets, BiConsumer<Map<TopicPartition, Long>, Throwable> callback) {
        commands.add(c -> {
            Map<TopicPartition, OffsetAndMetadata> commit = new java.util.HashMap<>();
            offsets.forEach((tp, offset) -> commit.put(tp, new OffsetAndMetadata(offset)));
            if (groupMode && !c.assignment().containsAll(commit.keySet())) {
                IllegalStateException e = new IllegalStateException("partition no longer assigned to this subscription");
                channel.eventLoop().execute(() -> callback.accept(offsets, e));
                return;
            }
            c.commitAsync(commit, (done, error) -> channel.eventLoop().execute(() -> callback.accept(offsets, error)));
        });
        consumer.wakeup();
    }

    private static long size(ConsumerRecord<byte[], byte[]> r) {
        return 64L + Math.max(0, r.serializedKeySize()) + Math.max(0, r.serializedValueSize());
    }

    /** The topic read. */
    String topic() {
        return topic;
    }

    /** Stops the thread; the consumer closes (leaving its group) on its own thread. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }

    /** Waits (bounded) for the consumer to have closed. */
    void awaitClosed(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
    }
}
