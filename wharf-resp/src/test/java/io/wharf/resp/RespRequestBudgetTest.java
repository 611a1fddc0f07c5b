package io.wharf.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.wharf.resp.config.RespSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clients streaming big incomplete commands are not read past the door-wide budget: before, a
 * connection paused for the budget was read on anyway (Netty's decoder asks for another read when a
 * read decodes nothing), and 8 clients each sending 31 MB of a 32 MB bulk held 248 MB against a
 * 64 MiB budget.
 */
class RespRequestBudgetTest {
    private static final long BUDGET = 16L * 1024 * 1024;
    private static final int CLIENTS = 8;
    private static final int SENT = 31_000_000;

    @RegisterExtension
    static final RespTestGateway gateway = RespTestGateway.perClass(g -> g.update(RespSettings.class,
            r -> r.withRequestLimits(BUDGET, Duration.ofSeconds(30))));

    private double bufferedRequestBytes() {
        return gateway.gateway().context().metrics().registry().find("wharf.resp.buffered.request.bytes").gauge().value();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void clientsStreamingBigIncompleteCommandsAreNotReadPastTheBudget() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        List<Thread> writers = new ArrayList<>();
        byte[] chunk = "x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
        try {
            for (int i = 0; i < CLIENTS; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", gateway.port()));
                sockets.add(s);
                Thread writer = new Thread(() -> {
                    try {
                        OutputStream out = s.getOutputStream();
                        out.write("*3\r\n$5\r\nRPUSH\r\n$8\r\ntopics:t\r\n$32000000\r\n".getBytes(StandardCharsets.US_ASCII));
                        for (int sent = 0; sent < SENT; sent += chunk.length) {
                            out.write(chunk);
                        }
                    } catch (IOException closed) {
                        // closed by the test at the end
                    }
                }, "budget-writer-" + i);
                writer.start();
                writers.add(writer);
            }
            await(() -> bufferedRequestBytes() > BUDGET, "the budget to fill");
            double most = 0;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < until) {
                most = Math.max(most, bufferedRequestBytes());
                Thread.sleep(5);
            }
            // over by at most what each connection read before it saw the budget spent
            assertThat(most).as("bytes of incomplete commands held while %d clients stream %d bytes each", CLIENTS, SENT)
                    .isLessThan(BUDGET + CLIENTS * 256 * 1024);
            try (RawRespClient neighbour = gateway.raw()) {
                assertThat(neighbour.call("PING")).isEqualTo(new RawRespClient.Simple("PONG"));
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
            for (Thread w : writers) {
                w.join(10_000);
            }
        }
        await(() -> bufferedRequestBytes() == 0, "every share of the budget to be freed");
    }
}
