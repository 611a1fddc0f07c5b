package io.wharf.relay.webhook;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SortedMap;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The relay's view of one assigned partition: every received event not yet below the finished
 * prefix (in offset order), a FIFO lane per key, the lanes whose head may be sent now, and the
 * outputs waiting for their commit. Owned by the route's thread; a new assignment gets a new
 * instance, so completions that arrive for an old one are recognised and ignored.
 */
final class PartitionWork {
    final TopicPartition tp;
    /** received events at or above the first unfinished one, in offset order */
    final ArrayDeque<WebhookEvent> window = new ArrayDeque<>();
    /** outputs of finished events by offset, until a commit writes them */
    final TreeMap<Long, ProducerRecord<byte[], byte[]>> pendingOutputs = new TreeMap<>();
    private final Map<ByteBuffer, KeyLane> lanes = new HashMap<>();
    // Ready lanes, lowest head offset first (finishing old events is what moves the commit forward).
    // Lanes made ready by a new record arrive in offset order, so a FIFO keeps them sorted for free;
    // only lanes readied again (next event of a key, or a retry) need the heap.
    private final ArrayDeque<KeyLane> readyFresh = new ArrayDeque<>();
    private final PriorityQueue<KeyLane> readyAgain = new PriorityQueue<>(Comparator.comparingLong(KeyLane::headOffset));
    /**
     * Finished offsets at or above the committed offset that the last commit recorded, whoever made it
     * (an earlier owner, read from the commit metadata at assignment, or this one): every later commit
     * must record them again, because their outputs were written with that commit.
     */
    private OffsetRanges recorded;
    long committedOffset;
    String committedMetadata;
    /** one past the last received offset; -1 before the first record */
    long nextOffset = -1;
    int inFlight;
    long bufferedBytes;
    boolean paused;
    boolean revoking;
    boolean closed;

    PartitionWork(TopicPartition tp, long committedOffset, String committedMetadata, OffsetRanges restored) {
        this.tp = tp;
        this.committedOffset = committedOffset;
        this.committedMetadata = committedMetadata == null ? "" : committedMetadata;
        this.recorded = restored;
    }

    /**
     * Takes a received record. Returns the new event, already finished when an earlier owner
     * finished it, or null for a record at or below one already taken (never expected).
     */
    WebhookEvent accept(ConsumerRecord<byte[], byte[]> record, String idempotencyKey) {
        if (record.offset() < nextOffset || (committedOffset >= 0 && record.offset() < committedOffset)) {
            return null;
        }
        WebhookEvent event = new WebhookEvent(this, record.offset(), record.key(), record.value(), record.headers(),
                record.timestamp(), idempotencyKey);
        window.addLast(event);
        nextOffset = record.offset() + 1;
        if (recorded.contains(record.offset())) {
            event.finish(null);
            trimPrefix();
            return event;
        }
        bufferedBytes += event.bytes;
        KeyLane lane = record.key() == null ? new KeyLane(null)
                : lanes.computeIfAbsent(ByteBuffer.wrap(record.key()), KeyLane::new);
        lane.events.addLast(event);
        event.lane = lane;
        if (lane.events.size() == 1 && !revoking) {
            readyFresh.addLast(lane);
        }
        return event;
    }

    boolean hasReady() {
        return !readyFresh.isEmpty() || !readyAgain.isEmpty();
    }

    /** The next event to send: the head of the ready lane with the lowest offset. */
    WebhookEvent pollReady() {
        KeyLane fresh = readyFresh.peekFirst();
        KeyLane again = readyAgain.peek();
        KeyLane lane;
        if (fresh == null) {
            lane = readyAgain.poll();
        } else if (again == null || fresh.headOffset() < again.headOffset()) {
            lane = readyFresh.pollFirst();
        } else {
            lane = readyAgain.poll();
        }
        return lane == null ? null : lane.head();
    }

