package io.wharf.core.access;

import java.util.Locale;

/** What a principal asks to do: to a topic, or (join, commit) to a consumer group. */
public enum Operation {
    /** Write records to a topic. */
    PRODUCE,
    /** Read records of a topic (hub streams and group reads). */
    CONSUME,
    /** See that a topic exists and its partitions and offsets (listings, metadata). */
    DESCRIBE,
    /** Create a topic. */
    CREATE,
    /** Delete a topic. */
    DELETE,
    /** Join a consumer group. */
    JOIN,
    /** Commit offsets of a consumer group. */
    COMMIT;

    /** The operation's name in rules and error messages. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether it applies to consumer groups rather than topics. */
    public boolean onGroup() {
        return this == JOIN || this == COMMIT;
    }

    /** The operation a rule names, e.g. {@code consume}. */
    public static Operation of(String word) {
        return valueOf(word.toUpperCase(Locale.ROOT));
    }
}
