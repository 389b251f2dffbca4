package io.ocore.backups.scheduler;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The application's clock in tests: real time until a test sets it. */
public class TestClock extends Clock {

    public static final TestClock INSTANCE = new TestClock();

    private volatile Instant fixed;

    public static void set(Instant at) {
        INSTANCE.fixed = at;
    }

    public static void advance(Duration by) {
        INSTANCE.fixed = INSTANCE.instant().plus(by);
    }

    public static void reset() {
        INSTANCE.fixed = null;
    }

    @Override
    public Instant instant() {
        Instant f = fixed;
        return f != null ? f : Instant.now();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    /** Replaces the production clock (a default bean) in the application under test. */
    public static class Producer {
        @Produces
        @Singleton
        Clock clock() {
            return INSTANCE;
        }
    }
}
