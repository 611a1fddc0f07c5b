package io.wharf.relay.webhook;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * The commit metadata of a partition: the offsets finished beyond the committed offset, so that
 * whoever owns the partition next skips them instead of calling the endpoint again.
 *
 * <p>Format: {@code wharf1:} then base64url (no padding) of unsigned varints, relative to the
 * committed offset: the distance to the first finished offset, the length of that finished run,
 * the distance to the next finished run, its length, and so on. Kafka keeps up to 4,096 characters
 * of metadata by default ({@code offset.metadata.max.bytes}); {@link #MAX_CHARS} stays below it.
 */
final class CommitMetadata {
    static final String PREFIX = "wharf1:";
    static final int MAX_CHARS = 3_900;

    private CommitMetadata() {
    }

    /** Encodes finished ranges (all at or above {@code committed}); empty ranges encode to an empty string. */
    static String encode(long committed, OffsetRanges finished) {
        if (finished.isEmpty()) {
            return "";
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(finished.size() * 4);
        long cursor = committed;
        for (int i = 0; i < finished.size(); i++) {
            long start = finished.start(i);
            if (start < cursor) {
                throw new IllegalArgumentException("finished offset " + start + " is below " + cursor);
            }
            writeVarint(out, start - cursor);
            writeVarint(out, finished.end(i) - start);
            cursor = finished.end(i);
        }
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(out.toByteArray());
    }

    /** Encoded length without building the string, to find what fits. */
    static int encodedLength(long committed, OffsetRanges finished) {
        if (finished.isEmpty()) {
            return 0;
        }
        long bytes = 0;
        long cursor = committed;
        for (int i = 0; i < finished.size(); i++) {
            bytes += varintLength(finished.start(i) - cursor) + varintLength(finished.end(i) - finished.start(i));
            cursor = finished.end(i);
        }
        return (int) Math.min(Integer.MAX_VALUE, PREFIX.length() + (bytes * 4 + 2) / 3);
    }

    /**
     * Decodes metadata written by {@link #encode}. Anything else (empty, another tool's metadata,
     * damage) decodes to no finished offsets: the events are then simply delivered again.
     */
    static OffsetRanges decode(long committed, String metadata) {
        if (metadata == null || !metadata.startsWith(PREFIX)) {
            return OffsetRanges.EMPTY;
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(Base64.getUrlDecoder().decode(metadata.substring(PREFIX.length())));
            OffsetRanges.Builder b = OffsetRanges.builder();
            long cursor = committed;
            while (in.hasRemaining()) {
                long start = Math.addExact(cursor, readVarint(in));
                long end = Math.addExact(start, readVarint(in));
                b.add(start, end);
                cursor = end;
            }
            return b.build();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("unreadable relay commit metadata: " + e.getMessage(), e);
        }
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static int varintLength(long value) {
        int n = 1;
        long v = value;
        while ((v & ~0x7FL) != 0) {
            n++;
            v >>>= 7;
        }
        return n;
    }

    private static long readVarint(ByteBuffer in) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.get();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (result < 0) {
                    throw new IllegalArgumentException("negative length");
                }
                return result;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }
}
