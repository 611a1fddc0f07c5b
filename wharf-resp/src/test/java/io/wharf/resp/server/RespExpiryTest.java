package io.wharf.resp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.wharf.core.access.Principal;
import io.wharf.core.config.AuthSettings;
import io.wharf.core.gateway.GatewayContext;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A credential that expires during a session (as a JWT's {@code exp} does): every command but
 * AUTH, HELLO, PING, QUIT and CLIENT answers {@code NOPERM} until the client authenticates again,
 * and a consume blocked at the expiry ends with it. The door runs on a real socket against the
 * embedded broker; only what {@code AUTH} authenticates as is the test's ({@link RespServer}'s seam
 * for the JWT verifier).
 */
@ExtendWith(SharedKafka.class)
class RespExpiryTest {
    private static final String EXPIRED = "-NOPERM the credential has expired; authenticate again";

    @Test
    void anExpiredCredentialIsRefusedUntilReAuthAndEndsABlockedConsume(TestKafka kafka) throws Exception {
        String topic = kafka.createTopic("expiry", 1);
        try (TestGateway gateway = TestGateway.builder().kafka(kafka)
                .auth(new AuthSettings(null, Map.of("jwt-user", "unused"), null)).start()) {
            GatewayContext context = gateway.context();
            // "short" lasts 3 seconds, "long" an hour: as two JWTs of one subject would
            RespServer server = new RespServer(context, (user, password) -> new Principal("jwt-user", Principal.Kind.JWT,
                    null, null, Instant.now().plusSeconds(password.equals("short") ? 3 : 3600)));
            Channel listener = new ServerBootstrap().group(context.network().acceptors(), context.network().workers())
                    .channel(context.network().serverChannel()).childHandler(server.channelInitializer())
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            try (Socket socket = new Socket("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort())) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                assertThat(call(out, in, "AUTH", "jwt-user", "short")).isEqualTo("+OK");
                assertThat(call(out, in, "CLIENT", "SETNAME", "expiry:c")).isEqualTo("+OK");
                // blocked without a timeout: the expiry ends it
                assertThat(call(out, in, "BLPOP", "topics:" + topic, "0")).isEqualTo(EXPIRED);
                assertThat(call(out, in, "RPUSH", "topics:" + topic, "late")).isEqualTo(EXPIRED);
                assertThat(call(out, in, "KEYS", "topics:")).isEqualTo(EXPIRED);
                assertThat(call(out, in, "PING")).isEqualTo("+PONG");
                assertThat(call(out, in, "CLIENT", "GETNAME")).isEqualTo("$8");
                assertThat(in.readLine()).isEqualTo("expiry:c");
                assertThat(call(out, in, "AUTH", "jwt-user", "long")).isEqualTo("+OK");
                assertThat(call(out, in, "RPUSH", "topics:" + topic, "again")).isEqualTo(":1");
            } finally {
                listener.close().sync();
                server.shutdown(5, TimeUnit.SECONDS);
            }
        }
    }

    private static String call(OutputStream out, BufferedReader in, String... args) throws Exception {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        return in.readLine();
    }
}
