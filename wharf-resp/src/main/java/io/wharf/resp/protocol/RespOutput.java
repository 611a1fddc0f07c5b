package io.wharf.resp.protocol;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/** Writes RESP2 or RESP3 elements into a buffer; the one place that knows the wire syntax of replies. */
public final class RespOutput {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] NULL3 = {'_', '\r', '\n'};
    private static final byte[] NULL_BULK2 = {'$', '-', '1', '\r', '\n'};
    private static final byte[] NULL_ARRAY2 = {'*', '-', '1', '\r', '\n'};

    private final ByteBuf buf;
    private final boolean resp3;

    public RespOutput(ByteBuf buf, boolean resp3) {
        this.buf = buf;
        this.resp3 = resp3;
    }

    /** Whether RESP3 types (maps, nulls) are written natively. */
    public boolean resp3() {
        return resp3;
    }

    /** Writes any reply value. */
    public void write(RespValue value) {
        if (value instanceof RespValue.Simple s) {
            simple(s.text());
        } else if (value instanceof RespValue.Int i) {
            integer(i.value());
        } else if (value instanceof RespValue.Bulk b) {
            bulk(b.bytes());
        } else if (value instanceof RespValue.Error e) {
            error(e.text());
        } else if (value instanceof RespValue.Array a) {
            arrayHeader(a.items().size());
            for (RespValue item : a.items()) {
                write(item);
            }
        } else if (value instanceof RespValue.Map m) {
            mapHeader(m.keysAndValues().size() / 2);
            for (RespValue item : m.keysAndValues()) {
                write(item);
            }
        } else if (value instanceof RespValue.NullBulk) {
            nullBulk();
        } else if (value instanceof RespValue.NullArray) {
            nullArray();
        } else if (value instanceof RespValue.Streamed s) {
            s.body().writeTo(this);
        } else if (value instanceof RespValue.SwitchProtocol) {
            throw new IllegalStateException("a protocol switch is handled by the encoder");
        }
    }

    /** {@code +text}. */
    public void simple(String text) {
        buf.writeByte('+');
        ByteBufUtil.writeUtf8(buf, text);
        buf.writeBytes(CRLF);
    }

    /** {@code -text}; line breaks in the text are replaced so the reply stays one line. */
    public void error(String text) {
        buf.writeByte('-');
        ByteBufUtil.writeUtf8(buf, text.replace('\r', ' ').replace('\n', ' '));
        buf.writeBytes(CRLF);
    }

    /** {@code :n}. */
    public void integer(long value) {
        buf.writeByte(':');
        decimal(value);
        buf.writeBytes(CRLF);
    }

    /** {@code $len} and the bytes; null writes a null bulk. */
    public void bulk(byte[] bytes) {
        if (bytes == null) {
            nullBulk();
            return;
        }
        buf.writeByte('$');
        decimal(bytes.length);
        buf.writeBytes(CRLF);
        buf.writeBytes(bytes);
        buf.writeBytes(CRLF);
    }

    /** A bulk string of UTF-8 text. */
    public void bulk(String text) {
        bulk(text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code *n}. */
    public void arrayHeader(int n) {
        buf.writeByte('*');
        decimal(n);
        buf.writeBytes(CRLF);
    }

    /** {@code %n} in RESP3; {@code *2n} in RESP2, followed by n keys and values. */
    public void mapHeader(int entries) {
        if (resp3) {
            buf.writeByte('%');
            decimal(entries);
        } else {
            buf.writeByte('*');
            decimal(2L * entries);
        }
        buf.writeBytes(CRLF);
    }

    /** A null bulk string. */
    public void nullBulk() {
        buf.writeBytes(resp3 ? NULL3 : NULL_BULK2);
    }

    /** A null array. */
    public void nullArray() {
        buf.writeBytes(resp3 ? NULL3 : NULL_ARRAY2);
    }

    /** Bytes already in RESP form (precomputed constant parts of a reply). */
    public void raw(byte[] bytes) {
        buf.writeBytes(bytes);
    }

    /** Part of an array of bytes already in RESP form. */
    public void raw(byte[] bytes, int offset, int length) {
        buf.writeBytes(bytes, offset, length);
    }

    // Digits without a String per number, written in one call: replies carry several integers per record.
    private final byte[] digits = new byte[20];

    private void decimal(long value) {
        if (value >= 0 && value < 10) {
            buf.writeByte('0' + (int) value);
            return;
        }
        if (value == Long.MIN_VALUE) {
            ByteBufUtil.writeAscii(buf, Long.toString(value));
            return;
        }
        boolean negative = value < 0;
        long v = negative ? -value : value;
        int i = digits.length;
        do {
            digits[--i] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v > 0);
        if (negative) {
            digits[--i] = '-';
        }
        buf.writeBytes(digits, i, digits.length - i);
    }
}
