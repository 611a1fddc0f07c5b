package io.wharf.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.util.concurrent.EventExecutor;
import io.wharf.core.gateway.Endpoint;

/**
 * Wharf as {@link Main} runs it, with every network thread stuck in a long computation once it is
 * ready, and an HTTP connection open on it (so the HTTP door's close waits for that loop): what a
 * handler that never returns does to a stop. Run as a child process by {@link ShutdownTest}.
 */
final class StuckNetworkThreadWharf {
    /** Kept open for the life of the process: the connection whose close needs the stuck loop. */
    private static final List<Socket> OPEN = new ArrayList<>();
    private static volatile long spins;

    private StuckNetworkThreadWharf() {
    }

    public static void main(String[] args) {
        System.exit(Main.run(args, StuckNetworkThreadWharf::stickEveryNetworkThread));
    }

    private static void stickEveryNetworkThread(WharfServer server) {
        Endpoint http = server.endpoints().stream().filter(e -> e.name().equals("http")).findFirst().orElseThrow();
        OPEN.add(healthzOnKeepAlive(http));
        for (EventExecutor loop : server.gateway().context().network().workers()) {
            loop.execute(() -> {
                while (true) { // a computation that never ends, as a runaway handler would be
                    spins++;
                }
            });
        }
    }

    /** An HTTP/1.1 connection that has been answered once (so it is registered on a loop) and stays open. */
    private static Socket healthzOnKeepAlive(Endpoint http) {
        try {
            Socket socket = new Socket(http.host(), http.port());
            OutputStream out = socket.getOutputStream();
            out.write(("GET /healthz HTTP/1.1\r\nHost: " + http.address() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] status = in.readNBytes("HTTP/1.1 200".length());
            if (!new String(status, StandardCharsets.US_ASCII).equals("HTTP/1.1 200")) {
                throw new IllegalStateException("healthz answered " + new String(status, StandardCharsets.US_ASCII));
            }
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
