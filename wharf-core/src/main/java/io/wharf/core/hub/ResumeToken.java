package io.wharf.core.hub;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The next offset to read for each partition of a topic: carried by every delivered record, used as
 * an SSE event id, and accepted by any Wharf instance to resume exactly after it. Encoded as
 * URL-safe base64 of varint (partition, next offset) pairs.
 *
 * @param nextOffsets partition to the offset of the first record not yet delivered
 */
public record ResumeToken(Map<Integer, Long> nextOffsets) {
    public ResumeToken {
        // the hub's own vectors are immutable and sorted already: no copy on the delivery path
        nextOffsets = nextOffsets instanceof OffsetVector ? nextOffsets
                : Collections.unmodifiableMap(new TreeMap<>(nextOffsets));
    }

    /** This token with one partition moved to a new next offset. */
    public ResumeToken with(int partition, long nextOffset) {
        if (nextOffsets instanceof OffsetVector vector && vector.has(partition)) {
            return new ResumeToken(vector.with(partition, nextOffset));
        }
        TreeMap<Integer, Long> copy = new TreeMap<>(nextOffsets);
        copy.put(partition, nextOffset);
        return new ResumeToken(copy);
    }

    /** Compact, URL-safe text form. */
    public String encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(1); // format version
        nextOffsets.forEach((partition, offset) -> {
            writeVarLong(out, partition);
            writeVarLong(out, offset);
        });
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out.toByteArray());
    }

    /**
     * Parses {@link #encode()}'s form.
     *
     * @throws IllegalArgumentException when the text is not a resume token
     */
    public static ResumeToken decode(String text) {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a resume token: '" + text + "'");
        }
        if (bytes.length == 0 || bytes[0] != 1) {
            throw new IllegalArgumentException("not a resume token: '" + text + "'");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
        TreeMap<Integer, Long> offsets = new TreeMap<>();
        try {
            while (in.hasRemaining()) {
                long partition = readVarLong(in);
                long offset = readVarLong(in);
                if (partition < 0 || partition > Integer.MAX_VALUE || offset < 0) {
                    throw new IllegalArgumentException("not a resume token: '" + text + "'");
                }
                offsets.put((int) partition, offset);
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("not a resume token: '" + text + "'");
        }
        return new ResumeToken(offsets);
    }

    private static void writeVarLong(ByteArrayOutputStream out, long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static long readVarLong(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.get();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }

    @Override
    public String toString() {
        return encode();
    }
}
