package io.ocore.backups.restore.execution;

import io.ocore.backups.platform.pgclient.PgErrors;
import io.ocore.backups.platform.pgclient.PgPrograms;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ocore.backups.platform.backupformat.BackupKeys;
import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.backupformat.BackupManifest;
import io.ocore.backups.platform.backupformat.ChecksumMismatchException;
import io.ocore.backups.platform.backupformat.ComponentName;
import io.ocore.backups.platform.backupformat.ComponentReader;
import io.ocore.backups.platform.backupformat.TarArchives;
import io.ocore.backups.platform.backupformat.wal.WalCopy;
import io.ocore.backups.platform.backupformat.wal.WalObject;
import io.ocore.backups.platform.walformat.Lsn;
import io.ocore.backups.platform.walformat.WalFileName;
import io.ocore.backups.platform.backupformat.blobs.BlobCorruptException;
import io.ocore.backups.platform.backupformat.blobs.BlobKeys;
import io.ocore.backups.platform.backupformat.blobs.BlobLocation;
import io.ocore.backups.platform.backupformat.blobs.BlobMissingException;
import io.ocore.backups.platform.backupformat.blobs.BlobLayout;
import io.ocore.backups.platform.backupformat.blobs.FilestoreAssembler;
import io.ocore.backups.platform.backupformat.blobs.FilestoreCapture;
import io.ocore.backups.platform.backupformat.blobs.FilestoreIndex;
import io.ocore.backups.platform.events.OcoreEvent;
import io.ocore.backups.platform.events.v1.Events;
import io.ocore.backups.platform.jobs.Lease;
import io.ocore.backups.platform.jobs.LeaseLostException;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.security.confinement.EnvironmentConfinement;
import io.ocore.backups.platform.security.confinement.EnvironmentConfinement.Area;
import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.StorageException;
import io.ocore.backups.platform.storage.StorageFactory;
import io.ocore.backups.restore.clients.InternalClient;
import io.ocore.backups.restore.clients.InternalClient.BackupInfo;
import io.ocore.backups.restore.clients.InternalClient.EnvironmentInfo;
import io.ocore.backups.restore.config.RestoreConfig;
import io.ocore.backups.restore.neutralize.Neutralizer;
import io.ocore.backups.restore.restore.RestoreJob;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Runs one claimed restore, blocking, on a worker thread (docs/restores.md): resolve, pre-restore
 * snapshot, database into a fresh database, filestore beside the old one, config (new), optional
 * neutralization of the fresh database, swap by rename, register (new), then the final status and
 * its event in one transaction. Any failure undoes the swap if it started and drops what was
 * created, so the target stays exactly as it was.
 */
@ApplicationScoped
public class RestoreExecution {

    public static final String RESOLVE = "resolve";
    public static final String REPLAY = "replay_wal";
    public static final String SNAPSHOT = "pre_restore_snapshot";
    public static final String DATABASE = "restore_database";
    public static final String FILESTORE = "restore_filestore";
    public static final String ATTACHMENTS = "check_attachments";
    public static final String CONFIG = "restore_config";
    public static final String NEUTRALIZE = "neutralize";
    public static final String SWAP = "swap";
    public static final String REGISTER = "register_environment";
    /** Fault point after the completed status is recorded, before the old database and filestore are dropped. */
    public static final String COMPLETED = "swap.completed";

    private final RestoreStore store;
    private final InternalClient client;
    private final StorageFactory storages;
    private final EnvelopeCipher cipher;
    private final ObjectMapper mapper;
    private final RestoreConfig config;
    private final Path pgRestore;
    private final EnvironmentConfinement confinement;

    public RestoreExecution(RestoreStore store, InternalClient client, StorageFactory storages, EnvelopeCipher cipher,
            ObjectMapper mapper, RestoreConfig config, EnvironmentConfinement confinement) {
        this.confinement = confinement;
        this.store = store;
        this.client = client;
        this.storages = storages;
        this.cipher = cipher;
        this.mapper = mapper;
        this.config = config;
        this.pgRestore = PgPrograms.locate("pg_restore", config.pgBin());
        config.failAt().ifPresent(FaultInjector::failAt);
    }

    /** A failure whose message is the restore's error as users read it. */
    static final class RestoreFailure extends Exception {
        RestoreFailure(String message) {
            super(message);
        }
    }

    /** One restore_step row of a run. */
    static final class Step {
        final int seq;
        final String name;
        /** The copies skipped during this step, named in its message (docs/restores.md). */
        final List<String> skippedCopies = new java.util.concurrent.CopyOnWriteArrayList<>();

        Step(int seq, String name) {
            this.seq = seq;
            this.name = name;
        }

        /** A copy this step did not use, and why, for its message. */
        void skippedCopy(String note) {
            skippedCopies.add(note);
        }

        String skippedNote() {
            if (skippedCopies.isEmpty()) {
                return "";
            }
            String note = "; skipped " + String.join("; skipped ", skippedCopies);
            skippedCopies.clear();
            return note;
        }
    }

    /**
     * The operation log of one run: one restore_step row per step. Two steps may be open at once
     * (the database and the filestore); {@code progress.step} is then the first begun of the open
     * ones.
     */
    private final class Steps {
        final UUID id;
        final Progress progress;
        final java.util.concurrent.atomic.AtomicInteger seq;
        /** The open steps, in the order they began. */
        final List<Step> open = new java.util.concurrent.CopyOnWriteArrayList<>();

        Steps(UUID id, Progress progress) {
            this.id = id;
            this.progress = progress;
            this.seq = new java.util.concurrent.atomic.AtomicInteger(store.nextSeq(id));
        }

        Step begin(String step) throws IOException {
            FaultInjector.before(step);
            String shown = open.isEmpty() ? step : open.get(0).name;
            progress.step = shown;
            // lease-checked first: a worker that lost its lease writes no step and goes no further
            if (!store.progress(progress.job.lease(), shown, progress.percent(), progress.bytesDone.get(),
                    progress.bytesTotal, progress.replay)) {
                throw new LeaseLostException(progress.job.lease());
            }
            Step s = new Step(seq.getAndIncrement(), step);
            store.stepStarted(id, s.seq, step, now());
            open.add(s);
            if (!SWAP.equals(step)) {
                FaultInjector.check(step); // the swap's own fault point is in its middle
            }
            return s;
        }

        /** Completes the step begun last. */
        void done(String message) {
            done(open.get(open.size() - 1), message);
        }

        void done(Step s, String message) {
            progress.job.checkLease();
            store.stepFinished(id, s.seq, "completed", message + s.skippedNote(), now());
            open.remove(s);
            if (!open.isEmpty()) {
                progress.step = open.get(0).name;
            }
        }

        void skipped(String step, String message) {
            int s = seq.getAndIncrement();
            Instant t = now();
            store.stepStarted(id, s, step, t);
            store.stepFinished(id, s, "skipped", message, t);
        }

        /**
         * Fails the open steps: {@code culprit} (null: every open step) with {@code message}, the
         * others as stopped by it.
         */
        void failed(String message, String culprit) {
            for (Step s : open) {
                String m = culprit == null || culprit.equals(s.name) ? message
                        : "stopped: the " + culprit + " step failed";
                try {
                    store.stepFinished(id, s.seq, "failed", m + s.skippedNote(), now());
                } catch (RuntimeException e) {
                    Log.warnf("Restore %s: could not record the failed step: %s", id, e.getMessage());
                }
            }
            open.clear();
        }
    }

