package io.wharf.relay.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLException;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.wharf.core.kafka.Causes;

/**
 * A non-blocking HTTP/1.1 client on the gateway's shared event loops: thousands of calls in flight,
 * one per connection, connections kept alive and pooled per origin (a bounded number of idle ones).
 *
 * <p>Why not {@code java.net.http.HttpClient}: measured on this project's 2-core machine it managed
 * about 2,000 calls/s at 1,000 in flight while burning both cores; this client reaches the
 * Little's-law limit (see docs/relay.md). Host names are resolved off the event loops and cached.
 */
public final class RelayHttpClient implements AutoCloseable {
    private static final long DNS_TTL_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final int IDLE_CLOSE_SECONDS = 60;
    private static final AttributeKey<Exchange> EXCHANGE = AttributeKey.valueOf("wharf-relay-exchange");

    private final Bootstrap bootstrap;
    private final int maxIdlePerOrigin;
    private final Map<Origin, ConcurrentLinkedDeque<Channel>> idle = new ConcurrentHashMap<>();
    private final Map<Origin, AtomicInteger> idleCounts = new ConcurrentHashMap<>();
    private final Map<String, Resolution> resolved = new ConcurrentHashMap<>();
    private final Map<EventLoop, Starts> starts = new ConcurrentHashMap<>();
    private final ChannelGroup open = new DefaultChannelGroup("wharf-relay-http", GlobalEventExecutor.INSTANCE);
    // InetAddress lookups block: they run here, never on an event loop.
    private final ExecutorService resolver = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "wharf-relay-dns");
        t.setDaemon(true);
        return t;
    });
    private volatile SslContext ssl;
    private volatile boolean closed;

    private record Resolution(CompletableFuture<InetAddress> address, long expiresAtNanos) {
    }

    /**
     * @param loops            event loops the connections run on
     * @param channelClass     socket channel class matching the loops' transport
     * @param maxIdlePerOrigin idle connections kept per origin; more are closed when released
     */
    public RelayHttpClient(EventLoopGroup loops, Class<? extends Channel> channelClass, int maxIdlePerOrigin) {
        this.maxIdlePerOrigin = maxIdlePerOrigin;
        this.bootstrap = new Bootstrap().group(loops).channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true);
    }

    /**
     * Sends one request. Completes with the reply, or exceptionally with an {@link IOException}:
     * {@link RequestTimeoutException} when the answer did not come in time, another IOException for
     * connection failures. Never blocks the caller.
     */
    public CompletableFuture<HttpReply> send(HttpCall call) {
        CompletableFuture<HttpReply> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new IOException("the relay's HTTP client is closed"));
            return result;
        }
        Origin origin = Origin.of(call.url());
        Exchange exchange = new Exchange(call, origin, result, this);
        Channel pooled = pollIdle(origin);
        if (pooled != null) {
            startsOf(pooled.eventLoop()).add(pooled, exchange);
            return result;
        }
        // a copy, so the time limit of this call does not fail the cached lookup others share
        CompletableFuture<InetAddress> lookup = resolve(origin.host()).thenApply(a -> a)
                .orTimeout(Math.max(1, call.connectMillis()), TimeUnit.MILLISECONDS);
        lookup.whenComplete((address, failure) -> {
            Throwable error = failure == null ? null : Causes.unwrap(failure);
            if (error == null) {
                connect(origin, new InetSocketAddress(address, origin.port()), exchange);
            } else if (error instanceof IOException io) {
                result.completeExceptionally(io);
            } else {
                String why = error instanceof TimeoutException ? "no answer within " + call.connectMillis() + "ms"
                        : String.valueOf(error.getMessage());
                result.completeExceptionally(new IOException("cannot resolve " + origin.host() + ": " + why, error));
            }
        });
        return result;
    }

    private void connect(Origin origin, InetSocketAddress address, Exchange exchange) {
        SslContext tls;
        try {
            tls = origin.tls() ? sslContext() : null;
        } catch (SSLException e) {
            exchange.result.completeExceptionally(new IOException("cannot set up TLS: " + e.getMessage(), e));
            return;
        }
        ChannelFuture connecting = bootstrap.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, exchange.call.connectMillis()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), origin.host(), origin.port()));
                        }
                        ch.pipeline().addLast("codec", new HttpClientCodec());
                        // reads only: watching writes would cost a listener per request
                        ch.pipeline().addLast("idle", new IdleStateHandler(IDLE_CLOSE_SECONDS, 0, 0));
                        ch.pipeline().addLast("exchange", new ExchangeHandler(RelayHttpClient.this, origin));
                    }
                })
                .connect(address);
        connecting.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                Throwable cause = f.cause();
                exchange.result.completeExceptionally(cause instanceof IOException io ? io
                        : new IOException("cannot connect to " + origin.hostHeader() + ": " + cause, cause));
                return;
            }
            open.add(f.channel());
            if (closed) {
                f.channel().close();
                exchange.result.completeExceptionally(new IOException("the relay's HTTP client is closed"));
                return;
            }
            start(f.channel(), exchange);
        });
    }

    private Starts startsOf(EventLoop loop) {
        return starts.computeIfAbsent(loop, Starts::new);
    }

    /**
     * Exchanges waiting to begin on one event loop. A burst of calls from the route's thread becomes
     * one task on each loop instead of one task (and one wake-up) per call.
     */
    private static final class Starts implements Runnable {
        private record Pending(Channel channel, Exchange exchange) {
        }

        private final EventLoop loop;
        private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();

        Starts(EventLoop loop) {
            this.loop = loop;
        }

        void add(Channel channel, Exchange exchange) {
            queue.add(new Pending(channel, exchange));
            if (scheduled.compareAndSet(false, true)) {
                loop.execute(this);
            }
        }

        @Override
        public void run() {
            scheduled.set(false);
            Pending p;
            while ((p = queue.poll()) != null) {
                start(p.channel(), p.exchange());
            }
        }
    }

    /** Runs on the channel's event loop. */
    private static void start(Channel channel, Exchange exchange) {
        if (!channel.isActive()) {
            exchange.result.completeExceptionally(new IOException("connection closed before the request was sent"));
            return;
        }
        channel.attr(EXCHANGE).set(exchange);
        exchange.begin(channel);
    }

    static Exchange current(Channel channel) {
        return channel.attr(EXCHANGE).get();
    }

    static void clear(Channel channel) {
        channel.attr(EXCHANGE).set(null);
    }

    private SslContext sslContext() throws SSLException {
        SslContext s = ssl;
        if (s == null) {
            synchronized (this) {
                if (ssl == null) {
                    ssl = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build();
                }
                s = ssl;
            }
        }
        return s;
    }

    private CompletableFuture<InetAddress> resolve(String host) {
        long now = System.nanoTime();
        Resolution cached = resolved.get(host);
        if (cached != null && now < cached.expiresAtNanos() && !cached.address().isCompletedExceptionally()) {
            return cached.address();
        }
        CompletableFuture<InetAddress> fresh = CompletableFuture.supplyAsync(() -> {
            try {
                return InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                throw new CompletionException(new IOException("unknown host " + host, e));
            }
        }, resolver);
        resolved.put(host, new Resolution(fresh, now + DNS_TTL_NANOS));
        return fresh.handle((a, e) -> {
            if (e != null) {
                throw new CompletionException(Causes.unwrap(e));
            }
            return a;
        });
    }

    private Channel pollIdle(Origin origin) {
        ConcurrentLinkedDeque<Channel> channels = idle.get(origin);
        if (channels == null) {
            return null;
        }
        Channel ch;
        AtomicInteger count = idleCounts.get(origin);
        while ((ch = channels.pollFirst()) != null) {
            if (count != null) {
                count.decrementAndGet();
            }
            if (ch.isActive()) {
                return ch;
            }
        }
        return null;
    }

    /** Called on the channel's event loop once an exchange finished cleanly on a keep-alive connection. */
    void release(Origin origin, Channel channel) {
        if (closed || !channel.isActive()) {
            channel.close();
            return;
        }
        AtomicInteger count = idleCounts.computeIfAbsent(origin, o -> new AtomicInteger());
        if (count.incrementAndGet() > maxIdlePerOrigin) {
            count.decrementAndGet();
            channel.close();
            return;
        }
        idle.computeIfAbsent(origin, o -> new ConcurrentLinkedDeque<>()).addFirst(channel);
    }

    /** Called when a pooled channel closes while idle, so the idle count stays true. */
    void forgetIdle(Origin origin, Channel channel) {
        ConcurrentLinkedDeque<Channel> channels = idle.get(origin);
        AtomicInteger count = idleCounts.get(origin);
        if (channels != null && channels.remove(channel) && count != null) {
            count.decrementAndGet();
        }
    }

    /** Open connections (idle and busy), for metrics. */
    public int openConnections() {
        return open.size();
    }

    /** Closes every connection; calls still in flight fail. */
    @Override
    public void close() {
        closed = true;
        open.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        idle.clear();
        idleCounts.clear();
        resolver.shutdownNow();
    }

    /** Builds the request body buffer without copying. */
    static io.netty.buffer.ByteBuf body(byte[] body) {
        return body == null || body.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
    }
}
