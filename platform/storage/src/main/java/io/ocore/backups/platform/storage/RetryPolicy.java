package io.ocore.backups.platform.storage;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with (equal) jitter for {@code TRANSIENT} failures.
 *
 * @param maxAttempts total attempts including the first (1 = no retry)
 * @param initialDelay delay ceiling before the second attempt
 * @param maxDelay the ceiling never grows beyond this
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay) {

    public static RetryPolicy defaults() {
        return new RetryPolicy(4, Duration.ofMillis(200), Duration.ofSeconds(10));
    }

    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
    }

    /** Random delay in [0, min(maxDelay, initialDelay * 2^(attempt-1))] before attempt {@code attempt + 1}. */
    public Duration delayAfter(int attempt) {
        long ceiling = initialDelay.toMillis() << Math.min(attempt - 1, 20);
        ceiling = Math.min(Math.max(ceiling, 0), maxDelay.toMillis());
        return Duration.ofMillis(ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
    }
}
