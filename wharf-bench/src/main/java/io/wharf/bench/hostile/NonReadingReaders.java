package io.wharf.bench.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import java.util.Set;

/**
 * Readers that never read, on every door: RESP connections pipelining {@code BLMPOP ... COUNT 1000}
 * on a full topic, SSE streams, pipelined long polls and native WebSocket subscriptions, all from
 * earliest, with a small receive buffer so the TCP window closes at once.
 */
final class NonReadingReaders extends Attack {
    private static final int RECEIVE_BUFFER = 4096;
    private final int respConnections;
    private final int pipeline;
    private final int httpConnections;
    private final Set<String> httpKinds;

    NonReadingReaders(int respConnections, int pipeline, int httpConnections, Set<String> httpKinds) {
        this.respConnections = respConnections;
        this.pipeline = pipeline;
        this.httpConnections = httpConnections;
        this.httpKinds = httpKinds;
    }

    @Override
    String name() {
        return "non-reading";
    }

    @Override
    String description() {
        return respConnections + " RESP connections pipelining " + pipeline + " x BLMPOP COUNT 1000 (own group each, earliest) + "
                + httpConnections + " each of " + httpKinds + " (SSE, long poll 16 pipelined max=10000, WebSocket /ws subscribe), all from"
                + " earliest on the full topic, never reading";
    }

    @Override
    protected void launch() {
        String t = target.dataTopic();
        for (int i = 0; i < respConnections; i++) {
            int n = i;
            spawn("blmpop-" + i, () -> {
                Conn c = connect("resp-blmpop", target.respPort(), RECEIVE_BUFFER);
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                b.writeBytes(command("CLIENT", "SETNAME", "hostile-nonreading-" + n + "-" + System.nanoTime() + ":m"));
                byte[] blmpop = command("BLMPOP", "0", "1", "topics:" + t + ":{\"auto.offset.reset\":\"earliest\"}", "LEFT",
                        "COUNT", "1000");
                for (int k = 0; k < pipeline; k++) {
                    b.writeBytes(blmpop);
                }
                send(c, b.toByteArray());
            });
        }
        for (int i = 0; i < httpConnections; i++) {
            if (httpKinds.contains("sse")) {
                spawn("sse-" + i, () -> send(connect("sse", target.httpPort(), RECEIVE_BUFFER), ascii("GET /topics/" + t
                        + "?start=earliest HTTP/1.1\r\nHost: wharf\r\nAccept: text/event-stream\r\n\r\n")));
            }
            if (httpKinds.contains("long-poll")) {
                spawn("long-poll-" + i, () -> {
                    byte[] poll = ascii("GET /topics/" + t + "?start=earliest&max=10000&wait=1s HTTP/1.1\r\nHost: wharf\r\n\r\n");
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    for (int k = 0; k < 16; k++) {
                        b.writeBytes(poll);
                    }
                    send(connect("long-poll", target.httpPort(), RECEIVE_BUFFER), b.toByteArray());
                });
            }
            int n = i;
            if (httpKinds.contains("websocket")) {
                spawn("websocket-" + i, () -> {
                    Conn c = connect("websocket", target.httpPort(), RECEIVE_BUFFER);
                    byte[] key = new byte[16];
                    new Random(n).nextBytes(key);
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    b.writeBytes(ascii("GET /ws HTTP/1.1\r\nHost: wharf\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n"));
                    b.writeBytes(maskedText("{\"type\":\"subscribe\",\"id\":\"s\",\"topic\":\"" + t + "\",\"start\":\"earliest\"}"));
                    send(c, b.toByteArray());
                });
            }
        }
    }

    private void send(Conn c, byte[] bytes) throws IOException {
        OutputStream out = c.socket.getOutputStream();
        try {
            out.write(bytes);
            out.flush();
            tally.add("requests written");
        } catch (IOException e) {
            serverClosed(c, "reset by Wharf");
        }
    }

    /** A client-to-server WebSocket text frame (clients must mask). */
    static byte[] maskedText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x81);
        if (payload.length < 126) {
            f.write(0x80 | payload.length);
        } else {
            f.write(0x80 | 126);
            f.write(payload.length >> 8);
            f.write(payload.length & 0xff);
        }
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        f.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ mask[i % 4]);
        }
        return f.toByteArray();
    }
}
