package io.wharf.core.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class WarningThrottleTest {
    @Test
    void oneWarningPerIntervalCarriesTheCountHeldBack() {
        AtomicLong now = new AtomicLong(1_000);
        WarningThrottle throttle = new WarningThrottle(Duration.ofNanos(100), now::get);
        assertThat(throttle.admit()).isZero();
        for (int i = 0; i < 32_000; i++) {
            assertThat(throttle.admit()).isEqualTo(-1);
        }
        now.addAndGet(100);
        assertThat(throttle.admit()).isEqualTo(32_000);
        assertThat(throttle.admit()).isEqualTo(-1);
    }
}
