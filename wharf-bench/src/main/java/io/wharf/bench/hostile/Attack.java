package io.wharf.bench.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One kind of hostile client, run for one phase. Every socket it opens is tracked, so at the end
 * of the phase the harness can say how many Wharf closed and how many it still holds open; every
 * thread it starts is a daemon that ends when its socket is closed, so no attack outlives its phase.
 */
abstract class Attack {
    /**
     * Where to attack and until when.
     *
     * @param host           Wharf's address
     * @param respPort       the Redis-protocol door
     * @param httpPort       the HTTP door
     * @param dataTopic      a topic full of records, for readers
     * @param produceTopic   the topic the well-behaved client writes to
     * @param longTopic      the topic with a long name, for KEYS
     * @param deadlineNanos  {@link System#nanoTime()} at which the phase ends
     */
    record Target(String host, int respPort, int httpPort, String dataTopic, String produceTopic, String longTopic,
                  long deadlineNanos) {
    }

    /**
     * What the attack saw.
     *
     * @param opened         connections opened
     * @param closedByServer of those, closed by Wharf (seen by the client, or no longer established at the end)
     * @param open           still established at the end of the phase
     * @param byKind         {@code kind closed/total} for each kind of connection (those the client ended itself left out)
     * @param replies        what the hostile clients received
     */
    record Outcome(int opened, int closedByServer, int open, String byKind, String replies) {
    }

    /** A connection the attack opened. */
    static final class Conn {
        final Socket socket;
        final String kind;
        final int serverPort;
        final int clientPort;
        volatile boolean serverClosed;
        volatile boolean clientClosed;

        Conn(Socket socket, String kind, int serverPort) {
            this.socket = socket;
            this.kind = kind;
            this.serverPort = serverPort;
            this.clientPort = socket.getLocalPort();
        }

        /** Closes it from the client's side (not counted as closed by Wharf). */
        void closeByClient() {
            clientClosed = true;
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    protected final Tally tally = new Tally();
    private final List<Conn> conns = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopped;
    protected Target target;

    /** The phase's name in the report. */
    abstract String name();

    /** What the hostile clients send, in one line. */
    abstract String description();

    /** A line of the attack's own findings for the report (e.g. how long a reply took), or empty. */
    String notes() {
        return "";
    }

    /** Opens the attack's connections and starts its threads. */
    protected abstract void launch() throws IOException;

    final void start(Target t) throws IOException {
        this.target = t;
        launch();
    }

    /** Whether the phase is still on. */
    protected final boolean running() {
        return !stopped && System.nanoTime() < target.deadlineNanos();
    }

    /** Opens and tracks a connection; a receive buffer of 0 keeps the system's default. */
    protected final Conn connect(String kind, int port, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer); // before connect, so the window is small from the start
        }
        try {
            s.connect(new InetSocketAddress(target.host(), port), 2000);
        } catch (IOException e) {
            s.close();
            tally.add(kind + " connect failed");
            throw e;
        }
        s.setTcpNoDelay(true);
        Conn c = new Conn(s, kind, port);
        synchronized (conns) {
            conns.add(c);
        }
        return c;
    }

    /** Starts a daemon thread; an I/O error after the phase ended (its socket closed) is expected and dropped. */
    protected final void spawn(String name, IoBody body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (IOException e) {
                if (!stopped) {
                    tally.add("client I/O error " + e.getClass().getSimpleName());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "hostile-" + name);
        t.setDaemon(true);
        synchronized (threads) {
            threads.add(t);
        }
        t.start();
    }

    /** A thread's work. */
    @FunctionalInterface
    interface IoBody {
        void run() throws IOException, InterruptedException;
    }

    /** Sleeps until {@code nanos} from now or the end of the phase, whichever comes first. */
    protected final void pause(long nanos) throws InterruptedException {
        long until = Math.min(System.nanoTime() + nanos, target.deadlineNanos());
        while (!stopped && System.nanoTime() < until) {
            Thread.sleep(Math.max(1, Math.min(100, (until - System.nanoTime()) / 1_000_000)));
        }
    }

    /**
     * Reads what Wharf sends on {@code c} until it closes, counting reply lines: RESP errors by
     * their first word ({@code -ERR}), HTTP responses by status, everything else as bytes.
     */
    protected final void readReplies(Conn c) {
        byte[] buf = new byte[64 * 1024];
        StringBuilder line = new StringBuilder();
        try {
            InputStream in = c.socket.getInputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                tally.add("bytes received", n);
                for (int i = 0; i < n; i++) {
                    char ch = (char) (buf[i] & 0xff);
                    if (ch == '\n') {
                        countLine(line);
                        line.setLength(0);
                    } else if (line.length() < 120) {
                        line.append(ch);
                    }
                }
            }
            serverClosed(c, "closed by Wharf");
        } catch (IOException e) {
            serverClosed(c, "reset by Wharf");
        }
    }

