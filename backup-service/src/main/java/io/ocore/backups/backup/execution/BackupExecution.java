package io.ocore.backups.backup.execution;

import io.ocore.backups.platform.destinations.Destinations;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ocore.backups.backup.backup.Backup;
import io.ocore.backups.backup.backup.BackupStatus;
import io.ocore.backups.backup.backup.BackupType;
import io.ocore.backups.backup.backup.FailedDestination;
import io.ocore.backups.backup.backup.Phase;
import io.ocore.backups.backup.config.BackupConfig;
import io.ocore.backups.backup.environment.Environment;
import io.ocore.backups.backup.environment.EnvironmentService;
import io.ocore.backups.backup.blobs.BlobStoreCatalogue;
import io.ocore.backups.platform.backupformat.BackupKeys;
import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.backupformat.BackupManifest;
import io.ocore.backups.platform.backupformat.ComponentName;
import io.ocore.backups.platform.backupformat.ComponentReader;
import io.ocore.backups.platform.backupformat.blobs.BlobCatalogue;
import io.ocore.backups.platform.backupformat.blobs.BlobKeys;
import io.ocore.backups.platform.backupformat.blobs.BlobLayout;
import io.ocore.backups.platform.backupformat.blobs.FilestoreIndex;
import io.ocore.backups.platform.backupformat.blobs.FilestoreWriter;
import io.ocore.backups.platform.backupformat.ComponentWriter;
import io.ocore.backups.platform.backupformat.TarArchives;
import io.ocore.backups.platform.events.OcoreEvent;
import io.ocore.backups.platform.events.v1.Events;
import io.ocore.backups.platform.jobs.Job;
import io.ocore.backups.platform.jobs.JobRunner;
import io.ocore.backups.platform.jobs.LeaseLostException;
import io.ocore.backups.platform.pgclient.PgErrors;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.security.confinement.EnvironmentConfinement;
import io.ocore.backups.platform.security.confinement.EnvironmentConfinement.Area;
import io.ocore.backups.platform.storage.StorageException;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.FutureTask;
import java.util.function.LongConsumer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one claimed backup, blocking, on a worker thread: opens every destination, streams each
 * component once through the {@link ComponentWriter} pipeline to all of them at once, writes
 * {@code manifest.json} last on every destination that holds every component, and records the
 * outcome with its events in one transaction.
 */
@ApplicationScoped
public class BackupExecution {

    /** What the worker's progress ticker reads. */
    public static final class Progress {
        final UUID backupId;
        final Job job;
        final AtomicReference<Phase> phase = new AtomicReference<>();
        final AtomicLong bytesDone = new AtomicLong();

        Progress(Job job) {
            this.backupId = job.id();
            this.job = job;
        }
    }

    /** Test hook: runs before each component's upload starts (before its lease check). */
    private static volatile java.util.function.Consumer<ComponentName> beforeComponent = c -> {
    };

    public static void beforeComponent(java.util.function.Consumer<ComponentName> hook) {
        beforeComponent = hook == null ? c -> {
        } : hook;
    }

    /** Test hook: the process "dies" when a backup enters this phase (nothing more is written anywhere). */
    private static volatile Phase crashAt;

    public static void simulateCrashAt(Phase phase) {
        crashAt = phase;
    }

    /** Test hook: runs before each filestore file is read (another process deleting or writing it); NONE otherwise. */
    private static volatile TarArchives.ReadHook filestoreHook = TarArchives.ReadHook.NONE;

    public static void filestoreHook(TarArchives.ReadHook hook) {
        filestoreHook = hook == null ? TarArchives.ReadHook.NONE : hook;
    }

    /**
     * Test and measurement hook: called with (backup id, mark) at each step of a run, e.g.
     * {@code database.firstByte} when pg_dump's first byte enters the pipeline.
     */
    private static volatile java.util.function.BiConsumer<UUID, String> marks = (id, m) -> {
    };

    public static void marks(java.util.function.BiConsumer<UUID, String> hook) {
        marks = hook == null ? (id, m) -> {
        } : hook;
    }

