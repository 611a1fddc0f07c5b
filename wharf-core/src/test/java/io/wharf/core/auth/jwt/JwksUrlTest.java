package io.wharf.core.auth.jwt;

import static io.wharf.core.auth.jwt.TestTokens.EC_1;
import static io.wharf.core.auth.jwt.TestTokens.RSA_1;
import static io.wharf.core.auth.jwt.TestTokens.RSA_2;
import static io.wharf.core.auth.jwt.TestTokens.claims;
import static io.wharf.core.auth.jwt.TestTokens.settings;
import static io.wharf.core.auth.jwt.TestTokens.signed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.nimbusds.jose.JWSAlgorithm;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/** Keys from a JWKS URL served by a real JDK HTTP server: caching, rotation on an unknown kid, its rate limit, timeouts. */
class JwksUrlTest {
    private HttpServer server;
    private ExecutorService serverThreads;
    private final AtomicReference<String> document = new AtomicReference<>(TestTokens.jwks(RSA_1, EC_1));
    private final AtomicInteger fetches = new AtomicInteger();
    private final CountDownLatch releaseHang = new CountDownLatch(1);
    private final CountDownLatch hangReached = new CountDownLatch(1);
    private final List<JwtVerifier> verifiers = new ArrayList<>();

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        serverThreads = Executors.newCachedThreadPool();
        server.setExecutor(serverThreads);
        server.createContext("/jwks", exchange -> {
            fetches.incrementAndGet();
            answer(exchange, 200, document.get());
        });
        server.createContext("/hang", exchange -> {
            fetches.incrementAndGet();
            hangReached.countDown();
            try {
                releaseHang.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.createContext("/big", exchange -> answer(exchange, 200, " ".repeat(10_000) + document.get()));
        server.createContext("/missing", exchange -> answer(exchange, 404, "{}"));
        server.start();
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @AfterEach
    void stop() {
        verifiers.forEach(JwtVerifier::close);
        releaseHang.countDown();
        server.stop(0);
        serverThreads.shutdownNow();
    }

    private JwtVerifier verifier(String path, String... extra) {
        List<String> lines = new ArrayList<>(List.of("jwks-url: http://127.0.0.1:" + server.getAddress().getPort() + path));
        lines.addAll(List.of(extra));
        JwtVerifier v = new JwtVerifier(settings(lines.toArray(String[]::new)), null);
        verifiers.add(v);
        return v;
    }

    private static VerifiedJwt await(CompletableFuture<VerifiedJwt> future) throws Exception {
        return future.get(20, TimeUnit.SECONDS);
    }

    @Test
    void rs256Ps256AndEs256VerifyWithKeysFromTheUrlWhichAreThenCached() throws Exception {
        JwtVerifier v = verifier("/jwks", "min-refresh-interval: 1h");
        assertThat(await(v.verify(signed(JWSAlgorithm.RS256, RSA_1, claims().build()))).subject()).isEqualTo("alice");
        // fetched once; every further token is answered at once from the cached set
        assertThat(v.verifyNow(signed(JWSAlgorithm.PS256, RSA_1, claims().build()))).isInstanceOf(JwtCheck.Verified.class);
        assertThat(v.verifyNow(signed(JWSAlgorithm.ES256, EC_1, claims().build()))).isInstanceOf(JwtCheck.Verified.class);
        assertThat(v.verify(signed(JWSAlgorithm.RS384, RSA_1, claims().build()))).isCompleted();
        assertThat(fetches).hasValue(1);
    }

    @Test
    void anUnknownKidFetchesOnceAndARotatedKeyThenVerifiesButAnotherUnknownKidSoonAfterDoesNotFetch() throws Exception {
        JwtVerifier v = verifier("/jwks", "min-refresh-interval: 1h");
        await(v.verify(signed(JWSAlgorithm.RS256, RSA_1, claims().build())));
        assertThat(fetches).hasValue(1);

        document.set(TestTokens.jwks(RSA_1, EC_1, RSA_2)); // the identity provider rotates in a new key
        JwtCheck check = v.verifyNow(signed(JWSAlgorithm.RS256, RSA_2, claims().build()));
        assertThat(check).isInstanceOf(JwtCheck.KeysPending.class);
        JwtCheck after = ((JwtCheck.KeysPending) check).result().get(20, TimeUnit.SECONDS);
        assertThat(after).isInstanceOf(JwtCheck.Verified.class);
        assertThat(fetches).hasValue(2);
        assertThat(v.verifyNow(signed(JWSAlgorithm.RS256, RSA_2, claims().build()))).isInstanceOf(JwtCheck.Verified.class);

        // a made-up kid within min-refresh-interval: refused at once, no fetch
        JwtCheck madeUp = v.verifyNow(signed(JWSAlgorithm.RS256, RSA_2, "made-up", claims().build()));
        assertThat(madeUp).isEqualTo(new JwtCheck.Invalid(JwtRejection.UNKNOWN_KEY, "no key with kid \"made-up\" is known"));
        assertThat(fetches).hasValue(2);
    }

    @Test
    void aHangingJwksServerNeverBlocksTheCallerAndTheWaitEndsAfterTheTimeoutWithAClearReason() throws Exception {
        JwtVerifier v = verifier("/hang", "jwks-timeout: 1500ms");
        CompletableFuture<VerifiedJwt> pending = v.verify(signed(JWSAlgorithm.RS256, RSA_1, claims().build()));
        // the caller got a future back instead of waiting on the server, which has not answered
        assertThat(pending).isNotDone();
        assertThat(hangReached.await(20, TimeUnit.SECONDS)).isTrue();
        ExecutionException failure = catchThrowableOfType(ExecutionException.class, () -> pending.get(20, TimeUnit.SECONDS));
        assertThat(failure.getCause()).isInstanceOf(InvalidJwtException.class)
                .hasMessage("no key with kid \"rsa-1\" is known, and fetching the key set timed out after 1500ms");
        assertThat(((InvalidJwtException) failure.getCause()).rejection()).isEqualTo(JwtRejection.KEYS_UNAVAILABLE);
    }

    @Test
    void aJwksDocumentOverTheSizeCapOrAnHttpErrorIsAFetchFailure() throws Exception {
        JwtVerifier big = verifier("/big", "max-jwks-bytes: 4096");
        ExecutionException tooBig = catchThrowableOfType(ExecutionException.class,
                () -> await(big.verify(signed(JWSAlgorithm.RS256, RSA_1, claims().build()))));
        assertThat(tooBig.getCause()).hasMessageEndingWith("the key set is larger than 4096 bytes (auth.jwt.max-jwks-bytes)");
        JwtVerifier missing = verifier("/missing");
        ExecutionException notFound = catchThrowableOfType(ExecutionException.class,
                () -> await(missing.verify(signed(JWSAlgorithm.RS256, RSA_1, claims().build()))));
        assertThat(notFound.getCause()).hasMessageEndingWith("the key set URL answered HTTP 404");
    }
}
