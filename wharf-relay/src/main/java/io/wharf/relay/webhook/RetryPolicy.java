package io.wharf.relay.webhook;

import java.time.Duration;
import java.util.random.RandomGenerator;

import io.wharf.relay.config.RetrySettings;

/** Backoff and limits of a route's retries, from its {@link RetrySettings}. */
final class RetryPolicy {
    private final RetrySettings settings;
    private final RandomGenerator random;

    RetryPolicy(RetrySettings settings, RandomGenerator random) {
        this.settings = settings;
        this.random = random;
    }

    /**
     * The wait before the next attempt after {@code attempts} failed ones: exponential, capped,
     * jittered downwards; a {@code Retry-After} longer than that wins.
     */
    Duration delay(int attempts, Duration retryAfter) {
        double base = settings.initialBackoff().toNanos() * Math.pow(settings.multiplier(), Math.max(0, attempts - 1));
        double capped = Math.min(base, settings.maxBackoff().toNanos());
        long jittered = (long) (capped * (1.0 - settings.jitter() * random.nextDouble()));
        Duration delay = Duration.ofNanos(Math.max(0, jittered));
        return retryAfter != null && retryAfter.compareTo(delay) > 0 ? retryAfter : delay;
    }

    /** Whether no further attempt may start: attempts used up, or the next would start after max-time. */
    boolean exhausted(int attempts, Duration sinceFirstAttempt, Duration delay) {
        return attempts >= settings.maxAttempts() || sinceFirstAttempt.plus(delay).compareTo(settings.maxTime()) > 0;
    }

    int maxAttempts() {
        return settings.maxAttempts();
    }
}
