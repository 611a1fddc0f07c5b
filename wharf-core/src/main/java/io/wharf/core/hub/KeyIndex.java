package io.wharf.core.hub;

import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For a compacted partition: the offset of the latest value of every key the shared reader has
 * read (tombstones remove keys). It lets a snapshot read from Kafka deliver only the latest value
 * per key when the cache no longer reaches back far enough. Written by the shared reader only;
 * bounded: past its byte limit it gives up ({@link #intact()} turns false) and snapshots beyond the
 * cache replay every record instead.
 */
final class KeyIndex {
    private static final Logger LOG = LoggerFactory.getLogger(KeyIndex.class);
    private static final int ENTRY_OVERHEAD_BYTES = 80;

    private final String name;
    private final long maxBytes;
    private final ConcurrentHashMap<KeyBytes, Long> latest = new ConcurrentHashMap<>();
    private volatile long bytes; // written by the shared reader only
    private volatile boolean intact;

    KeyIndex(String name, long maxBytes) {
        this.name = name;
        this.maxBytes = maxBytes;
        this.intact = maxBytes > 0;
    }

    /** Records what the shared reader read; called by the shared reader only. */
    void record(CachedEntry entry) {
        if (!intact || entry.gap || entry.key == null) {
            return;
        }
        KeyBytes key = new KeyBytes(entry.key);
        if (entry.value == null) {
            if (latest.remove(key) != null) {
                bytes -= key.length() + ENTRY_OVERHEAD_BYTES;
            }
            return;
        }
        if (latest.put(key, entry.offset) == null) {
            bytes += key.length() + ENTRY_OVERHEAD_BYTES;
            if (bytes > maxBytes) {
                intact = false;
                latest.clear();
                bytes = 0;
                LOG.warn("event=hub-key-index-full partition={} max-bytes={} effect=\"snapshots beyond the cache "
                        + "replay every record\"", name, maxBytes);
            }
        }
    }

    /** Whether the index still knows every key. */
    boolean intact() {
        return intact;
    }

    /** Whether the record at this offset holds its key's latest value (false for tombstoned keys). */
    boolean isLatest(byte[] key, long offset) {
        Long at = latest.get(new KeyBytes(key));
        return at != null && at == offset;
    }

    /** Approximate heap held. */
    long bytes() {
        return bytes;
    }
}
