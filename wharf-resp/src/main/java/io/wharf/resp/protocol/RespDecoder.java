package io.wharf.resp.protocol;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Reads RESP commands: multi-bulk arrays ({@code *2\r\n$4\r\nPING\r\n...}) and inline lines
 * ({@code PING\r\n}). It remembers how far it got inside a command, so a large bulk string that
 * arrives in pieces is never re-scanned, and it holds at most one command's bytes. A broken stream
 * yields one {@link ProtocolViolation} and everything after it is discarded. One instance per
 * connection (it is stateful).
 */
public final class RespDecoder extends ByteToMessageDecoder {
    /** Longest inline command line, as in Redis. */
    static final int MAX_INLINE_BYTES = 64 * 1024;
    /** Most elements in one multi-bulk command, as in Redis. */
    static final int MAX_ARGS = 1024 * 1024;
    // "*1048576\r\n" or "$2147483647\r\n" fit easily; a longer header line is garbage
    private static final int MAX_HEADER_BYTES = 32;

    private final int maxBulkBytes;
    private final long maxRequestBytes;

    // The command being assembled: argsExpected < 0 means between commands.
    private int argsExpected = -1;
    private List<byte[]> args;
    private int bulkLength = -1;
    private long requestBytes;
    private boolean broken;

    public RespDecoder(int maxBulkBytes, long maxRequestBytes) {
        this.maxBulkBytes = maxBulkBytes;
        this.maxRequestBytes = maxRequestBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.isReadable()) {
            if (argsExpected < 0 && !startCommand(in, out)) {
                return;
            }
            if (argsExpected < 0) {
                continue;
            }
            while (args.size() < argsExpected) {
                if (bulkLength < 0 && !readBulkHeader(in, out)) {
                    return;
                }
                if (in.readableBytes() < bulkLength + 2L) {
                    return;
                }
                byte[] arg = new byte[bulkLength];
                in.readBytes(arg);
                if (in.readByte() != '\r' || in.readByte() != '\n') {
                    fail(in, out, "Protocol error: expected CRLF after a bulk string");
                    return;
                }
                args.add(arg);
                bulkLength = -1;
            }
            out.add(new RespRequest(args));
            argsExpected = -1;
            args = null;
        }
    }

    /** Starts a multi-bulk command or handles one whole inline line; false when more bytes are needed (or the stream broke). */
    private boolean startCommand(ByteBuf in, List<Object> out) {
        if (in.getByte(in.readerIndex()) == '*') {
            int eol = findLineEnd(in, MAX_HEADER_BYTES);
            if (eol < 0) {
                if (eol == -2 || in.readableBytes() > MAX_HEADER_BYTES) {
                    fail(in, out, "Protocol error: invalid multibulk length");
                }
                return false;
            }
            long n = parseNumber(in, in.readerIndex() + 1, eol);
            in.readerIndex(eol + 2);
            if (n == Long.MIN_VALUE || n > MAX_ARGS) {
                fail(in, out, "Protocol error: invalid multibulk length");
                return false;
            }
            if (n > 0) {
                argsExpected = (int) n;
                args = new ArrayList<>(Math.min(argsExpected, 16));
                requestBytes = 0;
            }
            return true;
        }
        int lf = in.indexOf(in.readerIndex(), in.readerIndex() + Math.min(in.readableBytes(), MAX_INLINE_BYTES + 1), (byte) '\n');
        if (lf < 0) {
            if (in.readableBytes() > MAX_INLINE_BYTES) {
                fail(in, out, "Protocol error: too big inline request");
            }
            return false;
        }
        int end = lf > in.readerIndex() && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
        byte[] line = new byte[end - in.readerIndex()];
        in.getBytes(in.readerIndex(), line);
        in.readerIndex(lf + 1);
        List<byte[]> inline = InlineArguments.split(line);
        if (inline == null) {
            fail(in, out, "Protocol error: unbalanced quotes in request");
            return false;
        }
        if (!inline.isEmpty()) {
            out.add(new RespRequest(inline));
        }
        return true;
    }

    private boolean readBulkHeader(ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return false;
        }
        byte first = in.getByte(in.readerIndex());
        if (first != '$') {
            fail(in, out, "Protocol error: expected '$', got '" + printable(first) + "'");
            return false;
        }
        int eol = findLineEnd(in, MAX_HEADER_BYTES);
        if (eol < 0) {
            if (eol == -2 || in.readableBytes() > MAX_HEADER_BYTES) {
                fail(in, out, "Protocol error: invalid bulk length");
            }
            return false;
        }
        long len = parseNumber(in, in.readerIndex() + 1, eol);
        in.readerIndex(eol + 2);
        if (len < 0) {
            fail(in, out, "Protocol error: invalid bulk length");
            return false;
        }
        if (len > maxBulkBytes) {
            fail(in, out, "Protocol error: bulk string of " + len + " bytes exceeds the limit of " + maxBulkBytes
                    + " bytes (resp.max-bulk-bytes)");
            return false;
        }
        requestBytes += len;
        if (requestBytes > maxRequestBytes) {
            fail(in, out, "Protocol error: command larger than " + maxRequestBytes + " bytes (resp.max-request-bytes)");
            return false;
        }
        bulkLength = (int) len;
        return true;
    }

    /**
     * Index of the CR of the first CRLF within {@code limit} bytes; -1 when more bytes are needed;
     * -2 when a CR is followed by something else (never a valid header).
     */
    private static int findLineEnd(ByteBuf in, int limit) {
        int start = in.readerIndex();
        int end = start + Math.min(in.readableBytes(), limit + 2);
        int cr = in.indexOf(start, end, (byte) '\r');
        if (cr < 0 || cr + 1 >= in.writerIndex()) {
            return -1;
        }
        return in.getByte(cr + 1) == '\n' ? cr : -2;
    }

    /** A non-negative decimal between {@code from} and {@code to}, -1 for "-1", Long.MIN_VALUE when malformed. */
    private static long parseNumber(ByteBuf in, int from, int to) {
        if (from >= to || to - from > 19) {
            return Long.MIN_VALUE;
        }
        boolean negative = in.getByte(from) == '-';
        int i = negative ? from + 1 : from;
        if (i >= to) {
            return Long.MIN_VALUE;
        }
        long value = 0;
        for (; i < to; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                return Long.MIN_VALUE;
            }
            value = value * 10 + (b - '0');
        }
        return negative ? -value : value;
    }

    private void fail(ByteBuf in, List<Object> out, String message) {
        broken = true;
        args = null;
        in.skipBytes(in.readableBytes());
        out.add(new ProtocolViolation(message));
    }

    private static String printable(byte b) {
        return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }
}
