package io.wharf.resp.metrics;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.wharf.resp.protocol.RespValue;

/**
 * Rafka's {@code HGETALL stats} counters for this front door ({@code DEL stats} resets the counters;
 * the current-state values such as unflushed messages are not counters and stay).
 */
public final class RespStats {
    private final AtomicLong unflushed = new AtomicLong();
    private final LongAdder produced = new LongAdder();
    private final LongAdder deliveryErrors = new LongAdder();
    private final LongAdder consumed = new LongAdder();
    private final LongAdder commits = new LongAdder();
    private final LongAdder commitErrors = new LongAdder();

    /** Records were handed to the producer. */
    public void produceStarted(int records) {
        unflushed.addAndGet(records);
    }

    /** Kafka acknowledged or refused records handed to the producer. */
    public void produceFinished(int acknowledged, int failed) {
        unflushed.addAndGet(-(acknowledged + failed));
        deliveryErrors.add(failed);
        produced.add(acknowledged);
    }

    /** Records handed to the producer were refused before reaching Kafka (e.g. their topic does not exist). */
    public void produceRefused(int records) {
        unflushed.addAndGet(-records);
    }

    /** Records were delivered to a consuming client. */
    public void consumed(int records) {
        consumed.add(records);
    }

    /** An offset commit finished. */
    public void committed(boolean failed) {
        if (failed) {
            commitErrors.increment();
        } else {
            commits.increment();
        }
    }

    /** Records sent to Kafka and not yet acknowledged, over every connection. */
    public long unflushed() {
        return unflushed.get();
    }

    /** Delivery errors since the last reset. */
    public long deliveryErrors() {
        return deliveryErrors.sum();
    }

    /** Zeroes the counters ({@code DEL stats}). */
    public void reset() {
        produced.reset();
        deliveryErrors.reset();
        consumed.reset();
        commits.reset();
        commitErrors.reset();
    }

    /** The reply to {@code HGETALL stats}: names and decimal values, as Rafka sends them. */
    public RespValue toReply(int connections, int blockedClients, int consumers) {
        return RespValue.Map.of(
                "producer.unflushed.messages", String.valueOf(unflushed.get()),
                "producer.delivery.errors", String.valueOf(deliveryErrors.sum()),
                "producer.messages", String.valueOf(produced.sum()),
                "consumer.messages", String.valueOf(consumed.sum()),
                "consumer.commits", String.valueOf(commits.sum()),
                "consumer.commit.errors", String.valueOf(commitErrors.sum()),
                "consumer.active", String.valueOf(consumers),
                "clients.connected", String.valueOf(connections),
                "clients.blocked", String.valueOf(blockedClients));
    }
}
