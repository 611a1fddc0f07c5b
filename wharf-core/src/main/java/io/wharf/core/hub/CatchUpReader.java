package io.wharf.core.hub;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscription's own Kafka read for partitions where it is behind the shared cache: reads from
 * the subscriber's position into its bounded queue, only while the queue has room, and hands each
 * partition back to the cache as soon as it reaches what the cache holds. Records Kafka no longer
 * has become an explicit gap. The consumer is used by this reader's thread only.
 */
final class CatchUpReader extends ReaderThread {
    private static final Logger LOG = LoggerFactory.getLogger(CatchUpReader.class);
    // every catch-up reader retries each second while Kafka is away: one line per interval for all of them
    private static final io.wharf.core.logging.WarningThrottle CATCHUP_ERROR_WARNINGS =
            new io.wharf.core.logging.WarningThrottle(java.time.Duration.ofSeconds(5));
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    private static final int MAX_BATCH = 500;

    private final KafkaTopicHub hub;
    private final HubSubscription subscription;
    private final String topic;
    private final int batch;

    CatchUpReader(KafkaTopicHub hub, HubSubscription subscription) {
        super("wharf-hub-catchup-" + subscription.topic());
        this.hub = hub;
        this.subscription = subscription;
        this.topic = subscription.topic();
        this.batch = Math.max(1, Math.min(MAX_BATCH, subscription.capacity / 2));
    }

    void start() {
        hub.catchUpReaderStarted(this);
        startThread();
    }

    @Override
    protected void run() {
        boolean failed = false;
        KafkaConsumer<byte[], byte[]> c = null;
        try {
            Map<String, Object> props = new HashMap<>(hub.readerProperties());
            props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, batch);
            // a catch-up read buffers little: the subscriber's queue is where records wait
            props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 1024 * 1024);
            props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1024 * 1024);
            c = hub.kafka().newReader("hub-catchup-" + topic, props);
            consumer = c;
            Map<Integer, Integer> seekedEpochs = new HashMap<>();
            Set<TopicPartition> assigned = new HashSet<>();
            while (running) {
                HubSubscription.Plan plan = subscription.awaitWork(this, batch, hub.idleGraceNanos());
                if (plan == null || !running) {
                    break;
                }
                try {
                    fetchOnce(c, plan, seekedEpochs, assigned);
                } catch (WakeupException e) {
                    // stop() woke us
                } catch (AuthorizationException e) {
                    subscription.terminate(e);
                    break;
                } catch (KafkaException e) {
                    if (!running) {
                        break;
                    }
                    long suppressed = CATCHUP_ERROR_WARNINGS.admit();
                    if (suppressed >= 0) {
                        LOG.warn("event=hub-catchup-error topic={} error=\"{}\" action=retry-in-1s suppressed={}", topic,
                                e.getMessage(), suppressed);
                    }
                    seekedEpochs.clear();
                    Thread.sleep(1000);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failed = true;
            LOG.warn("event=hub-catchup-failed topic={} error=\"{}\"", topic, e.toString());
        } finally {
            if (c != null) {
                try {
                    c.close(Duration.ofSeconds(2));
                } catch (RuntimeException e) {
                    LOG.debug("closing catch-up reader of {} failed: {}", topic, e.toString());
                }
            }
            subscription.readerExited(this, failed);
            hub.catchUpReaderStopped(this);
        }
    }

    private void fetchOnce(KafkaConsumer<byte[], byte[]> c, HubSubscription.Plan plan,
                           Map<Integer, Integer> seekedEpochs, Set<TopicPartition> assigned) {
        int n = plan.cursorIndexes().length;
        Set<TopicPartition> wanted = new HashSet<>();
        for (int i = 0; i < n; i++) {
            wanted.add(new TopicPartition(topic, plan.partitions()[i]));
        }
        if (!wanted.equals(assigned)) {
            c.assign(wanted);
            assigned.clear();
            assigned.addAll(wanted);
            seekedEpochs.keySet().retainAll(plan.partitions().length == 0 ? Set.of() : partitionSet(plan));
        }
        for (int i = 0; i < n; i++) {
            Integer seen = seekedEpochs.get(plan.partitions()[i]);
            if (seen == null || seen != plan.epochs()[i]) {
                c.seek(new TopicPartition(topic, plan.partitions()[i]), plan.offsets()[i]);
                seekedEpochs.put(plan.partitions()[i], plan.epochs()[i]);
            }
        }
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = c.poll(POLL_TIMEOUT);
        } catch (OffsetOutOfRangeException e) {
            outOfRange(c, plan, e);
            return;
        }
        hub.counters().catchUpRecordsIn.add(records.count());
        boolean wake = false;
        for (int i = 0; i < n; i++) {
            TopicPartition tp = new TopicPartition(topic, plan.partitions()[i]);
            List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            wake |= subscription.caughtUp(this, plan.cursorIndexes()[i], plan.epochs()[i], list, c.position(tp));
        }
        if (wake) {
            subscription.signal();
        }
    }

    private static Set<Integer> partitionSet(HubSubscription.Plan plan) {
        Set<Integer> set = new HashSet<>();
        for (int p : plan.partitions()) {
            set.add(p);
        }
        return set;
    }

    private void outOfRange(KafkaConsumer<byte[], byte[]> c, HubSubscription.Plan plan, OffsetOutOfRangeException e) {
        boolean wake = false;
        for (int i = 0; i < plan.cursorIndexes().length; i++) {
            TopicPartition tp = new TopicPartition(topic, plan.partitions()[i]);
            Long at = e.offsetOutOfRangePartitions().get(tp);
            if (at == null) {
                continue;
            }
            long first = c.beginningOffsets(List.of(tp)).get(tp);
            long end = c.endOffsets(List.of(tp)).get(tp);
            if (at < first) {
                LOG.info("event=hub-gap topic={} partition={} from={} to={} reason=log-start-moved", topic,
                        tp.partition(),
                        at, first);
                c.seek(tp, first);
                wake |= subscription.gap(this, plan.cursorIndexes()[i], plan.epochs()[i], at, first);
            } else {
                LOG.warn("event=hub-partition-truncated topic={} partition={} position={} end={}", topic,
                        tp.partition(), at, end);
                c.seek(tp, end);
                subscription.skipTo(this, plan.cursorIndexes()[i], plan.epochs()[i], end);
                wake = true;
            }
        }
        if (wake) {
            subscription.signal();
        }
    }
}
