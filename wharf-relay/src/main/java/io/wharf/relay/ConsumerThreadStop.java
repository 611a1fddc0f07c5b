package io.wharf.relay;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.Consumer;

/**
 * How a route or poller stops the thread that owns its Kafka consumer: wake the consumer (the only
 * call another thread may make on it), then wait, bounded, for the thread's finished latch.
 */
public final class ConsumerThreadStop {
    private ConsumerThreadStop() {
    }

    /**
     * Wakes the consumer, if one was opened.
     *
     * @return false when the thread never ran (start() failed): the caller then releases what start() opened
     */
    public static boolean wake(Thread thread, Consumer<?, ?> consumer) {
        if (consumer != null) {
            consumer.wakeup();
        }
        return thread.getState() != Thread.State.NEW;
    }

    /** Waits for the thread to finish; false when it did not in time. An interrupt ends the wait (flag kept) as finished. */
    public static boolean awaitFinished(CountDownLatch finished, long timeoutMillis) {
        try {
            return finished.await(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }
}
