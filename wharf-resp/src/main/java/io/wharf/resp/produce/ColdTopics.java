package io.wharf.resp.produce;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Which topics the shared producer has sent to recently. The Kafka producer blocks its caller
 * while it fetches metadata for a topic it has not used (or has forgotten after
 * {@code metadata.max.idle.ms}), so sends to such a topic run on this class's one thread, never
 * on an event loop; once a send returned, the topic is warm and later sends go straight from the
 * event loop.
 */
public final class ColdTopics implements AutoCloseable {
    private static final long TOUCH_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final long warmForNanos;
    private final ConcurrentMap<String, Long> lastSend = new ConcurrentHashMap<>();
    // one send per cold produce command; bounded, a full queue refuses the command
    private final ThreadPoolExecutor firstSends = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(10_000), new DefaultThreadFactory("wharf-resp-first-send", true));

    /** @param metadataMaxIdleMillis the producer's {@code metadata.max.idle.ms}: topics idle for half of it count as cold */
    public ColdTopics(long metadataMaxIdleMillis) {
        this.warmForNanos = TimeUnit.MILLISECONDS.toNanos(metadataMaxIdleMillis) / 2;
        this.firstSends.allowCoreThreadTimeOut(true);
    }

    /** Whether sends to the topic can run on an event loop without waiting for metadata. */
    public boolean warm(String topic) {
        Long last = lastSend.get(topic);
        return last != null && System.nanoTime() - last < warmForNanos;
    }

    /** A send to the topic returned: its metadata is in the producer. */
    public void sent(String topic) {
        long now = System.nanoTime();
        Long last = lastSend.get(topic);
        if (last == null || now - last > TOUCH_EVERY_NANOS) {
            lastSend.put(topic, now);
        }
    }

    /** Where sends to cold topics run. */
    public Executor executor() {
        return firstSends;
    }

    @Override
    public void close() {
        firstSends.shutdown();
    }
}
