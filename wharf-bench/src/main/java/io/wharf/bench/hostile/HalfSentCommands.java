package io.wharf.bench.hostile;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Commands that are never finished: RESP {@code *1048576} followed by a million empty bulks, RESP
 * {@code RPUSH} with two bulks of {@code bulkBytes} of which the second stops just short of its
 * end, and HTTP produce bodies sent halfway; each connection then holds still, reading replies.
 */
final class HalfSentCommands extends Attack {
    private static final int EMPTY_BULKS = 1_000_000;
    private static final int HTTP_CLAIMED = 8_000_000;
    private static final int HTTP_SENT = 4_000_000;
    private final int arrayConnections;
    private final int bulkConnections;
    private final int bulkBytes;
    private final int httpConnections;

    HalfSentCommands(int arrayConnections, int bulkConnections, int bulkBytes, int httpConnections) {
        this.arrayConnections = arrayConnections;
        this.bulkConnections = bulkConnections;
        this.bulkBytes = bulkBytes;
        this.httpConnections = httpConnections;
    }

    @Override
    String name() {
        return "half-sent";
    }

    @Override
    String description() {
        return String.format(java.util.Locale.ROOT, "%d RESP connections sending *1048576 + %,d empty bulks; %d sending RPUSH with"
                        + " 2 bulks of %,d B, the second %,d B short; %d HTTP POSTs claiming %,d B and sending %,d B; then holding",
                arrayConnections, EMPTY_BULKS, bulkConnections, bulkBytes, 1000, httpConnections, HTTP_CLAIMED, HTTP_SENT);
    }

    @Override
    protected void launch() {
        byte[] emptyBulks = new byte[EMPTY_BULKS * 6];
        for (int i = 0; i < EMPTY_BULKS; i++) {
            System.arraycopy(ascii("$0\r\n\r\n"), 0, emptyBulks, i * 6, 6);
        }
        byte[] filler = new byte[1 << 20];
        Arrays.fill(filler, (byte) 'x');
        for (int i = 0; i < arrayConnections; i++) {
            spawn("array-" + i, () -> hold(connect("resp-array", target.respPort(), 0), out -> {
                out.write(ascii("*1048576\r\n"));
                out.write(emptyBulks);
            }));
        }
        String key = "topics:" + target.produceTopic();
        for (int i = 0; i < bulkConnections; i++) {
            spawn("bulk-" + i, () -> hold(connect("resp-bulk", target.respPort(), 0), out -> {
                out.write(ascii("*4\r\n$5\r\nRPUSH\r\n$" + key.length() + "\r\n" + key + "\r\n$" + bulkBytes + "\r\n"));
                fill(out, filler, bulkBytes);
                out.write(ascii("\r\n$" + bulkBytes + "\r\n"));
                fill(out, filler, bulkBytes - 1000);
            }));
        }
        for (int i = 0; i < httpConnections; i++) {
            spawn("http-body-" + i, () -> hold(connect("http-body", target.httpPort(), 0), out -> {
                out.write(ascii("POST /topics/" + target.produceTopic() + " HTTP/1.1\r\nHost: wharf\r\nContent-Type: text/plain\r\n"
                        + "Content-Length: " + HTTP_CLAIMED + "\r\n\r\n"));
                fill(out, filler, HTTP_SENT);
            }));
        }
    }

    private interface Sending {
        void send(OutputStream out) throws IOException;
    }

    /** Sends the partial command (a write that blocks is Wharf pushing back), then reads replies until the phase ends. */
    private void hold(Conn c, Sending sending) throws IOException {
        Thread reader = new Thread(() -> readReplies(c), "hostile-half-sent-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            OutputStream out = c.socket.getOutputStream();
            sending.send(out);
            out.flush();
            tally.add("partial commands fully written");
        } catch (IOException e) {
            serverClosed(c, "reset by Wharf");
        }
    }

    private void fill(OutputStream out, byte[] filler, int bytes) throws IOException {
        for (int left = bytes; left > 0 && running(); left -= filler.length) {
            out.write(filler, 0, Math.min(left, filler.length));
        }
        tally.add("MiB sent", bytes >> 20);
    }
}
