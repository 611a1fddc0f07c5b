package io.wharf.bench.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code KEYS} with a many-star glob ({@code *a*a*a*a*a*b}) that matches no topic, against a topic
 * whose name is a long run of {@code a}: a backtracking matcher takes exponential time on it.
 */
final class KeysPattern extends Attack {
    private final int connections;
    private final String pattern;
    private final AtomicLong slowestNanos = new AtomicLong();

    KeysPattern(int connections, int stars) {
        this.connections = connections;
        this.pattern = "*a".repeat(Math.max(1, stars - 1)) + "*b";
    }

    @Override
    String name() {
        return "keys";
    }

    @Override
    String description() {
        return connections + " RESP connections each sending KEYS " + pattern + " once (a topic named 'a' x long exists)";
    }

    @Override
    protected void launch() {
        for (int i = 0; i < connections; i++) {
            spawn("keys-" + i, this::keys);
        }
    }

    private void keys() throws IOException {
        Conn c = connect("keys", target.respPort(), 0);
        long start = System.nanoTime();
        c.socket.getOutputStream().write(command("KEYS", pattern));
        c.socket.getOutputStream().flush();
        tally.add("KEYS sent");
        InputStream in = c.socket.getInputStream();
        int first = in.read(); // blocks until the reply's first byte, or until the phase closes the socket
        if (first < 0) {
            serverClosed(c, "closed by Wharf");
            return;
        }
        long took = System.nanoTime() - start;
        slowestNanos.accumulateAndGet(took, Math::max);
        tally.add(first == '-' ? "KEYS answered with an error" : "KEYS answered");
        readReplies(c);
    }

    @Override
    String notes() {
        long answered = tally.get("KEYS answered") + tally.get("KEYS answered with an error");
        return answered == 0 ? "no KEYS reply within the phase"
                : String.format(Locale.ROOT, "slowest KEYS reply %.1f s", slowestNanos.get() / 1e9);
    }
}
