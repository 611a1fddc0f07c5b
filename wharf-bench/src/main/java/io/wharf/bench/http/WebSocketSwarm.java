package io.wharf.bench.http;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.wharf.core.gateway.NetworkThreads;
import org.HdrHistogram.Recorder;

/**
 * Many WebSocket clients of the native protocol on a few Netty event loops (the load generator's
 * own threads, in the benchmark's JVM). Each client counts the records it receives and, when
 * asked, records the delay from the send time carried in each value ({@code t=<nanoTime>;...}).
 */
final class WebSocketSwarm implements AutoCloseable {
    private final NetworkThreads threads;
    private final List<Client> clients = new ArrayList<>();
    private final Recorder latency = new Recorder(3);
    private volatile boolean measureLatency;

    WebSocketSwarm(int threads) {
        this.threads = new NetworkThreads(threads);
    }

    /** Connects n clients (in batches), each sending {@code subscribe} (or nothing when null) after the handshake. */
    void connect(URI uri, int n, String subscribe) throws InterruptedException {
        // the classic pooled allocator: with thousands of connections each holding a partly read frame,
        // the adaptive allocator's 2 MiB chunks stay pinned and exhaust direct memory
        Bootstrap bootstrap = new Bootstrap().group(threads.workers()).channel(threads.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, io.netty.buffer.PooledByteBufAllocator.DEFAULT);
        int batch = 500;
        for (int from = 0; from < n; from += batch) {
            int count = Math.min(batch, n - from);
            CountDownLatch ready = new CountDownLatch(count);
            for (int i = 0; i < count; i++) {
                Client client = new Client(subscribe, ready);
                clients.add(client);
                bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192),
                                new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                                        .webSocketUri(uri).maxFramePayloadLength(64 * 1024 * 1024)
                                        // Netty checks UTF-8 a byte at a time through a callback: it was
                                        // 79% of this swarm's CPU, the gateway's cost measured as the
                                        // clients'. Browsers validate natively at memory speed; the test
                                        // suite's JDK clients still validate every frame.
                                        .withUTF8Validator(false)
                                        .handshakeTimeoutMillis(60_000).build()),
                                client);
                    }
                }).connect(uri.getHost(), uri.getPort()).addListener(f -> {
                    if (!f.isSuccess()) {
                        client.failed(f.cause());
                    }
                });
            }
            if (!ready.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("clients did not get ready in 120 s (" + ready.getCount() + " left)");
            }
            for (Client c : clients) {
                if (c.failure != null) {
                    throw new IllegalStateException("a client failed: " + c.failure, c.failure);
                }
            }
        }
    }

    /** Sends a text message on every client. */
    void sendAll(String text, boolean waitForReply) throws InterruptedException {
        CountDownLatch replies = new CountDownLatch(clients.size());
        for (Client c : clients) {
            c.replies = replies;
            c.channel.writeAndFlush(new TextWebSocketFrame(text));
        }
        if (waitForReply && !replies.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not every client was answered in 120 s");
        }
    }

    int size() {
        return clients.size();
    }

    /** Records received by all clients together. */
    long totalRecords() {
        long total = 0;
        for (Client c : clients) {
            total += c.records.get();
        }
        return total;
    }

    /** Records received by the client that received the fewest. */
    long minRecords() {
        long min = Long.MAX_VALUE;
        for (Client c : clients) {
            min = Math.min(min, c.records.get());
        }
        return clients.isEmpty() ? 0 : min;
    }

    /** What the clients that received nothing were first told (for diagnosis). */
    List<String> starvedReplies() {
        List<String> out = new ArrayList<>();
        for (Client c : clients) {
            if (c.records.get() == 0) {
                out.add(c.firstReply + " active=" + (c.channel != null && c.channel.isActive()));
            }
        }
        return out;
    }

    /** How many clients were last told each message type (e.g. {subscribed=10000}). */
    java.util.Map<String, Integer> lastReplyTypes() {
        java.util.Map<String, Integer> types = new java.util.TreeMap<>();
        for (Client c : clients) {
            String r = c.lastReply;
            String type = r == null ? "none" : r.replaceFirst("^\\{\"type\":\"([a-z-]+)\".*$", "$1");
            types.merge(type, 1, Integer::sum);
        }
        return types;
    }

    /** Clients whose connection closed, and why (as far as the client knows). */
    String closedClients() {
        java.util.Map<String, Integer> why = new java.util.TreeMap<>();
        for (Client c : clients) {
            if (c.channel != null && !c.channel.isActive()) {
                why.merge(c.failure == null ? "closed by the server" : c.failure.toString(), 1, Integer::sum);
            }
        }
        return why.toString();
    }

    void resetCounts() {
        clients.forEach(c -> c.records.set(0));
    }

    void measureLatency(boolean on) {
        measureLatency = on;
    }

    Recorder latency() {
        return latency;
    }

    /** Closes every client connection and waits for them to be closed. */
    void disconnectAll() throws InterruptedException {
        for (Client c : clients) {
            if (c.channel != null) {
                c.channel.close();
            }
        }
        for (Client c : clients) {
            if (c.channel != null) {
                c.channel.closeFuture().await(10, TimeUnit.SECONDS);
            }
        }
        clients.clear();
    }

    @Override
    public void close() throws InterruptedException {
        disconnectAll();
        threads.close();
    }

    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[64 * 1024]);
    private static final byte[] COUNT = "\"count\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OFFSET = "\"offset\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STAMP = "\"value\":\"t=".getBytes(StandardCharsets.US_ASCII);

    /** One client; its fields are written by its event loop and read by the benchmark thread. */
    private final class Client extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        private final String subscribe;
        private final CountDownLatch ready;
        final AtomicLong records = new AtomicLong();
        volatile CountDownLatch replies;
        volatile Channel channel;
        volatile Throwable failure;
        private boolean subscribed;
        volatile String firstReply;
        volatile String lastReply;

        Client(String subscribe, CountDownLatch ready) {
            this.subscribe = subscribe;
            this.ready = ready;
        }

        void failed(Throwable cause) {
            failure = cause;
            ready.countDown();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                channel = ctx.channel();
                if (subscribe == null) {
                    ready.countDown();
                } else {
                    ctx.writeAndFlush(new TextWebSocketFrame(subscribe));
                }
            } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                failed(new IllegalStateException("handshake timeout"));
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            ByteBuf b = frame.content();
            int start = b.readerIndex();
            int length = b.readableBytes();
            // {"type":"records","sub":"s","count":N,...: the count is in the head; send stamps are read
            // (a scan of the whole frame) only while latency is measured
            if (length > 10 && b.getByte(start + 9) == 'r' && b.getByte(start + 10) == 'e') {
                int n = headCount(b, start, Math.min(length, 128));
                if (n < 0 || measureLatency) {
                    int scanned = scan(b, start, length);
                    n = n < 0 ? scanned : n;
                }
                records.addAndGet(n);
                return;
            }
            if (!subscribed && subscribe != null) {
                subscribed = true;
                firstReply = frame.text();
                ready.countDown(); // the "subscribed" reply
            }
            lastReply = frame.text();
            CountDownLatch r = replies;
            if (r != null) {
                r.countDown();
            }
        }

        /** The value of "count": within the first bytes, or -1. */
        private int headCount(ByteBuf b, int start, int limit) {
            outer:
            for (int i = start; i + COUNT.length < start + limit; i++) {
                for (int k = 0; k < COUNT.length; k++) {
                    if (b.getByte(i + k) != COUNT[k]) {
                        continue outer;
                    }
                }
                int n = 0;
                int j = i + COUNT.length;
                byte c;
                while ((c = b.getByte(j)) >= '0' && c <= '9') {
                    n = n * 10 + (c - '0');
                    j++;
                }
                return n;
            }
            return -1;
        }

        /** Counts records and records each one's delay (when measuring); returns the count. */
        private int scan(ByteBuf b, int start, int length) {
            byte[] bytes = SCRATCH.get();
            if (bytes.length < length) {
                bytes = new byte[Math.max(length, bytes.length * 2)];
                SCRATCH.set(bytes);
            }
            b.getBytes(start, bytes, 0, length);
            long now = System.nanoTime();
            int n = 0;
            for (int i = 0; i < length; i++) {
                if (bytes[i] != '"') {
                    continue;
                }
                if (matches(bytes, length, i, OFFSET)) {
                    n++;
                    i += OFFSET.length - 1;
                } else if (measureLatency && matches(bytes, length, i, STAMP)) {
                    long t = 0;
                    int j = i + STAMP.length;
                    while (j < length && bytes[j] >= '0' && bytes[j] <= '9') {
                        t = t * 10 + (bytes[j] - '0');
                        j++;
                    }
                    long delay = now - t;
                    if (delay > 0) {
                        latency.recordValue(delay / 1_000);
                    }
                    // the rest of the value is padding of a known length (WebSocketScenario#value): skip it
                    int closingQuote = j + WebSocketScenario.VALUE_BYTES - (j - (i + STAMP.length)) - 2;
                    i = closingQuote < length && bytes[closingQuote] == '"' ? closingQuote : j;
                }
            }
            return n;
        }

        private boolean matches(byte[] b, int length, int at, byte[] what) {
            if (at + what.length > length) {
                return false;
            }
            for (int k = 1; k < what.length; k++) {
                if (b[at + k] != what[k]) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed(cause);
            ctx.close();
        }
    }
}
