package io.wharf.relay.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletionException;
import java.util.random.RandomGenerator;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.wharf.relay.config.RetrySettings;
import io.wharf.relay.http.HttpReply;
import io.wharf.relay.http.RequestTimeoutException;
import org.junit.jupiter.api.Test;

/** Which answers are retried, which are terminal, and how long the relay waits. */
class OutcomeTest {
    private static HttpReply reply(int status, String retryAfter) {
        DefaultHttpHeaders h = new DefaultHttpHeaders();
        if (retryAfter != null) {
            h.set("Retry-After", retryAfter);
        }
        return new HttpReply(status, h, "why\nnot".getBytes(StandardCharsets.UTF_8), false);
    }

    @Test
    void classifiesAnswers() {
        assertThat(Outcome.of(reply(200, null))).isInstanceOf(Outcome.Delivered.class);
        assertThat(Outcome.of(reply(204, null))).isInstanceOf(Outcome.Delivered.class);
        assertThat(((Outcome.Retry) Outcome.of(reply(503, null))).cause()).isEqualTo(RetryCause.SERVER_ERROR);
        assertThat(((Outcome.Retry) Outcome.of(reply(500, null))).cause()).isEqualTo(RetryCause.SERVER_ERROR);
        assertThat(((Outcome.Retry) Outcome.of(reply(429, "7"))).retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(((Outcome.Retry) Outcome.of(reply(409, null))).cause()).isEqualTo(RetryCause.CONFLICT);
        assertThat(((Outcome.Retry) Outcome.of(reply(408, null))).cause()).isEqualTo(RetryCause.TIMEOUT);
        Outcome.Rejected rejected = (Outcome.Rejected) Outcome.of(reply(422, null));
        assertThat(rejected.status()).isEqualTo(422);
        assertThat(rejected.detail()).isEqualTo("422 why not");
        assertThat(Outcome.of(reply(404, null))).isInstanceOf(Outcome.Rejected.class);
        assertThat(((Outcome.Rejected) Outcome.of(reply(302, null))).detail()).contains("redirects are not followed");
    }

    @Test
    void classifiesFailuresWithoutAnAnswer() {
        Outcome.Retry timeout = (Outcome.Retry) Outcome.of(new CompletionException(new RequestTimeoutException(100)));
        assertThat(timeout.cause()).isEqualTo(RetryCause.TIMEOUT);
        assertThat(timeout.status()).isZero();
        Outcome.Retry reset = (Outcome.Retry) Outcome.of(new IOException("Connection reset by peer"));
        assertThat(reset.cause()).isEqualTo(RetryCause.NETWORK);
        assertThat(reset.detail()).isEqualTo("network: Connection reset by peer");
    }

    @Test
    void readsRetryAfterAsSecondsOrAnHttpDate() {
        assertThat(Outcome.retryAfter(reply(503, "120"))).isEqualTo(Duration.ofSeconds(120));
        String inTenSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusSeconds(10));
        assertThat(Outcome.retryAfter(reply(503, inTenSeconds))).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(10));
        assertThat(Outcome.retryAfter(reply(503, "Wed, 21 Oct 2015 07:28:00 GMT"))).isEqualTo(Duration.ZERO);
        assertThat(Outcome.retryAfter(reply(503, "soon"))).isNull();
        assertThat(Outcome.retryAfter(reply(503, null))).isNull();
    }

    @Test
    void backsOffExponentiallyWithJitterAndLetsALongerRetryAfterWin() {
        RetrySettings settings = new RetrySettings(5, Duration.ofSeconds(60), Duration.ofMillis(100),
                Duration.ofSeconds(1), 2.0, 0.5);
        RetryPolicy top = new RetryPolicy(settings, fixed(0.0));
        assertThat(top.delay(1, null)).isEqualTo(Duration.ofMillis(100));
        assertThat(top.delay(2, null)).isEqualTo(Duration.ofMillis(200));
        assertThat(top.delay(4, null)).isEqualTo(Duration.ofMillis(800));
        assertThat(top.delay(9, null)).as("capped").isEqualTo(Duration.ofSeconds(1));
        RetryPolicy bottom = new RetryPolicy(settings, fixed(0.999_999));
        assertThat(bottom.delay(2, null)).isBetween(Duration.ofMillis(100), Duration.ofMillis(101));
        assertThat(top.delay(1, Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
        assertThat(top.delay(4, Duration.ofMillis(10))).isEqualTo(Duration.ofMillis(800));
    }

    @Test
    void stopsAtMaxAttemptsOrWhenTheNextAttemptWouldStartAfterMaxTime() {
        RetryPolicy policy = new RetryPolicy(new RetrySettings(3, Duration.ofSeconds(10), null, null, null, null), fixed(0));
        assertThat(policy.exhausted(2, Duration.ofSeconds(1), Duration.ofSeconds(1))).isFalse();
        assertThat(policy.exhausted(3, Duration.ofSeconds(1), Duration.ofSeconds(1))).isTrue();
        assertThat(policy.exhausted(1, Duration.ofSeconds(9), Duration.ofSeconds(2))).isTrue();
    }

    private static RandomGenerator fixed(double value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }
}
