package io.ocore.backups.platform.events;

import java.time.Duration;

/**
 * When a dead letter is retried: {@code initial * 2^(attempts-1)}, capped at {@code max} (by
 * default 1 min, 2 min, 4 min, ... 1 h, then every hour until it succeeds).
 */
public record DeadLetterBackoff(Duration initial, Duration max) {

    public DeadLetterBackoff {
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("ocore.dead-letters.initial-backoff must be positive");
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("ocore.dead-letters.max-backoff must be at least the initial backoff");
        }
    }

    /** The wait before the next attempt, after {@code attempts} failed ones (1 or more). */
    public Duration after(int attempts) {
        int doublings = Math.max(0, attempts - 1);
        if (doublings >= 62) {
            return max;
        }
        long millis = initial.toMillis();
        long factor = 1L << doublings;
        if (millis > max.toMillis() / factor) {
            return max;
        }
        Duration d = Duration.ofMillis(millis * factor);
        return d.compareTo(max) > 0 ? max : d;
    }
}
