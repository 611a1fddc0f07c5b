package io.wharf.core.kafka;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A run of records to one topic handed to {@link KafkaAccess#send(List)}, and what became of it:
 * {@link #accepted()} once the topic is known, the checks passed and the run is queued for the
 * shared producer (what an asynchronous produce replies on), {@link #answered()} once Kafka
 * acknowledged or refused every record (what a synchronous produce replies on). A run refused as a
 * whole (unknown topic, a record too large, the writer queue full) fails {@code accepted} and
 * answers every record with that refusal.
 *
 * <p>Outcomes arrive on Kafka's threads; readers see them once {@link #answered()} completed.
 */
public final class Sending {
    private final String topic;
    private final List<ProducerRecord<byte[], byte[]>> records;
    private final int bytes;
    private final int largest;
    private final RecordMetadata[] metadata;
    private final Throwable[] errors;
    private final AtomicInteger unanswered;
    private final AtomicInteger failed = new AtomicInteger();
    private final CompletableFuture<Void> accepted = new CompletableFuture<>();
    private final CompletableFuture<Sending> answered = new CompletableFuture<>();
    private volatile Throwable refusal;
    // set by the writer's checks: the topic the run was checked against (for the partition check)
    private TopicInfo topicInfo;

    Sending(List<ProducerRecord<byte[], byte[]>> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("a send needs at least one record");
        }
        this.topic = records.get(0).topic();
        this.records = records;
        long sum = 0;
        int max = 0;
        for (ProducerRecord<byte[], byte[]> r : records) {
            if (!topic.equals(r.topic())) {
                throw new IllegalArgumentException("the records of one send go to one topic, not '" + topic
                        + "' and '" + r.topic() + "'");
            }
            int size = RecordSize.of(r);
            sum += size;
            max = Math.max(max, size);
        }
        this.bytes = (int) Math.min(Integer.MAX_VALUE, sum);
        this.largest = max;
        this.metadata = new RecordMetadata[records.size()];
        this.errors = new Throwable[records.size()];
        this.unanswered = new AtomicInteger(records.size());
    }

    /** The topic every record goes to. */
    public String topic() {
        return topic;
    }

    /** The records, in the order they are sent. */
    public List<ProducerRecord<byte[], byte[]>> records() {
        return records;
    }

    /** How many records. */
    public int size() {
        return records.size();
    }

    /** The records' size estimate ({@link RecordSize}) together. */
    public int bytes() {
        return bytes;
    }

    /**
     * Completes once the run is queued for the producer (topic known, checks passed); fails with
     * the refusal ({@link UnknownTopicException}, {@link OversizedRecordException},
     * {@link KafkaUnavailableException}, or the topic lookup's error) when none of it will be sent.
     */
    public CompletableFuture<Void> accepted() {
        return accepted;
    }

    /** Completes (never exceptionally) once every record is acknowledged or failed. */
    public CompletableFuture<Sending> answered() {
        return answered;
    }

    /** Why the whole run was refused, or null. */
    public Throwable refusal() {
        return refusal;
    }

    /** How many records failed; read after {@link #answered()}. */
    public int failures() {
        return failed.get();
    }

    /** Record {@code i}'s partition and offset, or null when it failed; read after {@link #answered()}. */
    public RecordMetadata metadata(int i) {
        return metadata[i];
    }

    /** Why record {@code i} failed, or null; read after {@link #answered()}. */
    public Throwable error(int i) {
        return errors[i];
    }

    /** The first failed record's error, or null; read after {@link #answered()}. */
    public Throwable firstError() {
        if (refusal != null) {
            return refusal;
        }
        for (Throwable e : errors) {
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    int largest() {
        return largest;
    }

    TopicInfo topicInfo() {
        return topicInfo;
    }

    /** Checks the run against its topic; returns the refusal, or null once it may be sent. */
    Throwable check(TopicInfo info, int maxRequestBytes) {
        int limit = maxRequestBytes;
        String limitTopic = null;
        Integer topicLimit = parseInt(info.configs().get("max.message.bytes"));
        if (topicLimit != null && topicLimit < limit) {
            limit = topicLimit;
            limitTopic = info.name();
        }
        if (largest > limit) {
            for (int i = 0; i < records.size(); i++) {
                int size = RecordSize.of(records.get(i));
                if (size > limit) {
                    return new OversizedRecordException(i, size, limit, limitTopic);
                }
            }
        }
        this.topicInfo = info;
        return null;
    }

    void accept() {
        accepted.complete(null);
    }

    /** Refuses the whole run: nothing of it is sent. */
    void refuse(Throwable why) {
        refusal = why;
        failed.set(records.size());
        for (int i = 0; i < errors.length; i++) {
            errors[i] = why;
        }
        unanswered.set(0);
        accepted.completeExceptionally(why);
        answered.complete(this);
    }

    /** Record {@code i}'s outcome; the last one completes {@link #answered()}. */
    void answer(int i, RecordMetadata m, Throwable error) {
        if (error != null) {
            errors[i] = error;
            failed.incrementAndGet();
        } else {
            metadata[i] = m;
        }
        if (unanswered.decrementAndGet() == 0) {
            answered.complete(this);
        }
    }

    private static Integer parseInt(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