    /** Thrown by the crash hook; unwinds the run without recording anything, like a killed process. */
    static final class SimulatedCrash extends JobRunner.SimulatedCrash {
        SimulatedCrash() {
            super("simulated crash");
        }
    }

    private final BackupStore store;
    private final Destinations destinations;
    private final EnvironmentService environments;
    private final EnvelopeCipher cipher;
    private final ObjectMapper mapper;
    private final BackupConfig config;
    private final PgDump pgDump;
    private final PgBaseBackup pgBaseBackup;
    private final EnvironmentConfinement confinement;
    private final BlobStoreCatalogue catalogue;

    public BackupExecution(BackupStore store, Destinations destinations, EnvironmentService environments,
            EnvelopeCipher cipher, ObjectMapper mapper, BackupConfig config, EnvironmentConfinement confinement,
            BlobStoreCatalogue catalogue) {
        this.confinement = confinement;
        this.store = store;
        this.destinations = destinations;
        this.environments = environments;
        this.cipher = cipher;
        this.mapper = mapper;
        this.config = config;
        this.catalogue = catalogue;
        this.pgDump = new PgDump(config.pgBin(), config.lockWaitTimeout());
        this.pgBaseBackup = new PgBaseBackup(config.pgBin());
    }

    private record Target(UUID id, String name, io.ocore.backups.platform.storage.BackupStorage storage) {
    }

    /**
     * The run's destinations: those still alive, those failed and why. Thread-safe: the database
     * and filestore components run at once and each drops the destinations it failed. A dropped
     * destination is cleaned and closed once both components have ended ({@link #takeDropped}).
     */
    private static final class Targets {
        private final List<Target> alive = new ArrayList<>();
        private final Map<UUID, FailedDestination> failed = new LinkedHashMap<>();
        private final Map<UUID, String[]> info = new LinkedHashMap<>(); // id -> {name, kind}
        private final List<Target> dropped = new ArrayList<>();

        synchronized void add(Target t) {
            alive.add(t);
        }

        synchronized List<Target> alive() {
            return List.copyOf(alive);
        }

        synchronized boolean isEmpty() {
            return alive.isEmpty();
        }

        synchronized void failed(UUID id, String name, String kind, String reason) {
            failed.put(id, new FailedDestination(id, reason));
            info.put(id, new String[] {name, kind});
        }

        /** Answers whether {@code t} was still alive (a destination fails once, with its first reason). */
        synchronized boolean drop(Target t, String kind, String reason) {
            if (!alive.remove(t)) {
                return false;
            }
            failed(t.id(), t.name(), kind, reason);
            dropped.add(t);
            return true;
        }

        synchronized List<Target> takeDropped() {
            List<Target> out = List.copyOf(dropped);
            dropped.clear();
            return out;
        }

        synchronized List<Target> takeAll() {
            List<Target> out = new ArrayList<>(dropped);
            out.addAll(alive);
            dropped.clear();
            alive.clear();
            return out;
        }

        synchronized Map<UUID, FailedDestination> failed() {
            return new LinkedHashMap<>(failed);
        }

        synchronized Map<UUID, String[]> info() {
            return new LinkedHashMap<>(info);
        }
    }

    /** What one component run came to. */
    private record Piece(BackupManifest.Component component, List<String> notes, byte[] referencedBlobs,
            long extraStoredBytes) {
    }

