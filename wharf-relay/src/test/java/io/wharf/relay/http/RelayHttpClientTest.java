package io.wharf.relay.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The relay's HTTP client against a real server: reuse, bodies, limits, timeouts, failures. */
class RelayHttpClientTest {
    private static HttpServer server;
    private static EventLoopGroup loops;
    private static RelayHttpClient client;
    private static final List<String> remotePorts = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/echo", ex -> {
            remotePorts.add(Integer.toString(ex.getRemoteAddress().getPort()));
            byte[] body = ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().set("X-Method", ex.getRequestMethod());
            ex.getResponseHeaders().set("X-Seen", String.valueOf(ex.getRequestHeaders().getFirst("X-Test")));
            ex.sendResponseHeaders(201, body.length == 0 ? -1 : body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/chunked", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 100; i++) {
                    out.write("0123456789".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            }
        });
        server.createContext("/slow", ex -> {
            ex.getRequestBody().readAllBytes();
            try {
                Thread.sleep(1_500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        client = new RelayHttpClient(loops, NioSocketChannel.class, 8);
    }

    @AfterAll
    static void stop() {
        client.close();
        loops.shutdownGracefully().syncUninterruptibly();
        server.stop(0);
    }

    private static URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private static HttpCall call(URI url, byte[] body, long timeoutMillis, int maxResponseBytes) {
        return new HttpCall(url, "POST", new DefaultHttpHeaders().set("X-Test", "yes"), body, 2_000, timeoutMillis,
                maxResponseBytes);
    }

    @Test
    void sendsTheRequestAndReadsTheWholeResponseReusingTheConnection() {
        remotePorts.clear();
        for (int i = 0; i < 5; i++) {
            HttpReply reply = client.send(call(url("/echo?q=1"), ("hello " + i).getBytes(StandardCharsets.UTF_8),
                    5_000, 1024)).join();
            assertThat(reply.status()).isEqualTo(201);
            assertThat(new String(reply.body(), StandardCharsets.UTF_8)).isEqualTo("hello " + i);
            assertThat(reply.headers().get("X-Method")).isEqualTo("POST");
            assertThat(reply.headers().get("X-Seen")).isEqualTo("yes");
            assertThat(reply.truncated()).isFalse();
        }
        assertThat(remotePorts).as("one kept-alive connection for sequential calls").hasSize(5).containsOnly(remotePorts.get(0));
    }

    @Test
    void keepsOnlyTheConfiguredNumberOfBytesAndSaysSo() {
        HttpReply reply = client.send(call(url("/chunked"), new byte[0], 5_000, 25)).join();
        assertThat(reply.status()).isEqualTo(200);
        assertThat(new String(reply.body(), StandardCharsets.US_ASCII)).isEqualTo("0123456789012345678901234");
        assertThat(reply.truncated()).isTrue();
        // the connection stays usable: the rest of the body was read and dropped
        assertThat(client.send(call(url("/echo"), "x".getBytes(StandardCharsets.UTF_8), 5_000, 10)).join().status())
                .isEqualTo(201);
    }

    @Test
    void failsWithARequestTimeoutWhenTheAnswerIsLate() {
        assertThatThrownBy(() -> client.send(call(url("/slow"), new byte[0], 300, 10)).join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(RequestTimeoutException.class);
    }

    @Test
    void failsWithAnIoExceptionWhenNothingListens() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> client.send(call(URI.create("http://127.0.0.1:" + port + "/"), new byte[0], 1_000, 10))
                .join()).isInstanceOf(CompletionException.class).hasCauseInstanceOf(IOException.class);
    }

    @Test
    void failsWithAnIoExceptionForAHostThatDoesNotResolve() {
        assertThatThrownBy(() -> client.send(call(URI.create("http://no-such-host.invalid/"), new byte[0], 1_000, 10))
                .join()).isInstanceOf(CompletionException.class).hasCauseInstanceOf(IOException.class)
                .hasMessageContaining("no-such-host.invalid");
    }

    @Test
    void failsWhenTheServerClosesWithoutAnswering() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (var socket = s.accept()) {
                    socket.getInputStream().read(new byte[100]);
                } catch (IOException ignored) {
                    // the test only needs the connection to close
                }
            });
            t.start();
            assertThatThrownBy(() -> client.send(call(URI.create("http://127.0.0.1:" + s.getLocalPort() + "/"),
                    new byte[0], 5_000, 10)).join()).isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(IOException.class).hasMessageContaining("closed");
            t.join();
        }
    }

    @Test
    void failsOnAMalformedResponse() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (var socket = s.accept()) {
                    socket.getInputStream().read(new byte[100]);
                    socket.getOutputStream().write("NOT-HTTP garbage\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                    Thread.sleep(500);
                } catch (IOException | InterruptedException ignored) {
                    // done
                }
            });
            t.start();
            assertThatThrownBy(() -> client.send(call(URI.create("http://127.0.0.1:" + s.getLocalPort() + "/"),
                    new byte[0], 5_000, 10)).join()).isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(IOException.class);
            t.join();
        }
    }
}
