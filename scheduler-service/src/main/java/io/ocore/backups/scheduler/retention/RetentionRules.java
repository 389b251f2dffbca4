package io.ocore.backups.scheduler.retention;

import io.ocore.backups.scheduler.retention.GfsPolicy.Backup;
import io.ocore.backups.scheduler.retention.GfsPolicy.Decision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Which of an environment's live backups expire at {@code now} (pure): scheduled backups by
 * {@link GfsPolicy}, pre-restore snapshots after the snapshot retention, manual backups never.
 */
public final class RetentionRules {

    public static final String SCHEDULED = "scheduled";
    public static final String MANUAL = "manual";
    public static final String PRE_RESTORE = "pre_restore";

    /** A live backup of any trigger. */
    public record Live(UUID id, String backupType, String trigger, Instant completedAt) {
        Backup asGfs() {
            return new Backup(id, "full".equals(backupType), completedAt);
        }
    }

    public record Expiry(Live backup, String reason) {
    }

    /** @param gfs the GFS decision over the scheduled backups, or null without a schedule */
    public record Outcome(Decision gfs, List<Expiry> expired) {
    }

    private RetentionRules() {
    }

    /** @param policy the schedule's GFS policy, or null when the environment has no schedule */
    public static Outcome apply(Collection<Live> live, GfsPolicy policy, Duration snapshotRetention, Instant now) {
        List<Expiry> expired = new ArrayList<>();
        Decision decision = null;
        if (policy != null) {
            List<Live> scheduled = live.stream().filter(b -> SCHEDULED.equals(b.trigger())).toList();
            decision = policy.decide(scheduled.stream().map(Live::asGfs).toList(), now);
            var byId = new java.util.HashMap<UUID, Live>();
            scheduled.forEach(b -> byId.put(b.id(), b));
            for (Backup b : decision.expired()) {
                expired.add(new Expiry(byId.get(b.id()), "gfs"));
            }
        }
        Instant snapshotCutoff = now.minus(snapshotRetention);
        live.stream()
                .filter(b -> PRE_RESTORE.equals(b.trigger()) && b.completedAt().isBefore(snapshotCutoff))
                .forEach(b -> expired.add(new Expiry(b, "snapshot_retention")));
        return new Outcome(decision, expired);
    }
}
