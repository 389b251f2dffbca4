package io.ocore.backups.scheduler.schedule;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** How often a kind of backup runs; {@link #wire()} is the API spelling (the seed's values). */
public enum Frequency {
    HOURLY("hourly", Duration.ofHours(1)),
    SIX_HOURS("6h", Duration.ofHours(6)),
    TWELVE_HOURS("12h", Duration.ofHours(12)),
    DAILY("daily", Duration.ofDays(1)),
    WEEKLY("weekly", Duration.ofDays(7));

    /** Values allowed for {@code dbFrequency}. */
    public static final List<Frequency> DB = List.of(HOURLY, SIX_HOURS, TWELVE_HOURS, DAILY);
    /** Values allowed for {@code fullFrequency}. */
    public static final List<Frequency> FULL = List.of(DAILY, WEEKLY);

    private final String wire;
    private final Duration period;

    Frequency(String wire, Duration period) {
        this.wire = wire;
        this.period = period;
    }

    public String wire() {
        return wire;
    }

    public Duration period() {
        return period;
    }

    public static Optional<Frequency> ofWire(String value) {
        return Arrays.stream(values()).filter(f -> f.wire.equals(value)).findFirst();
    }

    public static String spelling(List<Frequency> allowed) {
        return allowed.stream().map(Frequency::wire).toList().toString();
    }
}
