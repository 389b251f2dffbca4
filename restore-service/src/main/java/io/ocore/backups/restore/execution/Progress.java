package io.ocore.backups.restore.execution;

import io.ocore.backups.platform.jobs.Job;
import io.ocore.backups.platform.walformat.Lsn;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** A running restore's progress, saved by the worker's ticker about every second. */
public final class Progress {
    final UUID restoreId;
    final Job job;
    volatile String step;
    final AtomicLong bytesDone = new AtomicLong();
    volatile Long bytesTotal;
    volatile int percent;
    /**
     * While pg_restore --jobs works on the archive file no byte moves for a long time (data load,
     * index builds): the stall watch is off then (lock_timeout and max-duration still bound it).
     */
    volatile boolean pgRestoreFromFile;
    /** Whether a blob-index filestore's file bytes were added to {@link #bytesTotal} (once, whatever the copy). */
    final java.util.concurrent.atomic.AtomicBoolean filestoreFilesCounted = new java.util.concurrent.atomic.AtomicBoolean();

    /** A PITR restore's WAL replay (step replay_wal): null until it starts, then kept. */
    volatile Replay replay;

    /**
     * Where the WAL replay started (the base's redo point), the end of the WAL it can replay (the
     * end of the last WAL file fetched) and the last location replayed (null until the scratch
     * server first says it).
     */
    record Replay(Lsn start, Lsn end, Lsn replayed) {
        Replay at(Lsn lsn) {
            return new Replay(start, end, lsn);
        }

        /** Bytes of WAL replayed: from the start to the last location replayed. */
        long bytesReplayed() {
            return replayed == null ? 0 : Math.max(0, replayed.value() - start.value());
        }

        long bytesToReplay() {
            return Math.max(0, end.value() - start.value());
        }
    }

    Progress(Job job) {
        this.restoreId = job.id();
        this.job = job;
    }

    /** Percent of the bytes to download, kept below 100 until the restore completes. */
    int percent() {
        Long total = bytesTotal;
        if (total == null || total <= 0) {
            return percent;
        }
        return (int) Math.max(percent, Math.min(99, bytesDone.get() * 100 / total));
    }
}