    /** After an event's {@link WebhookEvent#finish}: the next event of its key may go. */
    void finished(WebhookEvent event) {
        bufferedBytes -= event.bytes;
        KeyLane lane = event.lane;
        WebhookEvent head = lane.events.pollFirst();
        if (head != event) {
            throw new IllegalStateException("finished " + tp + "@" + event.offset + " is not the head of its key");
        }
        if (lane.events.isEmpty()) {
            if (lane.key != null) {
                lanes.remove(lane.key);
            }
        } else if (!revoking) {
            readyAgain.add(lane);
        }
        trimPrefix();
    }

    /** After a retry's backoff: the event may be sent again. */
    void readyAgain(WebhookEvent event) {
        event.state = WebhookEvent.State.WAITING;
        if (!revoking && !closed) {
            readyAgain.add(event.lane);
        }
    }

    /** Revoke or shutdown: nothing more starts; what is in flight may still finish. */
    void stopDispatching() {
        revoking = true;
        readyFresh.clear();
        readyAgain.clear();
    }

    int buffered() {
        return window.size();
    }

    private void trimPrefix() {
        while (!window.isEmpty() && window.peekFirst().finished()) {
            window.pollFirst();
        }
    }

    /** Every record below this offset is finished; -1 when nothing was received and nothing committed. */
    long prefix() {
        if (!window.isEmpty()) {
            return window.peekFirst().offset;
        }
        return nextOffset >= 0 ? nextOffset : committedOffset;
    }

    /**
     * What a commit now would record, or null when it would change nothing. Finished offsets that
     * an earlier commit recorded are always carried on (their outputs were written with that commit,
     * so forgetting them would let a later owner write those outputs again); the rest of the finished
     * offsets are recorded up to a cut chosen so the metadata fits (what the last commit recorded fit,
     * so recording only that always fits), and only outputs below the cut are written.
     */
    CommitPlan plan() {
        long p = prefix();
        if (p < 0) {
            return null;
        }
        OffsetRanges carried = recorded.from(p);
        long cut = Long.MAX_VALUE;
        OffsetRanges finished = carried.union(own(p, cut));
        if (CommitMetadata.encodedLength(p, finished) > CommitMetadata.MAX_CHARS) {
            long[] candidates = windowOffsets();
            int lo = 0; // cutting at the first unfinished offset records nothing of ours: always fits
            int hi = candidates.length - 1;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (CommitMetadata.encodedLength(p, carried.union(own(p, candidates[mid]))) <= CommitMetadata.MAX_CHARS) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            cut = candidates.length == 0 ? p : candidates[lo];
            finished = carried.union(own(p, cut));
        }
        String metadata = CommitMetadata.encode(p, finished);
        // a copy: the commit may run on another thread while this partition's events keep finishing
        SortedMap<Long, ProducerRecord<byte[], byte[]>> outputs = new TreeMap<>(pendingOutputs.headMap(cut));
        if (p == committedOffset && metadata.equals(committedMetadata) && outputs.isEmpty()) {
            return null;
        }
        return new CommitPlan(this, p, metadata, finished, cut, outputs);
    }

    /** The transaction of a plan committed: exactly its outputs are written (others may have arrived since). */
    void committed(CommitPlan plan) {
        committedOffset = plan.offset();
        committedMetadata = plan.metadata();
        // what this commit recorded is what the next one must carry
        recorded = plan.recorded();
        plan.outputs().forEach((offset, output) -> {
            if (pendingOutputs.get(offset) == output) {
                pendingOutputs.remove(offset);
            }
        });
    }

    /** Offsets in [p, min(cut, nextOffset)) that are finished: everything but the unfinished events (gaps included). */
    private OffsetRanges own(long p, long cut) {
        long limit = Math.min(cut, nextOffset);
        OffsetRanges.Builder b = OffsetRanges.builder();
        long cursor = p;
        for (WebhookEvent e : window) {
            if (e.offset >= limit) {
                break;
            }
            if (!e.finished()) {
                b.add(cursor, e.offset);
                cursor = e.offset + 1;
            }
        }
        b.add(cursor, limit);
        return b.build();
    }

    private long[] windowOffsets() {
        long[] offsets = new long[window.size()];
        int i = 0;
        for (WebhookEvent e : window) {
            offsets[i++] = e.offset;
        }
        return offsets;
    }
}