    public void run(UUID id, Progress progress) {
        RestoreJob job = store.load(id);
        Steps steps = new Steps(id, progress);
        Work work = null;
        TargetServer server = null;
        boolean[] swapping = {false};
        Cancel cancel = new Cancel();
        String[] hostPort = {null, "0"}; // the server's, hidden from the reason users read
        PitrReplay replay = null;
        try {
            if ("neutralize".equals(job.kind)) {
                neutralizeOnly(job, steps, hostPort);
                return;
            }
            boolean isNew = "new".equals(job.targetType);

            // 1. resolve the backup, the source and the target
            steps.begin(RESOLVE);
            BackupInfo backup = resolveBackup(job);
            EnvironmentInfo source = environment(job.orgId, backup.environmentId(), "source");
            EnvironmentInfo target = isNew ? null
                    : "same".equals(job.targetType) ? source : environment(job.orgId, job.targetEnvironmentId, "target");
            if (target != null && !target.projectId().equals(source.projectId())) {
                throw new RestoreFailure("the target environment " + target.name() + " is not in the source's project");
            }
            EnvironmentInfo serverOf = isNew ? source : target;
            hostPort[0] = serverOf.dbHost();
            hostPort[1] = Integer.toString(serverOf.dbPort());
            server = new TargetServer(serverOf.dbHost(), serverOf.dbPort(), serverOf.dbUser(), serverOf.dbPassword(),
                    pgRestore, config.lockTimeout());
            List<Source> sources = sources(job.orgId, backup);
            boolean hasFilestore = backup.checksums().get("filestore") != null;
            work = plan(job, source, target, server, hasFilestore);
            store.journal(progress.job.lease(), mapper.writeValueAsString(work), "preparing");
            steps.done("backup " + backup.id() + " (" + backup.backupType() + ", " + backup.trigger() + ") of "
                    + source.name() + " onto " + (isNew ? "new database " + work.targetDb() : target.name())
                    + " (database " + work.targetDb() + ")");

            // 1b. a point in time: the PITR base replayed to it in a scratch cluster (ADR 0018), target untouched
            if (job.pitrTimestamp != null) {
                replay = replayWal(job, steps, sources, backup, progress);
            }

            // 2. pre-restore snapshot of an existing target
            if (!isNew) {
                steps.begin(SNAPSHOT);
                UUID snapshot = snapshot(job, target, backup);
                store.snapshotTaken(progress.job.lease(), snapshot);
                steps.done("snapshot " + snapshot + " of " + target.name());
            }

            // 3 + 4. the database into a fresh database and, at the same time, the filestore beside the old one
            databaseAndFilestore(job, steps, sources, backup, progress, work, server, hasFilestore, cancel,
                    replay == null ? null : new Recovered(replay, source.dbName(), job.pitrTimestamp));
            if (replay != null) {
                // the database is dumped: the scratch cluster goes now, not after the restore is recorded as done
                try {
                    replay.close();
                    replay = null;
                } catch (IOException e) {
                    Log.warnf("Restore %s: could not remove its scratch cluster yet (tried again at the end): %s", id,
                            e.getMessage());
                }
            }
            // 4b. every attachment file the restored database references, looked for in the restored filestore
            if (hasFilestore) {
                steps.begin(ATTACHMENTS);
                Path restoredFs = confinement.confine(Area.FILESTORE, Path.of(work.tempFilestore()));
                Attachments.Referenced referenced;
                try (Connection c = server.connect(work.tempDb())) {
                    referenced = Attachments.referenced(c);
                }
                // a moment after the base: what the recovered database references from the captures (ADR 0018)
                String captured = job.pitrTimestamp == null ? ""
                        : materialiseCaptured(job, sources, backup, referenced, restoredFs);
                Attachments.Check check = Attachments.check(referenced, restoredFs);
                store.missingAttachments(progress.job.lease(), mapper.writeValueAsString(check.missing()),
                        check.missingCount());
                if (check.missingCount() > 0) {
                    Log.warnf("Restore %s: %d attachment files its database references are missing", id,
                            check.missingCount());
                }
                steps.done(captured + check.message());
            }
            if (!hasFilestore && isNew) {
                confinement.confine(Area.FILESTORE, Path.of(work.tempFilestore()));
                Files.createDirectories(Path.of(work.tempFilestore()));
                Fsync.directory(Path.of(work.tempFilestore()));
                steps.skipped(FILESTORE, "a db backup has no filestore: the new environment starts with an empty one");
            } else if (!hasFilestore) {
                steps.skipped(FILESTORE, "a db backup has no filestore: the target's filestore is left as it is");
            }

            // 5. config: written for new; an existing target keeps its own odoo.conf
            if (isNew) {
                Step configStep = steps.begin(CONFIG);
                byte[] conf = sourceConfig(job, configStep, sources, backup, source, progress);
                confinement.confine(Area.CONFIG, Path.of(work.configPath()));
                Files.createDirectories(Path.of(work.configPath()).toAbsolutePath().getParent());
                writePrivate(confinement.confine(Area.CONFIG, Swap.tempConfig(work)),
                        OdooConf.rewrite(conf, work.targetDb(), Path.of(work.filestore())));
                steps.done("odoo.conf for database " + work.targetDb() + " at " + work.configPath());
            }

            // 6. neutralization of the fresh database, before anyone can reach it
            if (job.neutralize) {
                steps.begin(NEUTRALIZE);
                List<String> changes;
                try (Connection c = server.connect(work.tempDb())) {
                    changes = Neutralizer.neutralize(c);
                }
                steps.done(String.join("; ", changes));
            }

            // 7. swap by rename
            steps.begin(SWAP);
            store.swapState(progress.job.lease(), "swapping", SWAP);
            swapping[0] = true;
            // holding the row, lease re-checked inside: a recovery's takeover (and so its undo) waits
            TargetServer swapServer = server;
            Work swapWork = work;
            store.exclusive(progress.job.lease(), () -> {
                Swap.swap(swapServer, swapWork, confinement, FaultInjector::check);
                return null;
            });
            FaultInjector.after(SWAP);
            steps.done(work.createsTarget() ? "database " + work.targetDb() + " and filestore " + work.filestore()
                    + " in place"
                    : work.filestore() == null
                            ? "database swapped (the filestore was left as it is); the old one is dropped after completion"
                            : "database and filestore swapped; the old ones are dropped after completion");

            // 8. register the new environment
            UUID targetEnv = job.targetEnvironmentId;
            if (isNew) {
                steps.begin(REGISTER);
                progress.job.checkLease();
                targetEnv = client.registerEnvironmentBlocking(registration(job, source, work));
                steps.done("environment " + targetEnv + " registered in project " + source.projectId());
            }

            // 9. completed + event, then drop the old database and filestore
            UUID finalTarget = targetEnv;
            progress.percent = 100;
            store.finish(progress.job.lease(), "completed", null, finalTarget, "swapped", !work.createsTarget(),
                    row -> List.of(new Events.RestoreCompleted(row.orgId, row.id, row.backupId, finalTarget,
                            row.targetType, row.completedAt)));
            Log.infof("Restore %s completed onto %s", id, work.targetDb());
            FaultInjector.check(COMPLETED);
            if (!work.createsTarget()) {
                try {
                    Swap.dropOld(server, work, confinement);
                    store.cleanupDone(id);
                } catch (Exception e) {
                    Log.warnf("Restore %s: the old database/filestore could not be dropped yet: %s", id, e.getMessage());
                }
            }
        } catch (FaultInjector.SimulatedCrash crash) {
            Log.warnf("Restore %s: simulated crash at %s", id, progress.step);
            throw crash;
        } catch (Throwable e) {
            if (e instanceof LeaseLostException || progress.job.leaseLost()) {
                // another instance took it over: its recovery undoes; this worker writes nothing more
                Log.warnf("Restore %s stopped at %s: its lease was taken over", id, progress.step);
                throw e instanceof LeaseLostException lost ? lost : new LeaseLostException(progress.job.lease());
            }
            Log.warnf("Restore %s failed at %s: %s", id, progress.step, message(e));
            int port = Integer.parseInt(hostPort[1]);
            String reason = progress.job.stopReason() != null ? progress.job.stopReason()
                    : e instanceof InterruptedIOException || Thread.currentThread().isInterrupted()
                    ? "interrupted: the restore service stopped during " + progress.step
                    : lockWaitedOut(e) ? "another session held a lock on the target database for longer than"
                            + " the lock timeout (ocore.restore.lock-timeout = " + config.lockTimeout().toSeconds() + " s) during "
                            + progress.step + "; what that step changed was rolled back"
                    : PgErrors.hideServer(message(e), hostPort[0], port);
            Thread.interrupted(); // a stopped restore still undoes and records its failure
            steps.failed(reason, cancel.failedStep());
            if (replay != null) {
                // before the failure is recorded: a failed restore has left nothing behind
                try {
                    replay.close();
                    replay = null;
                } catch (IOException | RuntimeException c) {
                    Log.errorf(c, "Restore %s: could not remove its scratch cluster %s", id, replay.dir());
                }
            }
            String undone = "";
            if (work != null && server != null) {
                try {
                    Work undoWork = work;
                    TargetServer undoServer = server;
                    boolean wasSwapping = swapping[0];
                    store.exclusive(progress.job.lease(), () -> {
                        Swap.undo(undoServer, undoWork, wasSwapping, confinement);
                        return null;
                    });
                    deleteDump(id);
                } catch (LeaseLostException lost) {
                    throw lost;
                } catch (Exception u) {
                    Log.errorf(u, "Restore %s: could not undo its work", id);
                    undone = "; cleaning up failed (" + PgErrors.hideServer(message(u), hostPort[0], port)
                            + "), see the logs";
                }
            }
            fail(progress.job.lease(), job, reason + undone);
        } finally {
            if (replay != null) {
                try {
                    replay.close();
                } catch (IOException | RuntimeException e) {
                    Log.errorf(e, "Restore %s: could not remove its scratch cluster %s", id, replay.dir());
                }
            }
        }
    }

