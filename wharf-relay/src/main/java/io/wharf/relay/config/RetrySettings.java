package io.wharf.relay.config;

import java.time.Duration;
import java.util.List;

import io.wharf.core.config.Section;

/**
 * How a webhook route retries one event: exponential backoff with jitter, bounded by a number of
 * attempts and by a total time. When either bound is reached the event goes to the dead-letter topic.
 *
 * @param maxAttempts    attempts in all, the first one included (at least 1)
 * @param maxTime        time from the first attempt after which no further attempt starts
 * @param initialBackoff wait before the second attempt
 * @param maxBackoff     the longest wait between two attempts (a longer {@code Retry-After} still wins)
 * @param multiplier     growth of the wait from one attempt to the next (at least 1)
 * @param jitter         fraction of each wait that is random, 0 (none) to 1 (anything from 0 to the wait)
 */
public record RetrySettings(Integer maxAttempts, Duration maxTime, Duration initialBackoff, Duration maxBackoff,
                            Double multiplier, Double jitter) implements Section {
    public RetrySettings {
        maxAttempts = maxAttempts == null ? 20 : maxAttempts;
        maxTime = maxTime == null ? Duration.ofHours(1) : maxTime;
        initialBackoff = initialBackoff == null ? Duration.ofMillis(200) : initialBackoff;
        maxBackoff = maxBackoff == null ? Duration.ofSeconds(30) : maxBackoff;
        multiplier = multiplier == null ? 2.0 : multiplier;
        jitter = jitter == null ? 0.2 : jitter;
    }

    /** Every default. */
    public static RetrySettings defaults() {
        return new RetrySettings(null, null, null, null, null, null);
    }

    @Override
    public void problems(String key, List<String> problems) {
        if (maxAttempts < 1) {
            problems.add(key + ".max-attempts: " + maxAttempts + " must be at least 1");
        }
        if (maxTime.isNegative() || maxTime.isZero()) {
            problems.add(key + ".max-time: must be positive");
        }
        if (initialBackoff.isNegative()) {
            problems.add(key + ".initial-backoff: must not be negative");
        }
        if (maxBackoff.isNegative()) {
            problems.add(key + ".max-backoff: must not be negative");
        } else if (maxBackoff.compareTo(initialBackoff) < 0) {
            problems.add(key + ".max-backoff: must be at least initial-backoff (" + initialBackoff.toMillis() + "ms)");
        }
        if (multiplier.isNaN() || multiplier < 1.0 || multiplier > 100.0) {
            problems.add(key + ".multiplier: " + multiplier + " is out of range (1-100)");
        }
        if (jitter.isNaN() || jitter < 0.0 || jitter > 1.0) {
            problems.add(key + ".jitter: " + jitter + " is out of range (0-1)");
        }
    }
}
