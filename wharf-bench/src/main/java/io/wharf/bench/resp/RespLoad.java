package io.wharf.bench.resp;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A pipelined RESP load generator, run as its own process by {@link RespScenario}: keeps
 * {@code depth} commands in flight on one connection and prints one {@code RESULT} line.
 * Modes: {@code produce} (RPUSHX), {@code batch} (BLMPOP ... COUNT n, acking the highest offset
 * per partition after each batch) and {@code blpop} (one record per reply, acking every 1,000).
 *
 * <p>{@code java -cp wharf-bench.jar io.wharf.bench.resp.RespLoad <mode> <port> <topic> <records> <depth> <size|count>
 * [connections=N] [trust=<CA PEM>] [user=U password=P]}: {@code produce} may spread the records over
 * N connections (each with {@code depth} in flight); {@code trust} speaks TLS trusting that CA;
 * {@code user} sends {@code AUTH} first. With any of them the result also carries {@code ready_epoch_nanos},
 * when every connection was open (and authenticated), so the caller can leave start-up out.
 */
public final class RespLoad {
    private final Input in;
    private final OutputStream out;
    private final String topic;
    private final Map<Integer, Long> highest = new HashMap<>();

    private RespLoad(Socket socket, String topic) throws IOException {
        this.in = new Input(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        this.topic = topic;
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int port = Integer.parseInt(args[1]);
        String topic = args[2];
        long records = Long.parseLong(args[3]);
        int depth = Integer.parseInt(args[4]);
        int param = Integer.parseInt(args[5]);
        Map<String, String> options = new HashMap<>();
        for (int i = 6; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            options.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        long start = System.nanoTime();
        if (mode.equals("blocked")) {
            holdBlocked(port, topic, (int) records);
            return;
        }
        if (!options.isEmpty()) {
            if (!mode.equals("produce")) {
                throw new IllegalArgumentException("connections, trust and user apply to produce only");
            }
            produceOver(port, topic, records, depth, param, options, start);
            return;
        }
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            socket.setReceiveBufferSize(1 << 20);
            RespLoad load = new RespLoad(socket, topic);
            long[] times = switch (mode) {
                case "produce" -> load.produce(records, depth, param);
                case "batch" -> load.consume(records, depth, param, true);
                case "blpop" -> load.consume(records, depth, 1, false);
                default -> throw new IllegalArgumentException("unknown mode " + mode);
            };
            long end = System.nanoTime();
            long cpu = ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
            System.out.println("RESULT records=" + times[0] + " total_nanos=" + (end - start) + " first_nanos="
                    + (times[1] - start) + " last_nanos=" + (times[2] - start) + " cpu_nanos=" + cpu);
        }
    }

    /**
     * Produces over {@code connections} sockets (TLS when {@code trust} names a CA, {@code AUTH} when a
     * user is given), each its share of the records, all in flight together.
     */
    private static void produceOver(int port, String topic, long records, int depth, int size, Map<String, String> options,
                                    long start) throws Exception {
        int connections = Integer.parseInt(options.getOrDefault("connections", "1"));
        javax.net.SocketFactory factory = options.containsKey("trust")
                ? io.wharf.bench.security.ClientTls.trusting(java.nio.file.Path.of(options.get("trust"))).getSocketFactory()
                : javax.net.SocketFactory.getDefault();
        java.util.List<Socket> sockets = new java.util.ArrayList<>();
        java.util.List<RespLoad> loads = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                Socket socket = factory.createSocket("127.0.0.1", port);
                sockets.add(socket);
                socket.setTcpNoDelay(true);
                if (socket instanceof javax.net.ssl.SSLSocket tls) {
                    tls.startHandshake();
                }
                RespLoad load = new RespLoad(socket, topic);
                if (options.containsKey("user")) {
                    load.out.write(encode(ascii("AUTH"), options.get("user").getBytes(StandardCharsets.UTF_8),
                            options.getOrDefault("password", "").getBytes(StandardCharsets.UTF_8)));
                    load.out.flush();
                    load.expectSimple();
                }
                loads.add(load);
            }
            long readyEpochNanos = epochNanos();
            java.util.List<java.util.concurrent.CompletableFuture<long[]>> runs = new java.util.ArrayList<>();
            for (int i = 0; i < connections; i++) {
                RespLoad load = loads.get(i);
                long share = records / connections + (i < records % connections ? 1 : 0);
                runs.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return load.produce(share, depth, size);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, java.util.concurrent.Executors.newSingleThreadExecutor()));
            }
            long sum = 0;
            long first = Long.MAX_VALUE;
            long last = 0;
            for (var run : runs) {
                long[] t = run.join();
                sum += t[0];
                first = Math.min(first, t[1]);
                last = Math.max(last, t[2]);
            }
            long end = System.nanoTime();
            long cpu = ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
            System.out.println("RESULT records=" + sum + " total_nanos=" + (end - start) + " first_nanos=" + (first - start)
                    + " last_nanos=" + (last - start) + " cpu_nanos=" + cpu + " ready_epoch_nanos=" + readyEpochNanos);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        System.exit(0);
    }

    /** Nanoseconds since the epoch, comparable across processes on one machine. */
    public static long epochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /**
     * Opens {@code count} connections, each its own consumer group blocked in {@code BLPOP ... 0},
     * prints {@code BLOCKED} and holds them until stdin closes.
     */
    private static void holdBlocked(int port, String topic, int count) throws IOException {
        java.util.List<Socket> sockets = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                Socket s = new Socket("127.0.0.1", port);
                sockets.add(s);
                OutputStream o = s.getOutputStream();
                o.write(encode(ascii("CLIENT"), ascii("SETNAME"), ascii("blocked-" + ProcessHandle.current().pid() + "-" + i + ":c")));
                o.write(encode(ascii("BLPOP"), ("topics:" + topic).getBytes(StandardCharsets.UTF_8), ascii("0")));
                o.flush();
            }
            System.out.println("BLOCKED " + count + " blocked-" + ProcessHandle.current().pid() + "-");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold until the parent closes stdin
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** RPUSHX with {@code depth} commands in flight; returns {records, first reply time, last reply time}. */
    private long[] produce(long records, int depth, int size) throws IOException {
        byte[] value = new byte[size];
        java.util.Arrays.fill(value, (byte) 'x');
        byte[] command = encode("RPUSHX".getBytes(StandardCharsets.US_ASCII), ("topics:" + topic).getBytes(StandardCharsets.UTF_8), value);
        long sent = 0;
        long replied = 0;
        long first = 0;
        while (sent < Math.min(depth, records)) {
            out.write(command);
            sent++;
        }
        out.flush();
        while (replied < records) {
            int type = in.read();
            long n = readLong();
            if (type != ':' || n != 1) {
                throw new IOException("unexpected reply to RPUSHX: " + (char) type + n);
            }
            if (replied++ == 0) {
                first = System.nanoTime();
            }
            if (sent < records) {
                out.write(command);
                sent++;
            }
            if (in.buffered() == 0) {
                out.flush();
            }
        }
        return new long[] {replied, first, System.nanoTime()};
    }

    /**
     * Consumes as group member {@code bench-<pid>:c}, keeping {@code depth} pops in flight;
     * returns {records, first record time, last record time}.
     */
    private long[] consume(long records, int depth, int count, boolean batch) throws IOException {
        String key = "topics:" + topic + ":{\"auto.offset.reset\":\"earliest\"}";
        byte[] pop = batch
                ? encode(ascii("BLMPOP"), ascii("5"), ascii("1"), key.getBytes(StandardCharsets.UTF_8), ascii("LEFT"),
                        ascii("COUNT"), ascii(String.valueOf(count)))
                : encode(ascii("BLPOP"), key.getBytes(StandardCharsets.UTF_8), ascii("5"));
        out.write(encode(ascii("CLIENT"), ascii("SETNAME"), ascii("bench-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime() + ":c")));
        for (int i = 0; i < depth; i++) {
            out.write(pop);
        }
        out.flush();
        expectSimple();
        // replies come back in command order: pops, and the acks sent after them
        java.util.ArrayDeque<Boolean> expected = new java.util.ArrayDeque<>();
        for (int i = 0; i < depth; i++) {
            expected.add(Boolean.TRUE);
        }
        long received = 0;
        long sinceAck = 0;
        long first = 0;
        long last = 0;
        while (received < records || !expected.isEmpty()) {
            // before waiting for a reply, send whatever is still buffered (the reply may be to it)
            if (in.buffered() == 0) {
                out.flush();
            }
            boolean isPop = expected.poll();
            if (!isPop) {
                int type = in.read();
                readLong();
                if (type != ':') {
                    throw new IOException("unexpected reply to an ack: " + (char) type);
                }
                continue;
            }
            long got = batch ? readBatch() : readMessage(in.read());
            if (got > 0) {
                if (received == 0) {
                    first = System.nanoTime();
                }
                received += got;
                sinceAck += got;
                last = System.nanoTime();
            }
            if ((batch || sinceAck >= 1000 || received >= records) && !highest.isEmpty()) {
                out.write(acks());
                expected.add(Boolean.FALSE);
                sinceAck = 0;
            }
            if (received < records) {
                out.write(pop);
                expected.add(Boolean.TRUE);
            }
        }
        return new long[] {received, first, last};
    }

    /** One BLMPOP reply: {@code [key, [message...]]} or a null array; returns the number of records. */
    private long readBatch() throws IOException {
        int type = in.read();
        long n = readLong();
        if (type == '*' && n == -1) {
            return 0;
        }
        if (type != '*' || n != 2) {
            throw new IOException("unexpected BLMPOP reply " + (char) type + n);
        }
        skipBulk(in.read());
        int arr = in.read();
        long count = readLong();
        if (arr != '*') {
            throw new IOException("unexpected BLMPOP reply body " + (char) arr);
        }
        for (long i = 0; i < count; i++) {
            readMessage(in.read());
        }
        return count;
    }

    /** One message ({@code *8}: topic, partition, offset, value) or a null array; returns 1 or 0. */
    private long readMessage(int type) throws IOException {
        long n = readLong();
        if (type == '*' && n == -1) {
            return 0;
        }
        if (type != '*' || n != 8) {
            throw new IOException("unexpected message " + (char) type + n);
        }
        skipBulk(in.read());
        skipBulk(in.read());
        skipBulk(in.read());
        int partition = (int) readInteger();
        skipBulk(in.read());
        long offset = readInteger();
        skipBulk(in.read());
        skipBulk(in.read());
        highest.merge(partition, offset, Math::max);
        return 1;
    }

    private byte[] acks() {
        byte[][] args = new byte[highest.size() + 2][];
        args[0] = ascii("RPUSH");
        args[1] = ascii("acks");
        int i = 2;
        for (Map.Entry<Integer, Long> e : highest.entrySet()) {
            args[i++] = (topic + ":" + e.getKey() + ":" + e.getValue()).getBytes(StandardCharsets.UTF_8);
        }
        highest.clear();
        return encode(args);
    }

    private void expectSimple() throws IOException {
        int type = in.read();
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            line.append((char) c);
        }
        in.read();
        if (type != '+') {
            throw new IOException("unexpected reply " + (char) type + line);
        }
    }

    private long readInteger() throws IOException {
        int type = in.read();
        if (type != ':') {
            throw new IOException("expected an integer, got " + (char) type);
        }
        return readLong();
    }

    private void skipBulk(int type) throws IOException {
        if (type != '$') {
            throw new IOException("expected a bulk string, got " + (char) type);
        }
        long len = readLong();
        if (len >= 0) {
            in.skipNBytes(len + 2);
        }
    }

    /** The number on the rest of a line, consuming the CRLF. */
    private long readLong() throws IOException {
        long value = 0;
        boolean negative = false;
        int c = in.read();
        if (c == '-') {
            negative = true;
            c = in.read();
        }
        while (c != '\r') {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            value = value * 10 + (c - '0');
            c = in.read();
        }
        in.read();
        return negative ? -value : value;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] encode(byte[]... args) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(ascii("*" + args.length + "\r\n"));
        for (byte[] a : args) {
            b.writeBytes(ascii("$" + a.length + "\r\n"));
            b.writeBytes(a);
            b.writeBytes(ascii("\r\n"));
        }
        return b.toByteArray();
    }

    /** A read buffer without locks (BufferedInputStream synchronises every byte): the generator must outrun the server. */
    private static final class Input {
        private final InputStream source;
        private final byte[] buf = new byte[256 * 1024];
        private int pos;
        private int limit;

        Input(InputStream source) {
            this.source = source;
        }

        int read() throws IOException {
            if (pos == limit && !fill()) {
                return -1;
            }
            return buf[pos++] & 0xff;
        }

        void skipNBytes(long n) throws IOException {
            long left = n;
            while (left > 0) {
                if (pos == limit && !fill()) {
                    throw new IOException("connection closed");
                }
                int step = (int) Math.min(left, limit - pos);
                pos += step;
                left -= step;
            }
        }

        /** Bytes already read from the socket and not consumed. */
        int buffered() {
            return limit - pos;
        }

        private boolean fill() throws IOException {
            int n = source.read(buf, 0, buf.length);
            if (n <= 0) {
                return false;
            }
            pos = 0;
            limit = n;
            return true;
        }
    }
}
