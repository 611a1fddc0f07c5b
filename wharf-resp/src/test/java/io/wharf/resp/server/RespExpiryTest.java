package io.wharf.resp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.wharf.core.config.AuthSettings;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import io.wharf.testkit.gateway.TestJwt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A credential that expires during a session (as a JWT's {@code exp} does): every command but
 * AUTH, HELLO, PING, QUIT and CLIENT answers {@code NOPERM} until the client authenticates again,
 * and a consume blocked at the expiry ends with it. The door runs on a real socket against the
 * embedded broker, the credential a real HS256 JWT sent as the {@code AUTH} password.
 */
@ExtendWith(SharedKafka.class)
class RespExpiryTest {
    private static final String EXPIRED = "-NOPERM the credential has expired; authenticate again";

    @Test
    void anExpiredCredentialIsRefusedUntilReAuthAndEndsABlockedConsume(TestKafka kafka) throws Exception {
        String topic = kafka.createTopic("expiry", 1);
        try (TestGateway gateway = TestGateway.builder().kafka(kafka)
                .auth(new AuthSettings(null, Map.of(), null).withJwt(TestJwt.settings())).start()) {
            // two JWTs of one subject: one lasting 3 seconds, one an hour, sent as the AUTH password
            String brief = TestJwt.token("jwt-user", List.of(), Map.of(), Instant.now().plusSeconds(3));
            String lasting = TestJwt.token("jwt-user");
            try (Socket socket = new Socket("127.0.0.1", gateway.port("resp"))) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                assertThat(call(out, in, "AUTH", "jwt-user", brief)).isEqualTo("+OK");
                assertThat(call(out, in, "CLIENT", "SETNAME", "expiry:c")).isEqualTo("+OK");
                // blocked without a timeout: the expiry ends it
                assertThat(call(out, in, "BLPOP", "topics:" + topic, "0")).isEqualTo(EXPIRED);
                assertThat(call(out, in, "RPUSH", "topics:" + topic, "late")).isEqualTo(EXPIRED);
                assertThat(call(out, in, "KEYS", "topics:")).isEqualTo(EXPIRED);
                assertThat(call(out, in, "PING")).isEqualTo("+PONG");
                assertThat(call(out, in, "CLIENT", "GETNAME")).isEqualTo("$8");
                assertThat(in.readLine()).isEqualTo("expiry:c");
                String stale = TestJwt.token("jwt-user", List.of(), Map.of(), Instant.now().minusSeconds(300));
                assertThat(call(out, in, "AUTH", stale)).as("a token expired beyond the clock skew is refused")
                        .isEqualTo("-WRONGPASS invalid username-password pair or user is disabled.");
                assertThat(call(out, in, "RPUSH", "topics:" + topic, "still")).isEqualTo(EXPIRED);
                assertThat(call(out, in, "AUTH", lasting)).isEqualTo("+OK");
                assertThat(call(out, in, "RPUSH", "topics:" + topic, "again")).isEqualTo(":1");
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