    /** The database recovered to {@code target} in a scratch cluster, dumped into the fresh database. */
    record Recovered(PitrReplay replay, String database, Instant target) {
    }

    /**
     * The {@code replay_wal} step: the range asked of wal-archiver again (WAL could be gone since
     * the request), the base component unpacked (first good copy, checksum verified), the WAL
     * files of the range fetched and verified from the destinations wal-archiver names, then a
     * scratch server replays them and must say it stopped at the target. Answers the running
     * scratch cluster; on any failure it is already stopped and removed.
     */
    private PitrReplay replayWal(RestoreJob job, Steps steps, List<Source> sources, BackupInfo backup,
            Progress progress) throws Exception {
        Step step = steps.begin(REPLAY);
        Instant target = job.pitrTimestamp;
        InternalClient.PitrRange range;
        try {
            range = client.pitrRangeBlocking(job.orgId, backup.id());
        } catch (InternalClient.Unavailable e) {
            throw new RestoreFailure("wal-archiver could not say what backup " + backup.id() + " can be recovered to ("
                    + message(e) + "); the target was not touched");
        }
        if (!range.covered()) {
            throw new RestoreFailure("backup " + backup.id() + " can no longer be recovered to a moment: "
                    + range.missing() + "; the target was not touched");
        }
        if (target.isBefore(range.from()) || target.isAfter(range.to())) {
            throw new RestoreFailure(target + " is no longer covered by backup " + backup.id() + " (covered from "
                    + range.from() + " to " + range.to() + "); the target was not touched");
        }
        if (backup.checksums().get(ComponentName.base.name()) == null) {
            throw new RestoreFailure("backup " + backup.id() + " holds no PITR base component");
        }
        List<InternalClient.WalFile> files = range.files();
        for (InternalClient.WalFile f : files) {
            if (!WalFileName.isValid(f.fileName()) || f.sha256() == null || !f.sha256().matches("[0-9a-fA-F]{64}")) {
                throw new RestoreFailure("wal-archiver named a WAL file this restore cannot use: " + f.fileName());
            }
        }
        long walBytes = files.stream().mapToLong(InternalClient.WalFile::sizeBytes).sum();
        // what this restore reads: the base, the WAL and the filestore (the database comes from the replay)
        progress.bytesTotal = walBytes;
        PitrReplay replay = PitrReplay.create(workDir(), job.id, pgRestore.toAbsolutePath().getParent());
        try {
            java.util.concurrent.atomic.AtomicBoolean counted = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicReference<BackupManifest.PitrBase> base = new java.util.concurrent.atomic.AtomicReference<>();
            String from = fromFirstGood(job, step, sources, ComponentName.base, backup, progress, new Cancel(),
                    (raw, copy) -> {
                        progress.job.checkLease();
                        base.set(copy.manifest().pitrBase());
                        if (counted.compareAndSet(false, true)) {
                            long fs = copy.manifest().component(ComponentName.filestore)
                                    .map(BackupManifest.Component::sizeBytes).orElse(0L);
                            progress.bytesTotal = progress.bytesTotal + copy.component().sizeBytes() + fs;
                        }
                        Swap.deleteTree(replay.dataDir());
                        Files.createDirectories(replay.dataDir());
                        TarArchives.extract(raw, replay.dataDir(), n -> {
                        });
                    });
            Log.infof("Restore %s: base of backup %s unpacked into %s", job.id, backup.id(), replay.dataDir());
            int fetched = fetchWal(job, backup, files, replay.walDir(), progress);
            Log.infof("Restore %s: %d WAL files fetched; replaying to %s", job.id, fetched, target);
            replay.configure(target, range.timeline());
            progress.replay = replaySpan(base.get(), files);
            PitrReplay.Outcome outcome = replay.replay(config.maxDuration(), lsn -> {
                Progress.Replay r = progress.replay;
                if (r != null) {
                    progress.replay = r.at(lsn);
                }
            }, config.progressInterval());
            Log.infof("Restore %s: replay ended: %s", job.id, outcome.detail());
            if (!outcome.reached()) {
                Log.warnf("Restore %s: the WAL replay did not reach %s; the scratch server's log ends with:%n%s",
                        job.id, target, replay.logTail());
                throw new RestoreFailure("the WAL replay did not reach " + target + ": " + outcome.detail()
                        + "; the target was not touched");
            }
            // promoted: where recovery ended, asked once more (also without hot standby)
            Lsn end = replay.replayedLsn();
            Progress.Replay span = progress.replay;
            String reached = "";
            if (span != null && end != null) {
                progress.replay = span = span.at(end);
                reached = "; WAL replayed from " + span.start() + " to " + end + " (LSN reached; " + span.bytesReplayed()
                        + " of the " + span.bytesToReplay() + " bytes up to the end of the WAL fetched, "
                        + span.end() + ")";
            } else if (span != null) {
                reached = "; WAL replayed from " + span.start() + " (the scratch server did not say the LSN reached)";
            }
            steps.done(step, "base of backup " + backup.id() + " unpacked from destination " + from + "; " + fetched
                    + " WAL files (" + walBytes + " bytes) fetched and verified; " + outcome.detail()
                    + "; promoted at the target " + target + reached);
            return replay;
        } catch (Throwable t) {
            try {
                replay.close();
            } catch (IOException | RuntimeException e) {
                Log.errorf(e, "Restore %s: could not remove its scratch cluster %s", job.id, replay.dir());
            }
            throw t;
        }
    }