    public void run(UUID backupId, Progress progress) {
        BackupStore.Loaded loaded = store.load(backupId);
        Backup b = loaded.backup();
        Environment env = loaded.environment();
        Log.infof("Backup %s (%s, %s) of environment %s starts", b.id, b.backupType, b.trigger, env.id);
        marks.accept(b.id, "started");
        long started = java.time.Duration.between(b.createdAt, Instant.now()).toMillis();
        Targets targets = new Targets();
        Map<String, String> checksums = new LinkedHashMap<>();
        checksums.put("database", null);
        checksums.put("filestore", null);
        checksums.put("config", null);
        if (b.baseBackup) {
            checksums.put("base", null);
        }
        List<String> notes = new ArrayList<>();
        Background filestoreTask = null;
        Background baseTask = null;
        PgDump.Running dumping = null;
        PgBaseBackup.Running basing = null;
        try {
            if (b.backupType == BackupType.full) {
                // before anything is opened or written: a path that left its roots fails the backup untouched
                confinement.confine(Area.FILESTORE, Path.of(env.filestorePath));
                confinement.confine(Area.CONFIG, Path.of(env.configPath));
            }
            String password = environments.password(env);
            // pg_dump reads the database's catalogue while the destinations are opened
            dumping = pgDump.start(env, password);
            if (b.baseBackup) {
                // the PITR base (ADR 0017) runs beside the dump: its checkpoint while the destinations open
                basing = pgBaseBackup.start(env, password, PgBaseBackup.label(b.id));
                marks.accept(b.id, "base.started");
            }
            long spawned = java.time.Duration.between(b.createdAt, Instant.now()).toMillis();
            marks.accept(b.id, "database.started");
            openAll(b, targets);
            long opened = java.time.Duration.between(b.createdAt, Instant.now()).toMillis();
            if (targets.isEmpty()) {
                fail(b, targets, checksums, "no destination could be opened: " + reasons(targets.failed()));
                return;
            }
            // what the manifest says of the source is read while the dump runs, not before it
            FutureTask<SourceInfo> source = new FutureTask<>(() -> SourceInfo.read(env, password));
            Thread.ofVirtual().name("backup-source-" + b.id).start(source);
            EnvelopeCipher.StreamingKey key = BackupKeys.newKey(cipher, b.id);
            ComponentWriter writer = new ComponentWriter(config.chunkBytes(), config.queueChunks(),
                    config.uploadStallAfter());
            AtomicLong dbBytes = new AtomicLong();
            AtomicLong fsBytes = new AtomicLong();
            AtomicLong baseBytes = new AtomicLong();
            Runnable reportBytes = () -> progress.bytesDone.set(dbBytes.get() + fsBytes.get() + baseBytes.get());
            if (basing != null) {
                PgBaseBackup.Running base = basing;
                List<Target> baseTargets = targets.alive();
                baseTask = Background.start("backup-base-" + b.id, () -> {
                    Piece p = component(b, ComponentName.base, componentKey(b, ComponentName.base), null,
                            base::writeTo, writer, key, baseTargets, targets, progress, n -> {
                                baseBytes.set(n);
                                reportBytes.run();
                            });
                    marks.accept(b.id, "base.done");
                    return p;
                });
            }

            String sealedBlobKey = null;
            if (b.backupType == BackupType.full) {
                Path filestore = confinement.confine(Area.FILESTORE, Path.of(env.filestorePath));
                if (!Files.isDirectory(filestore, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException("the filestore directory " + env.filestorePath + " does not exist");
                }
                sealedBlobKey = catalogue.sealedKey(b.orgId, b.environmentId);
                String sealed = sealedBlobKey;
                List<Target> fsTargets = targets.alive();
                // the filestore walk runs beside the dump, on its own thread
                filestoreTask = Background.start("backup-filestore-" + b.id, () -> filestore(b, filestore, sealed,
                        fsTargets, targets, writer, key, progress, n -> {
                            fsBytes.set(n);
                            reportBytes.run();
                        }));
            }

            enter(progress, Phase.dumping_database);
            PgDump.Running dump = dumping;
            Piece database = component(b, ComponentName.database, componentKey(b, ComponentName.database), null,
                    out -> {
                        dump.writeTo(firstByte(out, () -> {
                            marks.accept(b.id, "database.firstByte");
                            Log.infof("Backup %s: the dump's first byte %d ms after the request (run started after"
                                    + " %d ms, destinations open after %d ms, pg_dump started after %d ms)", b.id,
                                    java.time.Duration.between(b.createdAt, Instant.now()).toMillis(), started,
                                    opened, spawned);
                        }));
                    }, writer, key, targets.alive(), targets, progress, n -> {
                        dbBytes.set(n);
                        reportBytes.run();
                    });
            marks.accept(b.id, "database.done");
            List<BackupManifest.Component> components = new ArrayList<>();
            long total = 0;
            byte[] referencedBlobs = null;
            if (database != null) {
                components.add(database.component());
                checksums.put("database", database.component().sha256());
                total += database.component().sizeBytes();
            }
            if (filestoreTask != null && database == null) {
                stop(filestoreTask); // no destination holds the database: the filestore is of no use
                filestoreTask = null;
            }
            if (baseTask != null && database == null) {
                stop(baseTask); // nor the base
                baseTask = null;
            }
            if (filestoreTask != null) {
                enter(progress, Phase.archiving_filestore);
                Piece fs = await(filestoreTask.task());
                filestoreTask = null;
                if (fs != null && database != null) {
                    components.add(fs.component());
                    checksums.put("filestore", fs.component().sha256());
                    total += fs.component().sizeBytes() + fs.extraStoredBytes();
                    referencedBlobs = fs.referencedBlobs();
                }
                if (fs != null) {
                    fs.notes().forEach(n -> notes.add("filestore " + n));
                    notes.forEach(n -> Log.infof("Backup %s: %s", b.id, n));
                }
                cleanDropped(b, targets);
                if (!targets.isEmpty()) {
                    enter(progress, Phase.archiving_config);
                    Map<String, byte[]> files = configFiles(env, await(source));
                    Piece conf = component(b, ComponentName.config, componentKey(b, ComponentName.config), null,
                            out -> TarArchives.writeFiles(files, out), writer, key, targets.alive(), targets,
                            progress, null);
                    if (conf != null) {
                        components.add(conf.component());
                        checksums.put("config", conf.component().sha256());
                        total += conf.component().sizeBytes();
                    }
                }
            }
            BackupManifest.PitrBase pitrBase = null;
            if (baseTask != null) {
                enter(progress, Phase.taking_base);
                // a base that fails fails the backup (pg_basebackup's reason): PITR never silently missing
                Piece base = await(baseTask.task());
                baseTask = null;
                if (base != null) {
                    components.add(base.component());
                    checksums.put("base", base.component().sha256());
                    total += base.component().sizeBytes();
                    pitrBase = basing.result();
                    Log.infof("Backup %s: PITR base from %s (WAL file %s, timeline %d) to %s", b.id,
                            pitrBase.startLsn(), pitrBase.startWalFile(), pitrBase.timeline(), pitrBase.stopLsn());
                }
            }
            cleanDropped(b, targets);
            if (targets.isEmpty()) {
                fail(b, targets, checksums, "every destination failed: " + reasons(targets.failed()));
                return;
            }

            enter(progress, Phase.writing_manifest);
            SourceInfo info = await(source);
            BackupManifest m = new BackupManifest(referencedBlobs == null ? BackupManifest.FORMAT_VERSION_TAR
                    : BackupManifest.FORMAT_VERSION, b.id, b.environmentId, b.orgId, b.backupType.name(), b.createdAt,
                    info.postgresVersion(), info.odooVersion(), components,
                    referencedBlobs == null ? null : new BackupManifest.BlobStore(sealedBlobKey), pitrBase);
            byte[] manifest = m.toJson();
            String manifestKey = BackupLayout.manifestKey(b.orgId, b.environmentId, b.id);
            progress.job.checkLease(); // a worker that lost its lease never completes someone else's backup
            for (Target t : targets.alive()) {
                try {
                    t.storage().put(manifestKey, new java.io.ByteArrayInputStream(manifest));
                } catch (RuntimeException e) {
                    drop(b, t, e, targets);
                }
            }
            cleanDropped(b, targets);
            if (targets.isEmpty()) {
                fail(b, targets, checksums, "every destination failed: " + reasons(targets.failed()));
                return;
            }
            String dir = BackupLayout.backupDir(b.orgId, b.environmentId, b.id);
            Map<UUID, String> remotePaths = new LinkedHashMap<>();
            targets.alive().forEach(t -> remotePaths.put(t.id(), dir));
            long size = total;
            BackupManifest.PitrBase held = pitrBase;
            BackupStore.Outcome completed = new BackupStore.Outcome(BackupStatus.completed, size, checksums,
                    remotePaths, List.copyOf(targets.failed().values()), null, List.copyOf(notes), held);
            BackupStore.BlobReferences refs = referencedBlobs == null ? null
                    : new BackupStore.BlobReferences(referencedBlobs, missing -> {
                        // a blob of this backup was collected meanwhile: those copies cannot be restored
                        missing.forEach((id, count) -> targets.alive().stream().filter(t -> t.id().equals(id))
                                .findFirst().ifPresent(t -> {
                                    String why = count + " blob(s) of the filestore are no longer stored on this"
                                            + " destination (collected while the backup ran)";
                                    Log.warnf("Backup %s: destination %s (%s) failed: %s", b.id, t.id(), t.name(), why);
                                    targets.drop(t, "PERMANENT", why);
                                }));
                        if (targets.isEmpty()) {
                            return new BackupStore.Outcome(BackupStatus.failed, null, checksums, Map.of(),
                                    List.copyOf(targets.failed().values()),
                                    "every destination failed: " + reasons(targets.failed()), List.copyOf(notes));
                        }
                        Map<UUID, String> kept = new LinkedHashMap<>();
                        targets.alive().forEach(t -> kept.put(t.id(), dir));
                        return new BackupStore.Outcome(BackupStatus.completed, size, checksums, kept,
                                List.copyOf(targets.failed().values()), null, List.copyOf(notes), held);
                    });
            store.finish(progress.job.lease(), completed, refs, row -> {
                Map<UUID, FailedDestination> failed = targets.failed();
                List<OcoreEvent> events = new ArrayList<>(destinationEvents(row, failed, targets.info()));
                if (row.status == BackupStatus.completed) {
                    events.add(new Events.BackupCompleted(row.orgId, row.environmentId, row.id,
                            row.backupType.name(), row.trigger.name(), row.idempotencyKey, size, row.startedAt,
                            row.completedAt, row.remotePathMap(), List.copyOf(failed.keySet()), row.pitrBase()));
                } else {
                    events.add(new Events.BackupFailed(row.orgId, row.environmentId, row.id, row.backupType.name(),
                            row.trigger.name(), row.idempotencyKey, row.error, row.completedAt));
                }
                return events;
            });
            cleanDropped(b, targets);
            Log.infof("Backup %s %s: %d bytes on %d destination(s), %d failed", b.id,
                    targets.isEmpty() ? "failed" : "completed", size, targets.alive().size(), targets.failed().size());
        } catch (SimulatedCrash crash) {
            Log.warnf("Backup %s: simulated crash in phase %s", b.id, progress.phase.get());
            stop(filestoreTask);
            stop(baseTask);
            throw crash;
        } catch (Exception e) {
            stop(filestoreTask);
            stop(baseTask);
            if (progress.job.leaseLost()) {
                // another instance took it over: it cleans up; this worker writes nothing more
                throw new LeaseLostException(progress.job.lease());
            }
            // The source (database, filestore) or the pipeline failed: no destination holds a usable copy.
            Log.warnf("Backup %s failed: %s", b.id, message(e));
            // users read the reason: no host name, address or port of the environment's server in it
            String reason = progress.job.stopReason() != null ? progress.job.stopReason()
                    : e instanceof InterruptedIOException || e instanceof InterruptedException
                            || Thread.currentThread().isInterrupted()
                    ? BackupExecutionReasons.INTERRUPTED
                    : PgErrors.hideServer(message(e), env.dbHost, env.dbPort);
            Thread.interrupted(); // a stopped job still records its failure
            for (Target t : targets.takeAll()) {
                cleanup(b, t);
                t.storage().close();
            }
            fail(b, targets, checksums, reason);
        } finally {
            if (dumping != null) {
                dumping.close();
            }
            if (basing != null) {
                basing.close();
            }
            targets.takeAll().forEach(t -> t.storage().close());
        }
    }

    /** Opens every destination at once (each is a call to destination-service and a driver's start). */
    private void openAll(Backup b, Targets targets) throws InterruptedException {
        List<UUID> ids = b.destinations();
        List<FutureTask<Destinations.Opened>> opening = new ArrayList<>();
        for (UUID id : ids) {
            // in the run's trace: destination-service's side of the lookup is the run's child
            FutureTask<Destinations.Opened> f = new FutureTask<>(
                    io.opentelemetry.context.Context.current().wrap(() -> destinations.open(b.orgId, id)));
            opening.add(f);
            Thread.ofVirtual().name("backup-open-" + id).start(f);
        }
        for (int i = 0; i < ids.size(); i++) {
            UUID id = ids.get(i);
            Destinations.Opened d;
            try {
                d = opening.get(i).get();
            } catch (java.util.concurrent.ExecutionException e) {
                d = new Destinations.Opened(id, id.toString(), null, "PERMANENT", message(e.getCause()));
            } catch (InterruptedException e) {
                for (FutureTask<Destinations.Opened> f : opening) {
                    f.cancel(true);
                }
                throw e;
            }
            if (d.ok()) {
                targets.add(new Target(id, d.name(), d.storage()));
            } else {
                targets.failed(id, d.name(), d.failureKind(), d.failure());
            }
        }
        marks.accept(b.id, "destinations.opened");
    }

    /**
     * The filestore component of a full backup (ADR 0015): the filestore into the blob store,
     * its index through the component pipeline. Runs on its own thread beside the dump.
     */
    private Piece filestore(Backup b, Path dir, String sealedKey, List<Target> to, Targets targets,
            ComponentWriter writer, EnvelopeCipher.StreamingKey key, Progress progress, LongConsumer bytes)
            throws IOException {
        marks.accept(b.id, "filestore.started");
        List<UUID> ids = to.stream().map(Target::id).toList();
        Map<String, FilestoreIndex.Entry> previous = previousIndex(b, to);
        BlobCatalogue cat = catalogue.forBackup(b.orgId, b.environmentId, ids);
        BlobKeys keys = BlobKeys.unseal(cipher, b.environmentId, sealedKey);
        FilestoreWriter fw = new FilestoreWriter(keys, b.orgId, b.environmentId, new FilestoreWriter.Options(
                BlobLayout.CHUNK_BYTES, BlobLayout.PACK_TARGET_BYTES, config.uploadStallAfter()));
        List<FilestoreWriter.Destination> fsDestinations = to.stream()
                .map(t -> new FilestoreWriter.Destination(t.id(), t.storage())).toList();
        TarArchives.ReadHook hook = filestoreHook;
        AtomicReference<FilestoreWriter.Result> result = new AtomicReference<>();
        String objectKey = BackupLayout.backupDir(b.orgId, b.environmentId, b.id) + BlobLayout.FILESTORE_INDEX;
        Piece index = component(b, ComponentName.filestore, objectKey, BackupManifest.LAYOUT_BLOB_INDEX, out -> {
            marks.accept(b.id, "filestore.walk");
            // Odoo keeps working during the backup: its garbage collection deletes files, a file may change
            result.set(fw.write(dir, fsDestinations, cat, previous, out, hook, bytes));
        }, writer, key, to, targets, progress, null);
        marks.accept(b.id, "filestore.done");
        FilestoreWriter.Result r = result.get();
        if (r == null) {
            return null;
        }
        long uploaded = 0;
        for (Target t : to) {
            Throwable f = r.failures().get(t.id());
            if (f != null) {
                drop(b, t, f, targets);
            } else {
                uploaded = Math.max(uploaded, r.uploadedBytes().getOrDefault(t.id(), 0L));
            }
        }
        Log.infof("Backup %s: filestore of %d file(s), %d bytes: %d unread (unchanged), %d new blob(s)", b.id,
                r.files(), r.rawBytes(), r.unreadFiles(), r.newBlobs());
        return index == null ? null
                : new Piece(index.component(), r.notes(), r.referencedBlobs(), uploaded);
    }

    /**
     * The entries of the environment's previous completed blob-store backup, read from one
     * destination that holds it: the change cache. Empty when there is none or it cannot be read
     * (then every file is read again; nothing else changes).
     */
    private Map<String, FilestoreIndex.Entry> previousIndex(Backup b, List<Target> open) {
        Optional<BlobStoreCatalogue.PreviousBackup> prev = Optional.empty();
        try {
            prev = catalogue.previousBackup(b.environmentId, b.id);
            if (prev.isEmpty()) {
                return Map.of();
            }
            Exception last = null;
            for (Target t : open) {
                if (!prev.get().destinations().contains(t.id())) {
                    continue;
                }
                try {
                    return readIndex(t.storage(), b, prev.get().backupId());
                } catch (IOException | RuntimeException e) {
                    last = e;
                }
            }
            for (UUID id : prev.get().destinations()) {
                if (open.stream().anyMatch(t -> t.id().equals(id))) {
                    continue;
                }
                Destinations.Opened d = destinations.open(b.orgId, id);
                if (!d.ok()) {
                    continue;
                }
                try (var storage = d.storage()) {
                    return readIndex(storage, b, prev.get().backupId());
                } catch (IOException | RuntimeException e) {
                    last = e;
                }
            }
            Log.infof("Backup %s: the previous backup %s's filestore index could not be read (%s); every file is"
                    + " read", b.id, prev.get().backupId(), last == null ? "no destination holds it" : message(last));
        } catch (RuntimeException e) {
            Log.infof("Backup %s: the previous filestore index could not be found (%s); every file is read", b.id,
                    message(e));
        }
        return Map.of();
    }

    private Map<String, FilestoreIndex.Entry> readIndex(io.ocore.backups.platform.storage.BackupStorage storage,
            Backup b, UUID previousId) throws IOException {
        return catalogue.readBackupIndex(storage, b.orgId, b.environmentId, previousId);
    }

    private static String componentKey(Backup b, ComponentName name) {
        return BackupLayout.componentKey(b.orgId, b.environmentId, b.id, name);
    }

    /** A component running on its own thread. */
    private record Background(FutureTask<Piece> task, Thread thread) {
        static Background start(String name, java.util.concurrent.Callable<Piece> work) {
            FutureTask<Piece> task = new FutureTask<>(work);
            return new Background(task, Thread.ofPlatform().daemon().name(name).start(task));
        }
    }

    /** Interrupts the component's thread and waits for it to end: after a run nothing of it writes on. */
    private static void stop(Background bg) {
        if (bg == null) {
            return;
        }
        bg.task().cancel(true);
        boolean interrupted = Thread.interrupted();
        try {
            if (!bg.thread().join(java.time.Duration.ofSeconds(60))) {
                Log.warnf("Thread %s did not stop within 60 s", bg.thread().getName());
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static <T> T await(FutureTask<T> task) throws Exception {
        try {
            return task.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw new IOException(message(e.getCause()), e.getCause());
        }
    }

    /**
     * Streams one component to {@code to} at once; drops (in {@code targets}) each that failed.
     * Answers null when none of {@code to} holds it.
     */
    private Piece component(Backup b, ComponentName name, String objectKey, String layout,
            ComponentWriter.RawProducer producer, ComponentWriter writer, EnvelopeCipher.StreamingKey key,
            List<Target> to, Targets targets, Progress progress, LongConsumer rawProgress) throws IOException {
        Map<String, ComponentWriter.Sink> sinks = new LinkedHashMap<>();
        for (Target t : to) {
            sinks.put(t.id().toString(), in -> t.storage().put(objectKey, in));
        }
        beforeComponent.accept(name);
        progress.job.checkLease(); // before every component's upload starts
        ComponentWriter.Result r = writer.write(producer, key.aead(), BackupKeys.associatedData(b.id, name), sinks,
                rawProgress);
        boolean any = false;
        for (Target t : to) {
            Throwable f = r.failures().get(t.id().toString());
            if (f != null) {
                drop(b, t, f, targets);
            } else {
                any = true;
            }
        }
        if (!any) {
            return null;
        }
        return new Piece(new BackupManifest.Component(name.name(), objectKey, r.storedBytes(), r.rawBytes(),
                r.sha256(), BackupManifest.COMPRESSION_ZSTD, new BackupManifest.Encryption(
                        BackupManifest.ENCRYPTION_SCHEME, key.masterKeyId(), key.wrappedKey()), layout),
                List.of(), null, 0);
    }

    private void drop(Backup b, Target t, Throwable f, Targets targets) {
        String kind = f instanceof StorageException se ? se.kind().name() : "PERMANENT";
        String reason = message(f);
        if (targets.drop(t, kind, reason)) {
            Log.warnf("Backup %s: destination %s (%s) failed: %s", b.id, t.id(), t.name(), reason);
        }
    }

    /** Removes this backup from the destinations dropped so far and closes them. */
    private void cleanDropped(Backup b, Targets targets) {
        for (Target t : targets.takeDropped()) {
            cleanup(b, t);
            t.storage().close();
        }
    }

    /** Removes what a failed destination may hold of this backup (best effort: it may be unreachable). */
    private void cleanup(Backup b, Target t) {
        try {
            t.storage().deletePrefix(BackupLayout.backupDir(b.orgId, b.environmentId, b.id));
        } catch (RuntimeException e) {
            Log.debugf("Could not clean backup %s from destination %s: %s", b.id, t.id(), e.getMessage());
        }
    }

    private void fail(Backup b, Targets targets, Map<String, String> checksums, String reason) {
        Map<UUID, FailedDestination> failed = targets.failed();
        Map<UUID, String[]> info = targets.info();
        store.finish(Job.current().orElseThrow().lease(), new BackupStore.Outcome(BackupStatus.failed, null, checksums,
                Map.of(), List.copyOf(failed.values()), reason), null, row -> {
                    List<OcoreEvent> events = new ArrayList<>(destinationEvents(row, failed, info));
                    events.add(new Events.BackupFailed(row.orgId, row.environmentId, row.id, row.backupType.name(),
                            row.trigger.name(), row.idempotencyKey, reason, row.completedAt));
                    return events;
                });
    }

    private static List<OcoreEvent> destinationEvents(Backup row, Map<UUID, FailedDestination> failed,
            Map<UUID, String[]> info) {
        List<OcoreEvent> events = new ArrayList<>();
        failed.forEach((id, f) -> events.add(new Events.DestinationFailed(row.orgId, id, info.get(id)[0],
                info.get(id)[1], f.reason(), row.environmentId, row.id, row.completedAt)));
        return events;
    }

    private void enter(Progress progress, Phase phase) {
        progress.phase.set(phase);
        if (phase == crashAt) {
            throw new SimulatedCrash();
        }
    }

    private Map<String, byte[]> configFiles(Environment env, SourceInfo source) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        Path conf = confinement.confine(Area.CONFIG, Path.of(env.configPath));
        if (Files.isRegularFile(conf, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            files.put("odoo.conf", Files.readAllBytes(conf));
        } else {
            Log.warnf("Environment %s: config %s does not exist; the config component holds the metadata only", env.id,
                    env.configPath);
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("environmentId", env.id);
        meta.put("orgId", env.orgId);
        meta.put("projectId", env.projectId);
        meta.put("name", env.name);
        meta.put("environmentType", env.environmentType.name());
        meta.put("database", Map.of("host", env.dbHost, "port", env.dbPort, "name", env.dbName, "user", env.dbUser));
        meta.put("filestorePath", env.filestorePath);
        meta.put("configPath", env.configPath);
        meta.put("postgresVersion", source.postgresVersion());
        if (source.odooVersion() != null) {
            meta.put("odooVersion", source.odooVersion());
        }
        meta.put("capturedAt", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        files.put("environment.json", mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
        return files;
    }

    /** {@code out}, calling {@code first} once before its first byte is written. */
    static java.io.OutputStream firstByte(java.io.OutputStream out, Runnable first) {
        return new java.io.FilterOutputStream(out) {
            boolean seen;

            @Override
            public void write(int b) throws IOException {
                mark();
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len > 0) {
                    mark();
                }
                out.write(b, off, len);
            }

            private void mark() {
                if (!seen) {
                    seen = true;
                    first.run();
                }
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    private static String reasons(Map<UUID, FailedDestination> failed) {
        return failed.values().stream().map(f -> f.destinationId() + ": " + f.reason())
                .reduce((x, y) -> x + "; " + y).orElse("none configured");
    }

    static String message(Throwable t) {
        Throwable c = t;
        while (c.getMessage() == null && c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }
}
