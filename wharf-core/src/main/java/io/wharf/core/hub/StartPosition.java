package io.wharf.core.hub;

/** Where a subscription starts reading. */
public sealed interface StartPosition {
    /** Only records appended after the subscription starts (on a compacted topic: the snapshot first, then live). */
    record Live() implements StartPosition {
    }

    /** From the oldest record Kafka still holds (on a compacted topic: latest value per key, then live). */
    record Earliest() implements StartPosition {
    }

    /** From this offset, inclusive, in every chosen partition. */
    record AtOffset(long offset) implements StartPosition {
    }

    /** From the first record whose timestamp is at or after this time (epoch milliseconds). */
    record AtTimestamp(long epochMillis) implements StartPosition {
    }

    /** Exactly after the records a resume token covers. */
    record FromToken(ResumeToken token) implements StartPosition {
    }
}
