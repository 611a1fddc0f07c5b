package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.wharf.core.auth.Credentials;
import io.wharf.core.config.AuthSettings;
import org.junit.jupiter.api.Test;

/** The authenticator on Netty's embedded channel: every accepted form, every refusal, and secrets never echoed. */
class AuthenticatorTest {
    private static final String PASSWORD = "pw-default-secret";
    private static final String ALICE_PASSWORD = "alice-pw-secret";
    private static final String TOKEN = "tok-123456-secret";
    private static final String CHALLENGE = "Basic realm=\"wharf\", Bearer realm=\"wharf\"";

    private static final io.wharf.core.access.AccessPolicy OPEN =
            new io.wharf.core.access.AccessPolicy(io.wharf.core.config.AccessSettings.open());
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpMetrics metrics = new HttpMetrics(registry);
    private final Authenticator configured = new Authenticator(
            new Credentials(new AuthSettings(PASSWORD, Map.of("alice", ALICE_PASSWORD), List.of(TOKEN))), OPEN, metrics);

    private static FullHttpRequest request(String uri, String authorization) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
        if (authorization != null) {
            request.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
        }
        return request;
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private double failures() {
        return registry.get("wharf.http.auth.failures").counter().count();
    }

    /** Sends the request through and asserts it reached the next handler untouched. */
    private void assertAdmitted(Authenticator authenticator, FullHttpRequest request) {
        EmbeddedChannel ch = new EmbeddedChannel(authenticator);
        ch.writeInbound(request);
        FullHttpRequest passed = ch.readInbound();
        assertThat(passed).isSameAs(request);
        assertThat(passed.refCnt()).isEqualTo(1);
        passed.release();
        assertThat((Object) ch.readOutbound()).isNull();
    }

    /** Sends the request through and returns the 401 body after checking status, challenge and release. */
    private String assertRefused(FullHttpRequest request) {
        EmbeddedChannel ch = new EmbeddedChannel(configured);
        ch.writeInbound(request);
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(request.refCnt()).as("the refused request is released").isZero();
        FullHttpResponse response = ch.readOutbound();
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
            assertThat(response.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).isEqualTo(CHALLENGE);
            assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
            String body = response.content().toString(StandardCharsets.UTF_8);
            assertThat(response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH))
                    .isEqualTo(response.content().readableBytes());
            return body;
        } finally {
            response.release();
        }
    }

    @Test
    void admitsEveryConfiguredCredentialInEachForm() {
        assertAdmitted(configured, request("/topics/t", "Bearer " + TOKEN));
        assertAdmitted(configured, request("/topics/t", "bearer " + TOKEN));
        assertAdmitted(configured, request("/topics/t", basic("alice", ALICE_PASSWORD)));
        assertAdmitted(configured, request("/topics/t", basic("default", PASSWORD)));
        assertAdmitted(configured, request("/topics/t", basic("", PASSWORD)));
        assertAdmitted(configured, request("/topics/t?access_token=" + TOKEN, null));
        // kafka-proxy sends the raw secret after "basic" on its path
        assertAdmitted(configured, request("/", "basic " + PASSWORD));
        assertAdmitted(configured, request("/?topic=t", "basic " + TOKEN));
        assertThat(failures()).isZero();
    }

    @Test
    void leavesHealthOpenAndEverythingOpenWhenNoCredentialsAreConfigured() {
        assertAdmitted(configured, request("/healthz", null));
        assertAdmitted(configured, request("/readyz", "Bearer wrong"));
        Authenticator open = new Authenticator(new Credentials(new AuthSettings(null, null, null)), OPEN, metrics);
        assertAdmitted(open, request("/topics/t", null));
        assertAdmitted(open, request("/topics/t", "Bearer anything"));
        assertThat(failures()).isZero();
    }

    @Test
    void refusesMissingAndWrongCredentialsWithA401SayingWhy() {
        assertThat(assertRefused(request("/topics/t", null))).isEqualTo("{\"error\":\"unauthorized\",\"message\":"
                + "\"credentials required: send Authorization: Bearer <token> or Basic <base64 user:password>\"}");
        assertThat(assertRefused(request("/topics/t", "Bearer nope"))).contains("\"the bearer token is not valid\"");
        assertThat(assertRefused(request("/topics/t", basic("alice", "nope")))).contains("\"the basic credentials are not valid\"");
        assertThat(assertRefused(request("/topics/t", basic("mallory", ALICE_PASSWORD)))).contains("the basic credentials are not valid");
        assertThat(assertRefused(request("/topics/t", "Basic %%not-base64%%"))).contains("the basic credentials are not valid");
        assertThat(assertRefused(request("/topics/t?access_token=nope", null))).contains("\"the access_token is not valid\"");
        assertThat(assertRefused(request("/topics/t", "Digest username=alice"))).contains(
                "\"unsupported Authorization scheme; use Bearer or Basic\"");
        // the raw-secret form is kafka-proxy's, accepted on its path only
        assertThat(assertRefused(request("/topics/t", "basic " + PASSWORD))).contains("the basic credentials are not valid");
        assertThat(assertRefused(request("/", "basic nope"))).contains("the basic credentials are not valid");
        assertThat(failures()).isEqualTo(9);
    }

    @Test
    void neverEchoesOrLogsWhatWasPresented() {
        String wrongSecret = "s3cr3t-guess-" + System.nanoTime();
        try (LogCapture logs = new LogCapture()) {
            List<String> bodies = List.of(
                    assertRefused(request("/topics/t", "Bearer " + wrongSecret)),
                    assertRefused(request("/topics/t", basic("alice", wrongSecret))),
                    assertRefused(request("/topics/t", basic(wrongSecret, ALICE_PASSWORD))),
                    assertRefused(request("/topics/t?access_token=" + wrongSecret, null)),
                    assertRefused(request("/", "basic " + wrongSecret)),
                    assertRefused(request("/topics/t", wrongSecret)));
            for (String body : bodies) {
                assertThat(body).doesNotContain(wrongSecret).doesNotContain(ALICE_PASSWORD);
            }
            assertThat(logs.text()).contains("event=auth-failed").doesNotContain(wrongSecret)
                    .doesNotContain(ALICE_PASSWORD).doesNotContain(Base64.getEncoder()
                            .encodeToString(("alice:" + wrongSecret).getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void keepsTheConnectionWhenTheRequestAsksForKeepAliveAndClosesItOtherwise() {
        EmbeddedChannel keepAlive = new EmbeddedChannel(configured);
        keepAlive.writeInbound(request("/topics/t", null));
        FullHttpResponse first = keepAlive.readOutbound();
        assertThat(first.status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        assertThat(HttpUtil.isKeepAlive(first)).isTrue();
        first.release();
        assertThat(keepAlive.isOpen()).isTrue();

        EmbeddedChannel closing = new EmbeddedChannel(configured);
        FullHttpRequest request = request("/topics/t", null);
        request.headers().set(HttpHeaderNames.CONNECTION, "close");
        closing.writeInbound(request);
        FullHttpResponse last = closing.readOutbound();
        assertThat(last.status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        assertThat(last.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        last.release();
        assertThat(closing.isOpen()).isFalse();
    }
}