    /** Records that Wharf ended {@code c}, unless the client or the harness closed it itself. */
    protected final void serverClosed(Conn c, String how) {
        if (!c.clientClosed && !stopped) {
            c.serverClosed = true;
            tally.add(how);
        }
    }

    private void countLine(StringBuilder line) {
        if (line.length() == 0) {
            return;
        }
        String l = line.toString().trim();
        if (l.startsWith("-")) {
            int space = l.indexOf(' ');
            tally.add("reply " + (space > 0 ? l.substring(0, space) : l));
            String shape = l.replaceAll("[0-9]+", "N").replaceAll("[^ -~]", "?");
            examples.putIfAbsent(shape.length() > 70 ? shape.substring(0, 70) : shape, Boolean.TRUE);
        } else if (l.startsWith("HTTP/1.1 ")) {
            tally.add("reply HTTP " + l.substring(9, Math.min(12, l.length())));
        }
    }

    /** A few distinct error lines, for the progress log. */
    private final Map<String, Boolean> examples = java.util.Collections.synchronizedMap(new TreeMap<>());

    /** Up to {@code n} distinct error replies seen. */
    final List<String> exampleErrors(int n) {
        synchronized (examples) {
            return examples.keySet().stream().limit(n).toList();
        }
    }

    /** Ends the phase: counts what is still open, closes every connection, waits for the threads (bounded). */
    final Outcome finish() throws InterruptedException {
        stopped = true;
        TcpStates states = TcpStates.read(target.respPort(), target.httpPort());
        List<Conn> all;
        synchronized (conns) {
            all = new ArrayList<>(conns);
        }
        int closed = 0;
        int open = 0;
        Map<String, int[]> byKind = new TreeMap<>();
        for (Conn c : all) {
            int[] k = byKind.computeIfAbsent(c.kind, x -> new int[2]);
            if (c.serverClosed) {
                closed++;
                k[0]++;
            } else if (c.clientClosed) {
                continue; // ended by the client itself (a fuzzer reconnecting)
            } else if (states.open(c.serverPort, c.clientPort)) {
                open++;
                k[1]++;
            } else {
                closed++;
                k[0]++;
            }
        }
        for (Conn c : all) {
            try {
                c.socket.setSoLinger(true, 0); // reset: the harness must not wait for a full window to drain
                c.socket.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
        long joinUntil = System.nanoTime() + 10_000_000_000L;
        List<Thread> ts;
        synchronized (threads) {
            ts = new ArrayList<>(threads);
        }
        for (Thread t : ts) {
            t.join(Math.max(1, (joinUntil - System.nanoTime()) / 1_000_000));
        }
        long stuck = ts.stream().filter(Thread::isAlive).count();
        if (stuck > 0) {
            tally.add("harness threads still running after the phase", stuck);
        }
        StringBuilder kinds = new StringBuilder();
        byKind.forEach((k, v) -> kinds.append(kinds.length() == 0 ? "" : ", ")
                .append(String.format(Locale.ROOT, "%s %d/%d", k, v[0], v[0] + v[1])));
        String notes = notes();
        return new Outcome(all.size(), closed, open, kinds.toString(),
                notes.isEmpty() ? tally.toString() : notes + "; " + tally);
    }

    /** A RESP command as an array of bulk strings. */
    static byte[] command(String... args) {
        StringBuilder out = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            byte[] b = a.getBytes(StandardCharsets.UTF_8);
            out.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
