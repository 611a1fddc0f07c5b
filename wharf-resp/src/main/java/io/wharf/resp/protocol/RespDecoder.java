package io.wharf.resp.protocol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * Reads RESP commands: multi-bulk arrays ({@code *2\r\n$4\r\nPING\r\n...}) and inline lines
 * ({@code PING\r\n}). It remembers how far it got inside a command, so a large bulk string that
 * arrives in pieces is never re-scanned, and it holds at most one command's bytes. A broken stream
 * yields one {@link ProtocolViolation} and everything after it is discarded.
 *
 * <p>What it holds of an incomplete command (unparsed bytes, and the arguments read so far, each
 * costing {@link #ELEMENT_BYTES} more than its length) counts against the door-wide
 * {@link RequestBudget}: while the budget is over its limit a connection holding an incomplete
 * command is not read ({@link #pausedForBudget()}), and a command that does not complete within
 * {@code resp.request-timeout} of its first byte is refused, naming the budget when it had to wait
 * for room and the timeout otherwise. Time the server itself stops reading the connection (replies
 * the client does not read, pipelining limits) does not count. One instance per connection, used on
 * its event loop (it is stateful).
 */
public final class RespDecoder extends ByteToMessageDecoder {
    /** Longest inline command line, as in Redis. */
    static final int MAX_INLINE_BYTES = 64 * 1024;
    /** Most elements in one multi-bulk command, as in Redis. */
    static final int MAX_ARGS = 1024 * 1024;
    /**
     * What one argument costs beyond its bytes (its array header and list slot, rounded up): a
     * million empty arguments weigh 32 MB against the limits, near the heap they take, not the 6 MB
     * they take on the wire.
     */
    static final int ELEMENT_BYTES = 32;
    // "*1048576\r\n" or "$2147483647\r\n" fit easily; a longer header line is garbage
    private static final int MAX_HEADER_BYTES = 32;

    private final int maxBulkBytes;
    private final long maxRequestBytes;
    private final RequestBudget budget;
    private final long requestTimeoutNanos;

    // What this connection holds of an incomplete command: its share of the budget.
    private long held;
    // the arguments of the command being assembled, with their element cost
    private long argBytes;
    private long partialSinceNanos;
    private boolean pausedForBudget;
    // the incomplete command had to wait for room in the budget: its refusal names the budget
    private boolean waitedForBudget;
    private ScheduledFuture<?> timer;
    private ChannelHandlerContext context;

    // The command being assembled: argsExpected < 0 means between commands.
    private int argsExpected = -1;
    private List<byte[]> args;
    private int bulkLength = -1;
    private long requestBytes;
    private boolean broken;

    /** A decoder with no door-wide budget and no request timeout (unit tests). */
    public RespDecoder(int maxBulkBytes, long maxRequestBytes) {
        this(maxBulkBytes, maxRequestBytes, RequestBudget.unlimited(), null);
    }

    /**
     * @param budget         the door-wide budget for incomplete commands
     * @param requestTimeout longest time from a command's first byte to its last, or null for none
     */
    public RespDecoder(int maxBulkBytes, long maxRequestBytes, RequestBudget budget, Duration requestTimeout) {
        this.maxBulkBytes = maxBulkBytes;
        this.maxRequestBytes = maxRequestBytes;
        this.budget = budget;
        this.requestTimeoutNanos = requestTimeout == null ? 0 : requestTimeout.toNanos();
    }

    /** Whether the decoder stopped reading because the door-wide budget is over its limit. */
    public boolean pausedForBudget() {
        return pausedForBudget;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.context = ctx;
        super.handlerAdded(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int before = out.size();
        decodeCommands(in, out);
        account(ctx, in.readableBytes(), out.size() > before);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (pausedForBudget) {
            // ByteToMessageDecoder asks for another read when a read decoded no command, even with
            // auto-read off: that would keep filling an incomplete command past the budget
            ctx.fireChannelReadComplete();
            return;
        }
        super.channelReadComplete(ctx);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        // the connection closed: its share of the budget is free
        release();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        super.channelInactive(ctx);
        release();
    }

    private void release() {
        if (held != 0) {
            budget.add(-held);
            held = 0;
        }
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        argBytes = 0;
        args = null;
    }

    /** Brings this connection's share of the budget up to date after a read; pauses it when the budget is over. */
    private void account(ChannelHandlerContext ctx, int unparsed, boolean completedOne) {
        long now = broken ? 0 : unparsed + (argsExpected >= 0 ? argBytes : 0);
        if (now == 0) {
            if (held != 0) {
                budget.add(-held);
                held = 0;
            }
            partialSinceNanos = 0;
            waitedForBudget = false;
            return;
        }
        if (held == 0 || completedOne) {
            // a command started in this read (the rest of an earlier one was completed)
            partialSinceNanos = ctx.executor().ticker().nanoTime();
            waitedForBudget = pausedForBudget;
        }
        boolean within = budget.add(now - held);
        held = now;
        if (requestTimeoutNanos > 0 && timer == null) {
            timer = ctx.executor().schedule(this::checkTimeout, requestTimeoutNanos, TimeUnit.NANOSECONDS);
        }
        if (!within && !pausedForBudget) {
            pausedForBudget = true;
            waitedForBudget = true;
            ctx.channel().config().setAutoRead(false);
            budget.whenRoom(() -> ctx.executor().execute(this::budgetRoom));
        }
    }

    /** The budget has room again: read on (the dispatcher decides whether reading is on at all). */
    private void budgetRoom() {
        if (!pausedForBudget || !context.channel().isActive()) {
            return;
        }
        if (held > 0 && !budget.hasRoom()) {
            budget.whenRoom(() -> context.executor().execute(this::budgetRoom));
            return;
        }
        pausedForBudget = false;
        context.fireUserEventTriggered(ReadingResumed.INSTANCE);
    }

    /** Refuses an incomplete command that is past its time; time the server did not read the connection is forgiven. */
    private void checkTimeout() {
        timer = null;
        ChannelHandlerContext ctx = context;
        if (broken || held == 0 || !ctx.channel().isActive()) {
            return;
        }
        long now = ctx.executor().ticker().nanoTime();
        if (!pausedForBudget && !ctx.channel().config().isAutoRead()) {
            partialSinceNanos = now;
        }
        long left = partialSinceNanos + requestTimeoutNanos - now;
        if (left > 0) {
            timer = ctx.executor().schedule(this::checkTimeout, left, TimeUnit.NANOSECONDS);
            return;
        }
        ProtocolViolation refusal = waitedForBudget
                ? new ProtocolViolation("Protocol error: the server's buffer for incomplete commands is full ("
                        + budget.limit() + " bytes, resp.max-buffered-request-bytes); try again later",
                        "max-buffered-request-bytes")
                : new ProtocolViolation("Protocol error: command not received completely within "
                        + TimeUnit.NANOSECONDS.toMillis(requestTimeoutNanos) + " ms (resp.request-timeout)",
                        "request-timeout");
        broken = true;
        args = null;
        ByteBuf unparsed = internalBuffer();
        unparsed.skipBytes(unparsed.readableBytes());
        account(ctx, 0, false);
        pausedForBudget = false;
        ctx.fireChannelRead(refusal);
        ctx.fireChannelReadComplete();
    }

    /** Tells the handlers after the decoder that it may be read again. */
    public enum ReadingResumed {
        INSTANCE
    }

    private void decodeCommands(ByteBuf in, List<Object> out) {
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
                argBytes += arg.length + ELEMENT_BYTES;
                bulkLength = -1;
            }
            out.add(new RespRequest(args));
            argsExpected = -1;
            args = null;
            argBytes = 0;
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
                argBytes = 0;
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
        requestBytes += len + ELEMENT_BYTES;
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
        argBytes = 0;
        in.skipBytes(in.readableBytes());
        out.add(new ProtocolViolation(message));
    }

    private static String printable(byte b) {
        return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }
}
