package io.wharf.core.hub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.wharf.core.logging.LogValue;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one shared Kafka read of a topic-partition: a plain reader ({@code assign}, no group) on its
 * own thread, appending what it reads to the partition's {@link PartitionCache} and waking the
 * cursors of every subscriber of the partition. The consumer is used by that thread only. The hub
 * reaches the feed through its methods: the interest bookkeeping is guarded by the hub's feeds
 * lock, the cache locks itself, the cursor list is copy-on-write.
 */
final class PartitionFeed extends ReaderThread {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionFeed.class);
    private static final io.wharf.core.logging.WarningThrottle READER_FAILED_WARNINGS =
            new io.wharf.core.logging.WarningThrottle(java.time.Duration.ofSeconds(5));
    // every shared reader retries each second while Kafka is away: one line per interval for all of them
    private static final io.wharf.core.logging.WarningThrottle READER_ERROR_WARNINGS =
            new io.wharf.core.logging.WarningThrottle(java.time.Duration.ofSeconds(5));
    /** Start at the partition's first offset (resolved by the reader itself). */
    static final long EARLIEST = -2;
    /** Start at the partition's end (resolved by the reader itself). */
    static final long LATEST = -1;
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);

    private final TopicPartition partition;
    private final PartitionCache cache;
    /** Latest offset per key, for snapshots read from Kafka; null unless compacted. */
    private final KeyIndex index;
    /** The cursors of every subscriber reading this partition; the reader wakes them after each append. */
    private final CopyOnWriteArrayList<PartitionCursor> cursors = new CopyOnWriteArrayList<>();

    private final KafkaTopicHub hub;
    private final long requestedStart;

    // guarded by the hub's feeds lock
    private int interest;
    private long idleSinceNanos;
    private boolean pinned;

    PartitionFeed(KafkaTopicHub hub, TopicPartition partition, boolean compacted, long start, boolean pinned) {
        super("wharf-hub-" + partition);
        this.hub = hub;
        this.partition = partition;
        this.requestedStart = start;
        this.pinned = pinned;
        this.cache = new PartitionCache(compacted, hub.settings().cacheMaxBytes(),
                hub.settings().cacheMaxAge().toNanos(), hub.budget(), hub.counters());
        this.index = compacted ? new KeyIndex(partition.toString(), hub.settings().keyIndexMaxBytes()) : null;
        this.idleSinceNanos = System.nanoTime();
    }

    void start() {
        startThread();
    }

    TopicPartition partition() {
        return partition;
    }

    /** The partition's cache (it locks itself). */
    PartitionCache cache() {
        return cache;
    }

    /** Bytes this feed's cache holds (a lock-free estimate). */
    long cachedBytes() {
        return cache.bytes();
    }

    /** Frees at least {@code bytes} of the oldest cached records (fewer if the cache holds less); returns the bytes freed. */
    long trimCache(long bytes) {
        return cache.evict(bytes);
    }

    /** Evicts cached records the hub read before this time. */
    void ageCache(long cutoffNanos) {
        cache.evictOlderThan(cutoffNanos);
    }

    /** The key index of a compacted partition; null otherwise. */
    KeyIndex keyIndex() {
        return index;
    }

    /** Starts waking this cursor after every append. */
    void attach(PartitionCursor cursor) {
        cursors.add(cursor);
    }

    /** Stops waking this cursor. */
    void detach(PartitionCursor cursor) {
        cursors.remove(cursor);
    }

    /** Ends the subscription of every cursor reading this feed (the feed cannot go on). */
    void endSubscriptions(Throwable cause) {
        for (PartitionCursor c : cursors) {
            c.subscription.terminate(cause);
        }
    }

    /** One more subscription reads this feed. Hub's feeds lock held. */
    void addInterest() {
        interest++;
    }

    /** One subscription fewer; the last one starts the idle clock. Hub's feeds lock held. */
    void releaseInterest(long nowNanos) {
        if (--interest == 0) {
            idleSinceNanos = nowNanos;
        }
    }

    /** Keeps this feed whatever the interest (a bootstrap topic's). Hub's feeds lock held. */
    void pin() {
        pinned = true;
    }

    /** Whether the feed had no subscriber (and no pin) for at least the grace. Hub's feeds lock held. */
    boolean idleFor(long nowNanos, long graceNanos) {
        return !pinned && interest == 0 && nowNanos - idleSinceNanos >= graceNanos;
    }

    @Override
    protected void run() {
        hub.sharedReaderRunning(this);
        KafkaConsumer<byte[], byte[]> c = null;
        try {
            c = hub.kafka().newReader("hub-" + partition.topic() + "-" + partition.partition(), hub.readerProperties());
            consumer = c;
            if (!running) {
                return;
            }
            c.assign(List.of(partition));
            long start = resolveStart(c);
            LOG.debug("event=hub-reader-started partition={} offset={}", partition, start);
            reposition(start);
            long lastHead = start;
            while (running) {
                try {
                    lastHead = readOnce(c, lastHead);
                } catch (WakeupException e) {
                    // stop() woke us; the loop condition decides
                } catch (OffsetOutOfRangeException e) {
                    outOfRange(c, e);
                } catch (AuthorizationException e) {
                    throw e;
                } catch (KafkaException e) {
                    if (!running) {
                        break;
                    }
                    long suppressed = READER_ERROR_WARNINGS.admit();
                    if (suppressed >= 0) {
                        LOG.warn("event=hub-reader-error partition={} error=\"{}\" action=retry-in-1s suppressed={}",
                                partition, e.getMessage(), suppressed);
                    }
                    sleep(1000);
                }
            }
        } catch (WakeupException e) {
            // stopped while starting
        } catch (RuntimeException e) {
            long suppressed = READER_FAILED_WARNINGS.admit();
            if (suppressed >= 0) {
                // a subscription to a topic Kafka's ACLs refuse starts (and fails) a reader each time
                LOG.warn("event=hub-reader-failed partition={} error=\"{}\" action=end-subscriptions suppressed={}",
                        LogValue.of(partition), LogValue.of(e.toString()), suppressed);
            }
            hub.sharedReaderFailed(this, e);
        } finally {
            if (c != null) {
                try {
                    c.close(Duration.ofSeconds(2));
                } catch (RuntimeException e) {
                    LOG.debug("closing hub reader of {} failed: {}", partition, e.toString());
                }
            }
            cache.evictAll();
            hub.sharedReaderStopped(this);
        }
    }

    private long resolveStart(KafkaConsumer<byte[], byte[]> c) {
        if (requestedStart == EARLIEST) {
            c.seekToBeginning(List.of(partition));
        } else if (requestedStart == LATEST) {
            c.seekToEnd(List.of(partition));
        } else {
            c.seek(partition, requestedStart);
            return requestedStart;
        }
        return c.position(partition);
    }

    private long readOnce(KafkaConsumer<byte[], byte[]> c, long lastHead) {
        List<ConsumerRecord<byte[], byte[]>> records = c.poll(POLL_TIMEOUT).records(partition);
        long head = c.position(partition);
        if (records.isEmpty() && head == lastHead) {
            return head;
        }
        long now = System.nanoTime();
        List<CachedEntry> entries = new ArrayList<>(records.size());
        long bytes = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            CachedEntry e = CachedEntry.of(r, now);
            entries.add(e);
            bytes += e.bytes;
        }
        publish(entries, head, bytes);
        hub.counters().sharedRecordsIn.add(records.size());
        return head;
    }

    /**
     * Makes room under the hub's memory cap, appends what the reader read, and wakes the cursors.
     * Called by the reader thread (and by tests standing in for it): one caller at a time.
     */
    void publish(List<CachedEntry> entries, long head, long bytes) {
        hub.makeRoom(this, bytes);
        cache.append(entries, head, index, System.nanoTime());
        wakeCursors(!entries.isEmpty(), false);
    }

    /** Positions the cache where the reader (re)starts and wakes the cursors. Reader thread (or a test standing in for it). */
    void reposition(long offset) {
        cache.position(offset);
        wakeCursors(true, true);
    }

    /** Kafka no longer has (or does not yet have) the offset the reader is at. */
    private void outOfRange(KafkaConsumer<byte[], byte[]> c, OffsetOutOfRangeException e) {
        Long at = e.offsetOutOfRangePartitions().get(partition);
        long position = at == null ? c.position(partition) : at;
        Map<TopicPartition, Long> begin = c.beginningOffsets(List.of(partition));
        Map<TopicPartition, Long> end = c.endOffsets(List.of(partition));
        long first = begin.get(partition);
        long last = end.get(partition);
        if (position < first) {
            // retention deleted records before the shared reader got to them: every cursor passing here is told
            LOG.warn("event=hub-reader-gap partition={} from={} to={}", partition, position, first);
            c.seek(partition, first);
            publish(List.of(CachedEntry.gap(position, first, System.nanoTime())), first, 0);
        } else {
            LOG.warn("event=hub-partition-truncated partition={} position={} end={} action=restart-at-end",
                    partition, position, last);
            c.seek(partition, last);
            reposition(last);
        }
    }

    /** Tells waiting subscribers that the partition moved; each decides whether it has something new. */
    private void wakeCursors(boolean appended, boolean always) {
        for (PartitionCursor cursor : cursors) {
            cursor.subscription.feedAdvanced(cursor, appended, always);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