    /**
     * What the replay can go through: from the base's redo point (its manifest's {@code pitrBase},
     * else the start of the first WAL segment) to the end of the last WAL segment (or partial
     * segment, as long as a segment) fetched; null when no segment was fetched.
     */
    static Progress.Replay replaySpan(BackupManifest.PitrBase base, List<InternalClient.WalFile> files) {
        WalFileName first = null;
        WalFileName last = null;
        long lastSize = WalFileName.DEFAULT_SEGMENT_SIZE;
        for (InternalClient.WalFile f : files) {
            WalFileName n = WalFileName.parse(f.fileName());
            if (n.kind() != WalFileName.Kind.SEGMENT && n.kind() != WalFileName.Kind.PARTIAL) {
                continue;
            }
            if (first == null || n.compareTo(first) < 0) {
                first = n;
            }
            if (last == null || n.compareTo(last) > 0) {
                last = n;
                lastSize = f.sizeBytes();
            }
        }
        if (last == null) {
            return null;
        }
        // a segment's size is the cluster's segment size (a partial is padded to it)
        long segmentSize = Long.bitCount(lastSize) == 1 && lastSize >= (1L << 20) && lastSize <= (1L << 30) ? lastSize
                : WalFileName.DEFAULT_SEGMENT_SIZE;
        Lsn start;
        try {
            start = base != null && base.startLsn() != null ? Lsn.parse(base.startLsn()) : first.startLsn(segmentSize);
        } catch (IllegalArgumentException e) {
            start = first.startLsn(segmentSize);
        }
        Lsn end = last.startLsn(segmentSize).plus(segmentSize);
        return new Progress.Replay(start, end, null);
    }

    /**
     * Each WAL file of the range from the first of its destinations that gives a verified copy
     * (WalCopy: decrypted, decompressed, SHA-256 and size checked), a partial under its segment's
     * name; answers how many. Progress counts their bytes.
     */
    private int fetchWal(RestoreJob job, BackupInfo backup, List<InternalClient.WalFile> files, Path walDir,
            Progress progress) throws Exception {
        Map<UUID, BackupStorage> opened = new LinkedHashMap<>();
        try {
            int n = 0;
            for (InternalClient.WalFile f : files) {
                progress.job.checkLease();
                String local = "partial".equals(f.kind()) ? WalFileName.parse(f.fileName()).segmentName()
                        : f.fileName();
                List<String> failures = new ArrayList<>();
                boolean ok = false;
                for (UUID d : f.destinationIds()) {
                    try {
                        BackupStorage st = opened.get(d);
                        if (st == null) {
                            InternalClient.DestinationInfo info = client.destinationBlocking(job.orgId, d);
                            st = storages.open(DestinationType.of(info.destinationType()), info.config());
                            opened.put(d, st);
                        }
                        long bytes = WalCopy.toFile(st, cipher, job.orgId, backup.environmentId(), f.timeline(),
                                f.fileName(), f.sha256(), walDir.resolve(local));
                        progress.bytesDone.addAndGet(bytes);
                        ok = true;
                        break;
                    } catch (Exception e) {
                        if (Thread.currentThread().isInterrupted()) {
                            throw new InterruptedIOException("interrupted");
                        }
                        String why = e instanceof WalObject.MismatchException ? "its copy does not match the archived file"
                                : classify(e, false).detail();
                        Log.warnf("Restore %s: WAL %s on destination %s not usable: %s", job.id, f.fileName(), d, why);
                        failures.add("destination " + d + ": " + why);
                    }
                }
                if (!ok) {
                    throw new RestoreFailure("no destination gave a verified copy of the WAL file " + f.fileName()
                            + (failures.isEmpty() ? "" : " (" + String.join("; ", failures) + ")")
                            + "; the target was not touched");
                }
                n++;
            }
            return n;
        } finally {
            for (BackupStorage st : opened.values()) {
                try {
                    st.close();
                } catch (RuntimeException ignored) {
                    // closing a driver never fails a restore
                }
            }
        }
    }

    void fail(Lease lease, RestoreJob job, String reason) {
        store.finish(lease, "failed", reason, null, null, false, row -> "neutralize".equals(row.kind) ? List.of()
                : List.<OcoreEvent>of(new Events.RestoreFailed(row.orgId, row.id, row.backupId,
                        row.targetEnvironmentId, reason, row.completedAt)));
    }

