package io.wharf.core.hub;

import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * A daemon thread that owns one Kafka consumer (used by this thread only, Kafka's contract) and
 * stops when asked: the flag ends its loop and a wakeup ends a poll in progress.
 */
abstract class ReaderThread {
    private final Thread thread;
    /** Cleared by {@link #stop}; the loop checks it. */
    protected volatile boolean running = true;
    /** Set by the thread once its consumer exists, so {@link #stop} can wake it. */
    protected volatile KafkaConsumer<byte[], byte[]> consumer;

    ReaderThread(String name) {
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    /** The reader's loop, on its own thread. */
    protected abstract void run();

    void startThread() {
        thread.start();
    }

    /** Asks the reader to stop at once. */
    void stop() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    /** Waits (bounded) for the reader thread to finish. */
    void awaitStopped(long millis) {
        try {
            thread.join(Math.max(1, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
