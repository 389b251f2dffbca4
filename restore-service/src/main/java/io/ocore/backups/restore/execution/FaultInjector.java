package io.ocore.backups.restore.execution;

import io.ocore.backups.platform.jobs.JobRunner;
import java.io.IOException;

/**
 * Test hook for the safety tests: a restore fails (like any error) or "crashes" (like a killed
 * process: nothing more is recorded) when it reaches a step. {@code swap} fires in the middle of
 * the swap: after the database was swapped, before the filestore; {@code swap.*} at the other
 * points of the swap (Swap, docs/adr/0009-restore-swap.md) and {@code swap.completed} after the
 * completed status, before the old copies are dropped. Also settable at start with
 * {@code ocore.restore.fail-at}; never set in production.
 */
public final class FaultInjector {

    private static volatile String failAt;
    private static volatile java.util.function.Consumer<String> pause = s -> {
    };
    private static volatile String crashAt;
    private static volatile String crashed;
    private static volatile String scratchSettings = "";

    private FaultInjector() {
    }

    public static void failAt(String step) {
        failAt = step;
    }

    public static void crashAt(String step) {
        crashAt = step;
    }

    /**
     * Test hook: called with {@code "before <step>"} when a step begins (before its lease check),
     * {@code "after swap"} when the swap step released the row, and with the step at its fault point ({@code swap}: in the middle of the swap, holding the
     * restore's row).
     */
    public static void pause(java.util.function.Consumer<String> hook) {
        pause = hook == null ? s -> {
        } : hook;
    }

    /**
     * Test hook: lines added to the postgresql.conf of a PITR restore's scratch server (e.g. a
     * {@code recovery_min_apply_delay}, so that a test sees the replay while it runs).
     */
    public static void scratchSettings(String lines) {
        scratchSettings = lines == null ? "" : lines;
    }

    static String scratchSettings() {
        return scratchSettings;
    }

    public static void clear() {
        scratchSettings = "";
        failAt = null;
        crashAt = null;
        crashed = null;
        pause(null);
    }

    /** The point the last simulated crash happened at, null when none did since {@link #clear}. */
    public static String crashed() {
        return crashed;
    }

    static void before(String step) {
        pause.accept("before " + step);
    }

    static void after(String step) {
        pause.accept("after " + step);
    }

    static void check(String step) throws IOException {
        pause.accept(step);
        if (step.equals(crashAt)) {
            crashed = step;
            throw new SimulatedCrash(step);
        }
        if (step.equals(failAt)) {
            throw new IOException("injected failure at step " + step);
        }
    }

    /** Unwinds a run without recording anything, like a killed process. */
    public static final class SimulatedCrash extends JobRunner.SimulatedCrash {
        SimulatedCrash(String step) {
            super("simulated crash at " + step);
        }
    }
}
