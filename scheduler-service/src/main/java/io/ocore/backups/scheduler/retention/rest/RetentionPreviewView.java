package io.ocore.backups.scheduler.retention.rest;

import io.ocore.backups.scheduler.retention.GfsPolicy;
import io.ocore.backups.scheduler.retention.GfsPolicy.Tier;
import io.ocore.backups.scheduler.retention.RecordedBackup;
import io.ocore.backups.scheduler.retention.RetentionRules.Expiry;
import io.ocore.backups.scheduler.retention.RetentionService.Preview;
import io.ocore.backups.scheduler.retention.client.BlobRetentionClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * What each GFS tier keeps and what the next pruning deletes.
 *
 * @param walWindow the WAL retention (wal-archiver's, ADR 0017 "Retention"), or null when WAL
 *     archiving is off
 * @param walBase the backup kept as the base of the oldest retained WAL (in no tier), or null
 * @param neverPruned manual backups and live snapshots, which GFS never deletes
 * @param minRedundancy how many of the newest scheduled backups are kept whatever the tiers say
 *     ({@code ocore.retention.min-redundancy})
 * @param kept every scheduled backup the next pruning keeps, newest first, each with {@code keptBy}:
 *     its tiers, {@code wal_base} and {@code minimum_redundancy} (one of the newest
 *     {@code minRedundancy})
 * @param filestoreBlobs what the filestore blob store keeps (the backups still stored, the PITR
 *     window's captures) and what its next collection frees, as backup-service says it; null when
 *     not known (no blob store, or backup-service did not answer)
 */
public record RetentionPreviewView(UUID environmentId, Instant evaluatedAt, String timezone, List<TierView> tiers,
        WalWindow walWindow, BackupRef walBase, List<BackupRef> neverPruned, List<BackupRef> toDelete, int minRedundancy,
        List<BackupRef> kept, BlobRetentionClient.BlobRetention filestoreBlobs) {

    /** This preview with backup-service's blob retention. */
    public RetentionPreviewView withFilestoreBlobs(BlobRetentionClient.BlobRetention blobs) {
        return new RetentionPreviewView(environmentId, evaluatedAt, timezone, tiers, walWindow, walBase, neverPruned,
                toDelete, minRedundancy, kept, blobs);
    }

    public static final String WAL_BASE = "wal_base";
    public static final String MINIMUM_REDUNDANCY = "minimum_redundancy";

    public record TierView(String tier, int retain, List<BackupRef> backups) {
    }

    /**
     * What WAL retention keeps: every WAL file archived since {@code keepsFrom} (evaluatedAt less
     * {@code retentionDays}); older files are deleted except those from the start of the oldest
     * retained base onward ({@code walBase}, or the oldest backup kept), which PITR from it needs.
     */
    public record WalWindow(int retentionDays, Instant keepsFrom) {
    }

    /**
     * @param reason for {@code toDelete}: gfs or snapshot_retention
     * @param keptBy for {@code kept}: why it stays (tier names, wal_base, minimum_redundancy)
     */
    public record BackupRef(UUID id, String backupType, String trigger, Instant completedAt, String reason,
            List<String> keptBy) {
        static BackupRef of(RecordedBackup b, String reason) {
            return new BackupRef(b.id, b.backupType, b.trigger, b.completedAt, reason, null);
        }
    }

    static RetentionPreviewView of(UUID environmentId, String timezone, int[] retain, int minRedundancy,
            Integer walRetentionDays, Preview p) {
        Map<UUID, RecordedBackup> byId = new HashMap<>();
        p.live().forEach(b -> byId.put(b.id, b));
        List<TierView> tiers = new ArrayList<>();
        var gfs = p.outcome().gfs();
        for (Tier t : Tier.values()) {
            List<GfsPolicy.Backup> kept = gfs == null ? List.of() : gfs.kept().get(t);
            tiers.add(new TierView(t.name(), retain[t.ordinal()],
                    kept.stream().map(b -> BackupRef.of(byId.get(b.id()), null)).toList()));
        }
        BackupRef walBase = gfs == null || gfs.walBase() == null ? null : BackupRef.of(byId.get(gfs.walBase().id()), null);
        List<UUID> deleting = p.outcome().expired().stream().map(x -> x.backup().id()).toList();
        List<BackupRef> neverPruned = p.live().stream()
                .filter(b -> !"scheduled".equals(b.trigger) && !deleting.contains(b.id))
                .map(b -> BackupRef.of(b, null)).toList();
        List<BackupRef> toDelete = p.outcome().expired().stream()
                .map((Expiry x) -> BackupRef.of(byId.get(x.backup().id()), x.reason())).toList();
        List<BackupRef> kept = new ArrayList<>();
        if (gfs != null) {
            Set<UUID> floor = gfs.floor().stream().map(GfsPolicy.Backup::id).collect(Collectors.toSet());
            for (RecordedBackup b : p.live()) { // newest first
                if (!"scheduled".equals(b.trigger) || deleting.contains(b.id)) {
                    continue;
                }
                List<String> why = new ArrayList<>();
                gfs.tiers().getOrDefault(b.id, Set.of()).stream().sorted().forEach(t -> why.add(t.name()));
                if (gfs.walBase() != null && gfs.walBase().id().equals(b.id)) {
                    why.add(WAL_BASE);
                }
                if (floor.contains(b.id)) {
                    why.add(MINIMUM_REDUNDANCY);
                }
                kept.add(new BackupRef(b.id, b.backupType, b.trigger, b.completedAt, null, List.copyOf(why)));
            }
        }
        WalWindow walWindow = walRetentionDays == null ? null
                : new WalWindow(walRetentionDays, p.evaluatedAt().minus(java.time.Duration.ofDays(walRetentionDays)));
        return new RetentionPreviewView(environmentId, p.evaluatedAt(), timezone, tiers, walWindow, walBase, neverPruned,
                toDelete, minRedundancy, kept, null);
    }
}
