package io.ocore.backups.backup.blobs.gc;

/**
 * Test hook for the crash tests: the collector "crashes" (like a killed process: nothing more is
 * recorded, no clean-up runs) when it reaches a named point. Never set in production.
 *
 * <p>Points, in the order a sweep reaches them: {@code mark.done} (blobs doomed),
 * {@code delete.marked} (a pack recorded {@code deleting}, its objects still there),
 * {@code delete.objects-gone} (its objects deleted, its row still there),
 * {@code repack.recorded} (the new pack's row recorded as {@code deleting}, nothing uploaded),
 * {@code repack.pack-stored} (the new pack stored, not its index),
 * {@code repack.index-stored} (the new pack and index stored, the locations not moved),
 * {@code repack.moved} (locations moved to the new pack, the old one {@code deleting}),
 * {@code repack.old-objects-gone} (the old pack's objects deleted, its row still there).
 */
public final class GcFaults {

    public static final java.util.List<String> POINTS = java.util.List.of("mark.done", "delete.marked",
            "delete.objects-gone", "repack.recorded", "repack.pack-stored", "repack.index-stored", "repack.moved",
            "repack.old-objects-gone");

    /** Thrown at the crash point; an Error so that no catch block of the collector records anything. */
    public static final class SimulatedCrash extends Error {
        SimulatedCrash(String point) {
            super("simulated crash at " + point);
        }
    }

    private static volatile String crashAt;
    private static volatile java.util.UUID crashIn;

    private GcFaults() {
    }

    /** The next time the collector reaches {@code point} while collecting {@code environmentId}. */
    public static void crashAt(String point, java.util.UUID environmentId) {
        crashIn = environmentId;
        crashAt = point;
    }

    public static void clear() {
        crashAt = null;
        crashIn = null;
    }

    static void reach(String point, java.util.UUID environmentId) {
        if (point.equals(crashAt) && environmentId.equals(crashIn)) {
            crashAt = null;
            throw new SimulatedCrash(point);
        }
    }
}