    /**
     * The database and filestore steps at once: the database on this (the job's) thread, the
     * filestore on a thread of its own. The first to fail stops the other ({@link Cancel}) and its
     * failure is the restore's; returns once both have ended, so nothing writes when the undo runs.
     */
    private void databaseAndFilestore(RestoreJob job, Steps steps, List<Source> sources, BackupInfo backup,
            Progress progress, Work work, TargetServer server, boolean hasFilestore, Cancel cancel, Recovered recovered)
            throws Exception {
        Step database = steps.begin(DATABASE);
        Thread filestore = null;
        if (hasFilestore) {
            filestore = Thread.ofPlatform().daemon().name("restore-" + job.id.toString().substring(0, 8) + "-filestore")
                    .unstarted(() -> {
                        try {
                            Step fs = steps.begin(FILESTORE);
                            String message = restoreFilestore(job, fs, sources, backup, progress, work, cancel);
                            steps.done(fs, message);
                        } catch (Throwable t) {
                            cancel.fail(FILESTORE, t);
                        }
                    });
            cancel.interruptOnStop(filestore);
            filestore.start();
        }
        try {
            String message = recovered != null ? restoreRecovered(recovered, progress, work, server, cancel)
                    : restoreDatabase(job, database, sources, backup, progress, work, server, cancel);
            cancel.check();
            steps.done(database, message);
        } catch (Throwable t) {
            cancel.fail(DATABASE, t);
        }
        if (filestore != null) {
            boolean interrupted = false;
            while (true) {
                try {
                    filestore.join();
                    break;
                } catch (InterruptedException e) {
                    // the job was stopped (stall, lease, shutdown) while the filestore ran: stop it too
                    interrupted = true;
                    cancel.fail(FILESTORE, new InterruptedIOException("interrupted"));
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        Throwable first = cancel.firstFailure();
        if (first instanceof Exception e) {
            throw e;
        }
        if (first instanceof Error e) {
            throw e;
        }
        if (first != null) {
            throw new IOException(first);
        }
    }

    /** The database recovered by the replay, {@code pg_dump}ed from the scratch cluster into the fresh database. */
    private String restoreRecovered(Recovered r, Progress progress, Work w, TargetServer srv, Cancel cancel)
            throws Exception {
        progress.job.checkLease();
        srv.drop(w.tempDb());
        srv.create(w.tempDb());
        Process dump = r.replay().dump(r.database());
        cancel.watch(dump);
        io.ocore.backups.platform.pgclient.StderrTail err = io.ocore.backups.platform.pgclient.StderrTail.of(dump,
                "pg_dump");
        try {
            dump.getOutputStream().close();
            try (InputStream out = dump.getInputStream()) {
                srv.pgRestore(w.tempDb(), out, cancel::watch);
            }
            if (!dump.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IOException("pg_dump of the recovered database did not end");
            }
            err.await(5_000);
            if (dump.exitValue() != 0) {
                throw new IOException("pg_dump of the recovered database failed: " + err.lastLine());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        } finally {
            if (dump.isAlive()) {
                dump.destroyForcibly();
            }
        }
        return "restored into " + w.tempDb() + " from database " + r.database() + " recovered to " + r.target()
                + " (pg_dump of the scratch cluster)";
    }

    /** The database component into the fresh database; answers the step's message. */
    private String restoreDatabase(RestoreJob job, Step step, List<Source> sources, BackupInfo backup,
            Progress progress, Work w, TargetServer srv, Cancel cancel) throws Exception {
        int jobs = Math.max(1, config.pgRestoreJobs());
        Path dump = dumpFile(job.id);
        String[] how = {""};
        try {
            String from = fromFirstGood(job, step, sources, ComponentName.database, backup, progress, cancel,
                    (raw, copy) -> {
                        progress.job.checkLease();
                        Files.deleteIfExists(dump);
                        srv.drop(w.tempDb());
                        srv.create(w.tempDb());
                        String refused = jobs > 1 ? spaceRefusal(dump, copy.component().rawBytes()) : null;
                        if (jobs > 1 && refused == null) {
                            // the whole component first: decrypted, decompressed and its checksum verified
                            spool(raw, dump);
                            cancel.check();
                            progress.pgRestoreFromFile = true;
                            try {
                                srv.pgRestoreFile(w.tempDb(), dump, jobs, cancel::watch);
                            } finally {
                                progress.pgRestoreFromFile = false;
                            }
                            how[0] = " (pg_restore --jobs=" + jobs + ")";
                        } else {
                            srv.pgRestore(w.tempDb(), raw, cancel::watch);
                            how[0] = refused == null ? "" : " (streamed into pg_restore: " + refused + ")";
                        }
                        Files.deleteIfExists(dump);
                    });
            return "restored into " + w.tempDb() + " from destination " + from + how[0];
        } finally {
            Files.deleteIfExists(dump);
        }
    }

    /** The filestore component beside the target's filestore, synced to disk; answers the step's message. */
    private String restoreFilestore(RestoreJob job, Step step, List<Source> sources, BackupInfo backup,
            Progress progress, Work work, Cancel cancel) throws Exception {
        Path temp = Path.of(work.tempFilestore());
        String fromFs = fromFirstGood(job, step, sources, ComponentName.filestore, backup, progress, cancel,
                (raw, copy) -> {
                    progress.job.checkLease();
                    confinement.confine(Area.FILESTORE, temp);
                    Swap.deleteTree(temp);
                    Files.createDirectories(temp);
                    if (copy.component().isBlobIndex()) {
                        extractBlobs(raw, copy, temp, progress, cancel);
                    } else {
                        TarArchives.extract(raw, temp, n -> {
                        });
                    }
                });
        cancel.check();
        // on disk before the swap: the old filestore is dropped only once this one survives a power loss
        Fsync.Synced synced = Fsync.tree(temp);
        return "unpacked into " + temp + " from destination " + fromFs + "; " + synced.files() + " files and "
                + synced.directories() + " directories synced to disk";
    }

    // --- the database archive on disk, for pg_restore --jobs --------------------------------------

    /** Kept free beside the archive: 64 MiB, or 5 % of the archive if more. */
    static long spaceReserve(long archiveBytes) {
        return Math.max(64L << 20, archiveBytes / 20);
    }

    private Path workDir() {
        return Path.of(config.workDir().orElse(System.getProperty("java.io.tmpdir")));
    }

    /** The restore's decrypted database archive: named by the restore, so a recovery finds it. */
    Path dumpFile(UUID restoreId) {
        return workDir().resolve("ocore-restore-" + restoreId + ".dump");
    }

    void deleteDump(UUID restoreId) {
        try {
            Files.deleteIfExists(dumpFile(restoreId));
        } catch (IOException e) {
            Log.warnf("Restore %s: could not delete its database archive in the work directory: %s", restoreId,
                    e.getMessage());
        }
    }

    /** Null when the work directory has room for an archive of {@code rawBytes}, else why not. */
    private static String spaceRefusal(Path dump, long rawBytes) throws IOException {
        Path dir = dump.getParent();
        Files.createDirectories(dir);
        long free = Files.getFileStore(dir).getUsableSpace();
        long needed = rawBytes + spaceReserve(rawBytes);
        if (free < needed) {
            return "pg_restore --jobs needs " + (needed >> 20) + " MiB free in the work directory, "
                    + (free >> 20) + " MiB are";
        }
        return null;
    }

    /** Writes the archive, owner-only (it is the database in clear), and makes sure it is complete. */
    private static void spool(InputStream raw, Path dump) throws IOException {
        Files.createFile(dump, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (java.io.OutputStream out = Files.newOutputStream(dump, StandardOpenOption.WRITE)) {
            raw.transferTo(out);
        }
    }

    // --- blob-store filestores (ADR 0015) --------------------------------------------------------

    /**
     * Writes a blob-index filestore into {@code temp}: the index read from the verified component,
     * the blobs located from the destination's pack indexes (restore-service has no catalogue) and
     * read by the assembler. A blob missing where the pack indexes said (a repack moved it) makes
     * it read the pack indexes once more and start over.
     */
    private void extractBlobs(InputStream raw, Copy copy, Path temp, Progress progress, Cancel cancel)
            throws Exception {
        byte[] plain = raw.readAllBytes(); // to its end: the component's checksum is verified before use
        FilestoreIndex.Contents index = FilestoreIndex.read(new java.io.ByteArrayInputStream(plain));
        BackupManifest m = copy.manifest();
        if (m.blobStore() == null || m.blobStore().sealedKey() == null) {
            throw new BadCopy("its manifest has a blob-index filestore but no blob-store key");
        }
        BlobKeys keys;
        try {
            keys = BlobKeys.unseal(cipher, m.environmentId(), m.blobStore().sealedKey());
        } catch (RuntimeException e) {
            throw new BadCopy("its blob-store key could not be opened");
        }
        BackupStorage storage = copy.source().storage();
        if (progress.filestoreFilesCounted.compareAndSet(false, true)) {
            // the blobs are not in the manifest's sizes: the files' bytes stand for them
            long files = index.entries().stream().mapToLong(FilestoreIndex.Entry::size).sum();
            progress.bytesTotal = (progress.bytesTotal == null ? 0 : progress.bytesTotal) + files;
        }
        for (int attempt = 0;; attempt++) {
            cancel.check();
            long[] counted = {0};
            java.util.function.LongConsumer written = n -> { // the running count of bytes written
                if (cancel.stopped()) {
                    throw new java.io.UncheckedIOException(new Cancel.Stopped(cancel.failedStep()));
                }
                long delta = n - counted[0];
                counted[0] = n;
                progress.bytesDone.addAndGet(delta);
                copy.attempt().addAndGet(delta);
            };
            Map<String, BlobLocation> locations = FilestoreAssembler.readPackIndexes(storage, keys, m.orgId(),
                    m.environmentId());
            try {
                new FilestoreAssembler(keys, m.orgId(), m.environmentId(), storage, locations::get)
                        .extract(index.entries(), temp, written);
                return;
            } catch (BlobMissingException e) {
                if (attempt > 0) {
                    throw e;
                }
                Log.infof("A blob of backup %s was not where the pack indexes said (%s): reading them again",
                        m.backupId(), e.getMessage());
                progress.bytesDone.addAndGet(-counted[0]);
                copy.attempt().addAndGet(-counted[0]);
                Swap.deleteTree(temp);
                Files.createDirectories(temp);
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
        }
    }

    /**
     * For a PITR restore (docs/restores.md "The filestore at that moment"): every attachment file
     * the recovered database references that the base's filestore lacks, written into the restored
     * filestore from the environment's capture objects ({@code blobs/captures/}) captured since the
     * backup was requested, read from the first destination of the backup that gives them (the
     * newest capture of a path wins). Not filtered by {@code firstSeen}: Odoo writes an
     * attachment's file before its row commits, and a capture may first see it after the commit;
     * what the database references decides. Answers the step message's first part; a failure
     * never fails the restore (the check that follows reports what is still missing).
     */
    private String materialiseCaptured(RestoreJob job, List<Source> sources, BackupInfo backup,
            Attachments.Referenced referenced, Path restoredFs) throws IOException {
        List<String> lacking = new ArrayList<>();
        for (String p : referenced.paths()) {
            if (!Files.isRegularFile(restoredFs.resolve(p), LinkOption.NOFOLLOW_LINKS)) {
                lacking.add(p);
            }
        }
        if (lacking.isEmpty()) {
            return "the base's filestore holds every attachment file the recovered database references; ";
        }
        List<String> errors = new ArrayList<>();
        for (Source s : sources) {
            List<Path> written = new ArrayList<>();
            try {
                progressCheck(job);
                BackupManifest m = s.manifest();
                if (m.component(ComponentName.filestore).map(c -> !c.isBlobIndex()).orElse(true)
                        || m.blobStore() == null || m.blobStore().sealedKey() == null) {
                    return "the base's filestore is not in the blob store: no captures to read; ";
                }
                BlobKeys keys = BlobKeys.unseal(cipher, m.environmentId(), m.blobStore().sealedKey());
                BackupStorage st = s.storage();
                Map<String, FilestoreCapture.Seen> byPath = new java.util.HashMap<>();
                int read = 0;
                for (io.ocore.backups.platform.storage.StoredObject o
                        : st.list(BlobLayout.capturesDir(m.orgId(), m.environmentId()))) {
                    String file = o.key().substring(o.key().lastIndexOf('/') + 1);
                    if (!file.endsWith(BlobLayout.CAPTURE_SUFFIX)) {
                        continue;
                    }
                    String name = file.substring(0, file.length() - BlobLayout.CAPTURE_SUFFIX.length());
                    if (!BlobLayout.isCaptureName(name) || BlobLayout.captureTime(name).isBefore(backup.createdAt())) {
                        continue;
                    }
                    byte[] stored;
                    try (InputStream in = st.get(o.key())) {
                        stored = in.readAllBytes();
                    }
                    for (FilestoreCapture.Seen f : FilestoreCapture.decrypt(keys, name, stored).files()) {
                        byPath.merge(f.entry().path(), f, (a, b) -> b.firstSeen().isAfter(a.firstSeen()) ? b : a);
                    }
                    read++;
                }
                List<FilestoreIndex.Entry> write = new ArrayList<>();
                for (String p : lacking) {
                    FilestoreCapture.Seen f = byPath.get(p);
                    if (f != null) {
                        write.add(f.entry());
                        written.add(restoredFs.resolve(p));
                    }
                }
                if (!write.isEmpty()) {
                    Map<String, BlobLocation> locations = FilestoreAssembler.readPackIndexes(st, keys, m.orgId(),
                            m.environmentId());
                    new FilestoreAssembler(keys, m.orgId(), m.environmentId(), st, locations::get).extract(write,
                            restoredFs, n -> {
                            });
                    for (Path f : written) { // on disk before the swap, as the rest of the filestore
                        Fsync.file(f);
                        Fsync.parentOf(f);
                    }
                }
                Log.infof("Restore %s: %d of the %d referenced attachment files the base lacks written from %d"
                        + " captures on destination %s", job.id, write.size(), lacking.size(), read, s.name);
                return write.size() + " of the " + lacking.size() + " attachment files the recovered database"
                        + " references and the base's filestore lacks written from " + read + " captures on destination "
                        + s.name + "; ";
            } catch (InterruptedIOException | LeaseLostException e) {
                throw e;
            } catch (Exception e) {
                for (Path f : written) { // a half-written file is not a present attachment
                    Files.deleteIfExists(f);
                }
                Log.warnf("Restore %s: the captures on destination %s could not be used: %s", job.id, s.name,
                        message(e));
                errors.add(s.name + ": " + message(e));
            }
        }
        return "the captures could not be read (" + String.join("; ", errors) + "); ";
    }

    private static void progressCheck(RestoreJob job) throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while reading the captures of restore " + job.id);
        }
    }

    private void neutralizeOnly(RestoreJob job, Steps steps, String[] hostPort) throws Exception {
        steps.begin(RESOLVE);
        EnvironmentInfo env = environment(job.orgId, job.targetEnvironmentId, "target");
        hostPort[0] = env.dbHost();
        hostPort[1] = Integer.toString(env.dbPort());
        steps.done("environment " + env.name() + " (database " + env.dbName() + ")");
        steps.begin(NEUTRALIZE);
        TargetServer server = new TargetServer(env.dbHost(), env.dbPort(), env.dbUser(), env.dbPassword(), pgRestore,
                config.lockTimeout());
        List<String> changes;
        try (Connection c = server.connect(env.dbName())) {
            changes = Neutralizer.neutralize(c);
        }
        steps.done(String.join("; ", changes));
        steps.progress.percent = 100;
        store.finish(steps.progress.job.lease(), "completed", null, null, null, false, row -> List.of());
    }

    private BackupInfo resolveBackup(RestoreJob job) throws RestoreFailure {
        BackupInfo b;
        try {
            b = client.backupBlocking(job.orgId, job.backupId);
        } catch (InternalClient.NotFound e) {
            throw new RestoreFailure("backup " + job.backupId + " no longer exists");
        }
        if (!"completed".equals(b.status())) {
            throw new RestoreFailure("backup " + b.id() + " is " + b.status() + ", not completed");
        }
        if (b.remotePaths().isEmpty()) {
            throw new RestoreFailure("backup " + b.id() + " is stored on no destination");
        }
        return b;
    }

    private EnvironmentInfo environment(UUID org, UUID envId, String role) throws RestoreFailure {
        try {
            return client.environmentBlocking(org, envId);
        } catch (InternalClient.NotFound e) {
            throw new RestoreFailure("the " + role + " environment " + envId + " no longer exists");
        }
    }

    /** Names and places of everything the restore creates (nothing is created yet). */
    private Work plan(RestoreJob job, EnvironmentInfo source, EnvironmentInfo target, TargetServer server,
            boolean hasFilestore) throws Exception {
        String shortId = job.id.toString().substring(0, 8);
        if (target != null) {
            String db = target.dbName();
            String base = db.length() > 40 ? db.substring(0, 40) : db;
            String fs = hasFilestore ? target.filestorePath() : null;
            Work w = new Work(target.dbHost(), target.dbPort(), target.dbUser(), target.id(), db,
                    base + "_restore_" + shortId, base + "_prerestore_" + shortId, fs,
                    fs == null ? null : fs + ".restore-" + shortId, fs == null ? null : fs + ".prerestore-" + shortId,
                    null, false);
            Swap.checkPaths(w, confinement);
            return w;
        }
        String db = newDatabaseName(job.newEnvironmentName, shortId);
        if (server.exists(db)) {
            throw new RestoreFailure("a database named " + db + " already exists on " + PgErrors.SERVER
                    + "; choose another name");
        }
        Path sourceFs = Path.of(source.filestorePath()).toAbsolutePath().normalize();
        Path fs = (sourceFs.getParent() == null ? sourceFs : sourceFs.getParent()).resolve(db);
        Path sourceConf = Path.of(source.configPath()).toAbsolutePath().normalize();
        Path conf = (sourceConf.getParent() == null ? sourceConf : sourceConf.getParent()).resolve(db + ".conf");
        if (Files.exists(fs, LinkOption.NOFOLLOW_LINKS) || Files.exists(conf, LinkOption.NOFOLLOW_LINKS)) {
            throw new RestoreFailure("the filestore " + fs + " or the config " + conf + " already exists; choose another name");
        }
        // derived beside the source's, so under the same roots: checked with the same guard all the same
        Work w = new Work(source.dbHost(), source.dbPort(), source.dbUser(), source.id(), db,
                db + "_restore_" + shortId, null, fs.toString(), fs + ".restore-" + shortId, null, conf.toString(),
                true);
        Swap.checkPaths(w, confinement);
        return w;
    }

    /** {@code odoo_<slug of the name>}: lower case letters, digits and '_', at most 40 characters. */
    static String newDatabaseName(String name, String shortId) {
        String slug = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
        if (slug.isEmpty()) {
            slug = shortId;
        }
        String db = "odoo_" + slug;
        return db.length() > 40 ? db.substring(0, 40) : db;
    }

    private UUID snapshot(RestoreJob job, EnvironmentInfo target, BackupInfo backup) throws Exception {
        String key = "pre_restore:" + job.id;
        store.requestSnapshot(job.id, key, new Events.BackupRequested(job.orgId, target.id(), "full", "pre_restore",
                key, List.copyOf(backup.remotePaths().keySet()), Instant.now(), false));
        long deadline = System.nanoTime() + config.snapshotTimeout().toNanos();
        while (System.nanoTime() < deadline) {
            RestoreStore.SnapshotOutcome o = store.snapshot(key);
            if (o != null && "completed".equals(o.status())) {
                return o.backupId();
            }
            if (o != null && "failed".equals(o.status())) {
                throw new RestoreFailure("the pre-restore snapshot failed: " + o.reason()
                        + "; the target was not touched");
            }
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the pre-restore snapshot");
            }
        }
        throw new RestoreFailure("the pre-restore snapshot did not complete within " + config.snapshotTimeout()
                + "; the target was not touched");
    }

    // --- downloads -------------------------------------------------------------------------------

    /** One destination holding the backup, opened on first use. */
    private final class Source {
        final UUID orgId;
        final UUID id;
        final String dir;
        BackupStorage storage;
        BackupManifest manifest;
        volatile String name;
        volatile String displayName;

        Source(UUID orgId, UUID id, String dir) {
            this.orgId = orgId;
            this.id = id;
            this.dir = dir.endsWith("/") ? dir : dir + "/";
            this.name = id.toString();
        }

        /** Synchronized: the database and filestore steps share the sources. */
        synchronized BackupStorage storage() {
            if (storage == null) {
                InternalClient.DestinationInfo d = client.destinationBlocking(orgId, id);
                displayName = d.name();
                name = d.name() + " (" + id + ")";
                storage = storages.open(DestinationType.of(d.destinationType()), d.config());
            }
            return storage;
        }

        synchronized BackupManifest manifest() throws IOException {
            if (manifest == null) {
                byte[] json;
                try (InputStream in = storage().get(dir + BackupLayout.MANIFEST)) {
                    json = in.readAllBytes();
                }
                try {
                    manifest = BackupManifest.fromJson(json);
                } catch (IllegalArgumentException e) {
                    throw new BadCopy("its manifest is unreadable: " + e.getMessage());
                }
            }
            return manifest;
        }
    }

    private List<Source> sources(UUID orgId, BackupInfo backup) {
        List<Source> list = new ArrayList<>();
        backup.remotePaths().forEach((dest, dir) -> list.add(new Source(orgId, dest, dir)));
        return list;
    }

    /** The copy a component is read from: its destination, its manifest and the component there. */
    record Copy(Source source, BackupManifest manifest, BackupManifest.Component component,
            java.util.concurrent.atomic.AtomicLong attempt) {
    }

    interface RawConsumer {
        void accept(InputStream raw, Copy copy) throws Exception;
    }

    /**
     * Streams a component from the first destination that yields a good copy (in the order of
     * remotePaths): SHA-256 verified while streaming against the checksum backup-service recorded,
     * then decrypted and decompressed into {@code consumer}. On any error or mismatch the next
     * destination is tried (the consumer starts over), unless {@code cancel} stopped the restore
     * (another step failed). Answers the destination used.
     */
    private String fromFirstGood(RestoreJob job, Step step, List<Source> sources, ComponentName name,
            BackupInfo backup, Progress progress, Cancel cancel, RawConsumer consumer) throws Exception {
        List<String> errors = new ArrayList<>();
        for (Source s : sources) {
            java.util.concurrent.atomic.AtomicLong attempt = new java.util.concurrent.atomic.AtomicLong();
            BackupManifest.Component component = null;
            String expectedSha = null;
            try {
                cancel.check();
                BackupManifest m = s.manifest();
                if (!m.backupId().equals(backup.id())) {
                    throw new BadCopy("its manifest belongs to backup " + m.backupId());
                }
                BackupManifest.Component c = m.component(name)
                        .orElseThrow(() -> new BadCopy("its manifest has no " + name + " component"));
                if (progress.bytesTotal == null) {
                    // what the restore reads: not the config (tiny), nor a PITR base (ADR 0017: PITR only)
                    progress.bytesTotal = m.components().stream()
                            .filter(x -> !"config".equals(x.name()) && !"base".equals(x.name()))
                            .mapToLong(BackupManifest.Component::sizeBytes).sum();
                }
                String expected = backup.checksums().get(name.name());
                component = c;
                expectedSha = expected != null ? expected : c.sha256();
                if (expected != null && !expected.equalsIgnoreCase(c.sha256())) {
                    throw new ChecksumMismatchException(expected, c.sha256());
                }
                Counting counting = null;
                try (InputStream stored = counting = cancel.open(new Counting(s.storage().get(c.objectKey()), progress,
                        attempt, cancel));
                        InputStream raw = ComponentReader.open(stored, BackupKeys.open(cipher, m, c),
                                BackupKeys.associatedData(m.backupId(), name), expected != null ? expected : c.sha256())) {
                    consumer.accept(raw, new Copy(s, m, c, attempt));
                } finally {
                    if (counting != null) {
                        cancel.closed(counting);
                    }
                }
                return s.name;
            } catch (FaultInjector.SimulatedCrash crash) {
                throw crash;
            } catch (Exception e) {
                progress.bytesDone.addAndGet(-attempt.get());
                if (cancel.stopped()) {
                    throw e; // another step failed: no next copy, nothing to report about this one
                }
                boolean corrupted = mismatch(e) || (component != null && corrupted(s, component, expectedSha));
                Skip skip = classify(e, corrupted);
                String why = skip.detail();
                Log.warnf("Restore %s: skipped the %s copy of backup %s on destination %s: %s (%s); trying the next"
                        + " destination", job.id, name, backup.id(), s.name, skip.status(), why);
                errors.add(s.name + ": " + why);
                step.skippedCopy("the " + name + " copy on destination " + s.name + ": " + skip.status() + ", " + why);
                if (skip.isBadCopy()) {
                    reportBadCopy(job, backup, s, name, skip);
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("interrupted");
                }
            }
        }
        throw new RestoreFailure("no destination holds a good copy of the " + name + " component: "
                + String.join("; ", errors));
    }

    /**
     * After a failed read that did not report a mismatch (a corrupted ciphertext makes decryption
     * fail before the end-of-stream checksum verdict): reads the stored object once more, without
     * decrypting, to tell corruption from other failures in the error message.
     */
    private static boolean corrupted(Source s, BackupManifest.Component c, String expected) {
        try (InputStream in = ComponentReader.verifying(s.storage().get(c.objectKey()), expected)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return false;
        } catch (Exception e) {
            return mismatch(e);
        }
    }

    private byte[] sourceConfig(RestoreJob job, Step step, List<Source> sources, BackupInfo backup,
            EnvironmentInfo source, Progress progress) throws Exception {
        if (backup.checksums().get("config") != null) {
            Map<String, byte[]> files = new LinkedHashMap<>();
            fromFirstGood(job, step, sources, ComponentName.config, backup, progress, new Cancel(), (raw, copy) -> {
                files.clear();
                Path dir = Files.createTempDirectory("ocore-restore-config-");
                try {
                    TarArchives.extract(raw, dir, n -> {
                    });
                    Path conf = dir.resolve("odoo.conf");
                    if (Files.isRegularFile(conf, LinkOption.NOFOLLOW_LINKS)) {
                        files.put("odoo.conf", Files.readAllBytes(conf));
                    }
                } finally {
                    Swap.deleteTree(dir);
                }
            });
            if (files.containsKey("odoo.conf")) {
                return files.get("odoo.conf");
            }
        }
        Path conf = confinement.confine(Area.CONFIG, Path.of(source.configPath()));
        if (Files.isRegularFile(conf, LinkOption.NOFOLLOW_LINKS)) {
            return Files.readAllBytes(conf);
        }
        return "[options]\n".getBytes(StandardCharsets.UTF_8);
    }

    private Map<String, Object> registration(RestoreJob job, EnvironmentInfo source, Work w) {
        Map<String, Object> db = new LinkedHashMap<>();
        db.put("host", source.dbHost());
        db.put("port", source.dbPort());
        db.put("name", w.targetDb());
        db.put("user", source.dbUser());
        db.put("password", source.dbPassword());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("orgId", job.orgId.toString());
        body.put("name", job.newEnvironmentName);
        body.put("projectId", source.projectId().toString());
        body.put("environmentType", "development");
        body.put("database", db);
        body.put("filestorePath", w.filestore());
        body.put("configPath", w.configPath());
        return body;
    }

    /** Why a copy was skipped: {@code corrupt}, {@code missing}, {@code unreachable} or {@code failed} (not the copy's fault). */
    record Skip(String status, String detail) {
        boolean isBadCopy() {
            return "corrupt".equals(status) || "missing".equals(status);
        }
    }

    /** A copy whose manifest does not describe this backup: as corrupt as a checksum mismatch. */
    static final class BadCopy extends IOException {
        BadCopy(String message) {
            super(message);
        }
    }

    static Skip classify(Throwable e, boolean corrupted) {
        if (corrupted) {
            return new Skip("corrupt", "checksum mismatch (the stored copy is corrupted)");
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof BlobCorruptException) {
                return new Skip("corrupt", "a blob of the filestore is corrupted (" + c.getMessage() + ")");
            }
            if (c instanceof BlobMissingException) {
                return new Skip("missing", "a blob of the filestore is missing (" + c.getMessage() + ")");
            }
            if (c instanceof BadCopy) {
                return new Skip("corrupt", c.getMessage());
            }
            if (c instanceof java.security.GeneralSecurityException) {
                return new Skip("corrupt", "it could not be decrypted (the stored copy is corrupted)");
            }
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof StorageException se) {
                return se.kind() == StorageException.Kind.NOT_FOUND
                        ? new Skip("missing", "the stored copy is missing")
                        : new Skip("unreachable", message(se));
            }
        }
        if (e instanceof InternalClient.Unavailable || e instanceof InternalClient.NotFound) {
            return new Skip("unreachable", message(e));
        }
        return new Skip("failed", message(e));
    }

    /** Publishes {@code BackupCorrupted} for a corrupt or missing copy (alert backup_corrupted); never fails the restore. */
    private void reportBadCopy(RestoreJob job, BackupInfo backup, Source s, ComponentName name, Skip skip) {
        try {
            store.publish(new Events.BackupCorrupted(job.orgId, backup.environmentId(), backup.id(), s.id,
                    s.displayName != null ? s.displayName : s.id.toString(), skip.status(),
                    "the " + name + " component: " + skip.detail() + " (skipped by restore " + job.id + ")",
                    "restore", Instant.now()));
        } catch (RuntimeException e) {
            Log.errorf("Restore %s: could not publish BackupCorrupted for destination %s: %s", job.id, s.name,
                    e.getMessage());
        }
    }

    // --- crash recovery --------------------------------------------------------------------------

    /** Undoes the work of an interrupted restore and fails it (docs/adr/0009-restore-swap.md). */
    public void recover(Lease lease) {
        UUID id = lease.id();
        RestoreJob job = store.load(id);
        String step = job.progressStep != null ? job.progressStep : "its start";
        String reason = "interrupted: the restore service stopped during " + step;
        String extra = "";
        Work hidden = null;
        try {
            if (job.work != null) {
                Work w = mapper.readValue(job.work, Work.class);
                hidden = w;
                TargetServer server = server(job, w);
                // holding the row under the new lease: never beside a swap step of the old worker
                store.exclusive(lease, () -> {
                    Swap.undo(server, w, "swapping".equals(job.swapState), confinement);
                    return null;
                });
            }
        } catch (LeaseLostException lost) {
            throw lost;
        } catch (Exception e) {
            Log.errorf(e, "Restore %s: could not undo the interrupted work", id);
            extra = "; its temporary database or directories could not be removed ("
                    + (hidden == null ? message(e) : PgErrors.hideServer(message(e), hidden.host(), hidden.port()))
                    + ")";
        }
        deleteDump(id);
        try {
            PitrReplay.removeLeftover(workDir(), id, pgRestore.toAbsolutePath().getParent());
        } catch (IOException | RuntimeException e) {
            Log.errorf(e, "Restore %s: could not remove the scratch cluster of its WAL replay", id);
            extra += "; the scratch cluster of its WAL replay could not be removed (" + message(e) + ")";
        }
        markRunningStepFailed(id, reason);
        fail(lease, job, reason + extra);
    }

    /** Drops the old database and filestore a completed restore left behind. */
    public void cleanup(UUID id) {
        RestoreJob job = store.load(id);
        try {
            Work w = mapper.readValue(job.work, Work.class);
            Swap.dropOld(server(job, w), w, confinement);
            store.cleanupDone(id);
        } catch (Exception e) {
            Log.warnf("Restore %s: the old database/filestore could not be dropped yet: %s", id, message(e));
        }
    }

    private TargetServer server(RestoreJob job, Work w) {
        EnvironmentInfo creds = client.environmentBlocking(job.orgId, w.credentialsEnvironmentId());
        return new TargetServer(w.host(), w.port(), w.user(), creds.dbPassword(), pgRestore, config.lockTimeout());
    }

    private void markRunningStepFailed(UUID id, String reason) {
        try {
            // the database and filestore steps run at once: both may have been running
            store.runningStepsFailed(id, reason, now());
        } catch (RuntimeException e) {
            Log.debugf("Could not close the running step of %s: %s", id, e.getMessage());
        }
    }

    // --- helpers ---------------------------------------------------------------------------------

    /** Counts the stored bytes read (into the progress and this attempt's count); refuses to go on once stopped. */
    private static final class Counting extends FilterInputStream {
        private final Progress progress;
        private final java.util.concurrent.atomic.AtomicLong attempt;
        private final Cancel cancel;

        Counting(InputStream in, Progress progress, java.util.concurrent.atomic.AtomicLong attempt, Cancel cancel) {
            super(in);
            this.progress = progress;
            this.attempt = attempt;
            this.cancel = cancel;
        }

        @Override
        public int read() throws IOException {
            cancel.check();
            int b = super.read();
            if (b >= 0) {
                progress.bytesDone.incrementAndGet();
                attempt.incrementAndGet();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            cancel.check();
            int n = super.read(b, off, len);
            if (n > 0) {
                progress.bytesDone.addAndGet(n);
                attempt.addAndGet(n);
            }
            return n;
        }
    }

    private static boolean mismatch(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ChecksumMismatchException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether PostgreSQL gave up waiting for a lock ({@code lock_timeout}): SQLSTATE 55P03 from
     * a session of ours, or pg_restore's "canceling statement due to lock timeout".
     */
    static boolean lockWaitedOut(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.sql.SQLException sql && "55P03".equals(sql.getSQLState())) {
                return true;
            }
            if (c.getMessage() != null && c.getMessage().contains("canceling statement due to lock timeout")) {
                return true;
            }
        }
        return false;
    }

    static String message(Throwable t) {
        Throwable c = t;
        while ((c.getMessage() == null || c instanceof java.io.UncheckedIOException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    /** The odoo.conf holds the database password: always a new file, 0600 (one left there is removed, not reused). */
    static void writePrivate(Path file, byte[] content) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Files.write(file, content, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING,
                LinkOption.NOFOLLOW_LINKS);
        // the temp file is complete on disk before the swap renames it into place (and fsyncs its directory)
        Fsync.file(file);
        Fsync.parentOf(file);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    }
}
