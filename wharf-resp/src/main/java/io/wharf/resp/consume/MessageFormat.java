package io.wharf.resp.consume;

/** How a consumed record is sent to the client. */
enum MessageFormat {
    /** Rafka's: topic, partition, offset, value. */
    RAFKA,
    /** Rafka's four fields followed by key, timestamp and headers. */
    FULL
}
