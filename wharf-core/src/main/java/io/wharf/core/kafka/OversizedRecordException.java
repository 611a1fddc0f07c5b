package io.wharf.core.kafka;

import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * A record of a send is larger than Kafka accepts ({@link RecordSize} against the smaller of the
 * producer's {@code max.request.size} and the topic's {@code max.message.bytes}); none of the
 * send's records was sent.
 */
public class OversizedRecordException extends RecordTooLargeException {
    private static final long serialVersionUID = 1L;
    private final int index;
    private final int size;
    private final int limit;
    private final String limitTopic;

    /**
     * @param index      the record's position in its send
     * @param size       its size estimate
     * @param limit      the most Kafka accepts
     * @param limitTopic the topic whose {@code max.message.bytes} is the limit, or null for the producer's {@code max.request.size}
     */
    public OversizedRecordException(int index, int size, int limit, String limitTopic) {
        super("Record of " + size + " bytes is larger than " + limit + " bytes, the most "
                + (limitTopic == null ? "the producer's max.request.size" : "topic '" + limitTopic + "' max.message.bytes")
                + " allows; nothing was sent");
        this.index = index;
        this.size = size;
        this.limit = limit;
        this.limitTopic = limitTopic;
    }

    /** The record's position in its send. */
    public int index() {
        return index;
    }

    /** The record's size estimate in bytes. */
    public int size() {
        return size;
    }

    /** The most Kafka accepts, in bytes. */
    public int limit() {
        return limit;
    }

    /** The setting that sets the limit: {@code max.request.size} or {@code max.message.bytes}. */
    public String limitSetting() {
        return limitTopic == null ? "max.request.size" : "max.message.bytes";
    }
}
