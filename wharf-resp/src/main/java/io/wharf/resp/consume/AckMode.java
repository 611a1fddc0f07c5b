package io.wharf.resp.consume;

/** What {@code RPUSH acks <topic>:<partition>:<offset>} means. */
enum AckMode {
    /** Rafka's: everything up to the offset in that partition is done (like a Kafka commit). */
    CUMULATIVE,
    /** Only that record is done; commits advance over the contiguous acknowledged prefix. */
    INDIVIDUAL
}
