package io.wharf.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The retry delay doubles per failure up to its cap and a success clears it. */
class RetryBackoffTest {
    @Test
    void doublesUpToTheCapAndASuccessClearsIt() {
        AtomicLong now = new AtomicLong();
        RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), now::get);
        assertThat(backoff.remainingNanos()).isZero();
        assertThat(backoff.failed()).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.failed()).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.failed()).isEqualTo(Duration.ofMillis(400));
        assertThat(backoff.failed()).isEqualTo(Duration.ofMillis(800));
        assertThat(backoff.failed()).isEqualTo(Duration.ofSeconds(1));
        for (int i = 0; i < 100; i++) {
            assertThat(backoff.failed()).isEqualTo(Duration.ofSeconds(1));
        }
        now.addAndGet(Duration.ofMillis(999).toNanos());
        assertThat(backoff.remainingNanos()).isEqualTo(Duration.ofMillis(1).toNanos());
        now.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(backoff.remainingNanos()).isZero();
        backoff.failed();
        backoff.succeeded();
        assertThat(backoff.remainingNanos()).isZero();
        assertThat(backoff.failed()).isEqualTo(Duration.ofMillis(100));
    }
}
