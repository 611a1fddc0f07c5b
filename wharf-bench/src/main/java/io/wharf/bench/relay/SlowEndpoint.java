package io.wharf.bench.relay;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The benchmark's webhook endpoint, in its own JVM: answers every POST 200 after a fixed latency
 * and checks what a relay must guarantee: per key, sequence numbers arrive in order with no event
 * of a key arriving while an earlier one is still open; every idempotency key is applied once.
 * {@code GET /stats} answers the counts as {@code name=value} lines.
 *
 * <p>Run: {@code java -cp wharf-bench.jar io.wharf.bench.relay.SlowEndpoint <latency-ms>}; prints
 * {@code ENDPOINT-PORT <port>}.
 */
public final class SlowEndpoint {
    // touched only by the one event loop thread
    private final Map<String, Integer> lastSeq = new HashMap<>();
    private final Map<String, Integer> openOfKey = new HashMap<>();
    private final Set<String> applied = new HashSet<>();
    private long requests;
    private long orderViolations;
    private long overlaps;
    private long duplicates;
    private int inFlight;
    private int peakInFlight;
    private long latencyNanosTotal;
    private long answered;
    private long expected;
    private long firstArrival;
    private long lastArrival;
    private long arrival10;
    private long arrival90;

    private SlowEndpoint() {
    }

    public static void main(String[] args) throws Exception {
        long latencyMillis = Long.parseLong(args[0]);
        boolean epoll = Epoll.isAvailable();
        // one thread: the checks above need no lock, and the endpoint stays cheap next to the relay
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        SlowEndpoint endpoint = new SlowEndpoint();
        Channel server = new ServerBootstrap().group(loop)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                endpoint.handler(latencyMillis));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        System.out.println("ENDPOINT-PORT " + ((InetSocketAddress) server.localAddress()).getPort());
        System.out.flush();
        // stops when the benchmark closes our stdin (or dies)
        while (System.in.read() >= 0) {
            // nothing to read but the end
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private SimpleChannelInboundHandler<FullHttpRequest> handler(long latencyMillis) {
        return new SimpleChannelInboundHandler<>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                if (request.uri().startsWith("/stats")) {
                    respond(ctx, stats());
                    return;
                }
                if (request.uri().startsWith("/reset")) {
                    reset(Long.parseLong(request.uri().substring(request.uri().indexOf('=') + 1)));
                    respond(ctx, "reset");
                    return;
                }
                long received = System.nanoTime();
                String key = request.headers().get("Wharf-Key", "");
                String idem = request.headers().get("Idempotency-Key", "");
                String body = request.content().toString(StandardCharsets.UTF_8);
                int seq = Integer.parseInt(body.substring(body.indexOf('|') + 1));
                requests++;
                if (requests == 1) {
                    firstArrival = received;
                }
                lastArrival = received;
                if (requests == Math.max(1, expected / 10)) {
                    arrival10 = received;
                }
                if (requests == Math.max(1, expected * 9 / 10)) {
                    arrival90 = received;
                }
                inFlight++;
                peakInFlight = Math.max(peakInFlight, inFlight);
                if (openOfKey.merge(key, 1, Integer::sum) > 1) {
                    overlaps++;
                }
                Integer last = lastSeq.put(key, seq);
                if (last != null && seq != last + 1) {
                    orderViolations++;
                }
                if (!applied.add(idem)) {
                    duplicates++;
                }
                ctx.executor().schedule(() -> {
                    inFlight--;
                    openOfKey.merge(key, -1, Integer::sum);
                    latencyNanosTotal += System.nanoTime() - received;
                    answered++;
                    respond(ctx, "ok");
                }, latencyMillis, TimeUnit.MILLISECONDS);
            }
        };
    }

    /** Counts start again for a run of {@code expect} events (in-flight answers of an earlier run still go out). */
    private void reset(long expect) {
        lastSeq.clear();
        openOfKey.clear();
        applied.clear();
        requests = 0;
        orderViolations = 0;
        overlaps = 0;
        duplicates = 0;
        peakInFlight = inFlight;
        latencyNanosTotal = 0;
        answered = 0;
        expected = expect;
        firstArrival = 0;
        lastArrival = 0;
        arrival10 = 0;
        arrival90 = 0;
    }

    private String stats() {
        long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        return "requests=" + requests + "\nanswered=" + answered + "\norder-violations=" + orderViolations
                + "\noverlaps=" + overlaps + "\nduplicates=" + duplicates + "\npeak-in-flight=" + peakInFlight
                + "\nkeys=" + lastSeq.size() + "\nmean-latency-micros="
                + (answered == 0 ? 0 : latencyNanosTotal / answered / 1000) + "\ncpu-millis=" + cpu / 1_000_000
                + "\nfirst-to-last-micros=" + (lastArrival - firstArrival) / 1000
                + "\nten-to-ninety-micros=" + (arrival90 - arrival10) / 1000 + "\n";
    }

    private static void respond(ChannelHandlerContext ctx, String text) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
        ctx.writeAndFlush(response);
    }
}
