package io.wharf.bench.hostile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Slowloris: hundreds of HTTP connections, each sending one more byte of a request header every few seconds. */
final class Slowloris extends Attack {
    private static final byte[] HEADER = ascii("GET /healthz HTTP/1.1\r\nHost: wharf\r\nUser-Agent: slowloris\r\n"
            + "X-Padding: " + "a".repeat(200) + "\r\n\r\n");
    private final int connections;
    private final long intervalNanos;

    Slowloris(int connections, long intervalNanos) {
        this.connections = connections;
        this.intervalNanos = intervalNanos;
    }

    @Override
    String name() {
        return "slowloris";
    }

    @Override
    String description() {
        return connections + " HTTP connections sending one header byte every " + intervalNanos / 1_000_000_000L + " s";
    }

    @Override
    protected void launch() {
        spawn("slowloris", () -> {
            List<Conn> conns = new ArrayList<>();
            for (int i = 0; i < connections && running(); i++) {
                try {
                    Conn c = connect("slowloris", target.httpPort(), 0);
                    conns.add(c);
                    Thread reader = new Thread(() -> readReplies(c), "hostile-slowloris-reader");
                    reader.setDaemon(true);
                    reader.start();
                } catch (IOException e) {
                    // counted by connect
                }
            }
            for (int b = 0; b < HEADER.length && running(); b++) {
                for (Conn c : conns) {
                    if (!c.serverClosed) {
                        try {
                            c.socket.getOutputStream().write(HEADER[b]);
                        } catch (IOException e) {
                            serverClosed(c, "reset by Wharf");
                        }
                    }
                }
                tally.add("header bytes sent per connection");
                pause(intervalNanos);
            }
        });
    }
}
