package io.ocore.backups.backup.execution;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ocore.backups.backup.backup.Backup;
import io.ocore.backups.backup.backup.BackupStatus;
import io.ocore.backups.backup.backup.BackupType;
import io.ocore.backups.backup.backup.FailedDestination;
import io.ocore.backups.backup.backup.Phase;
import io.ocore.backups.backup.config.BackupConfig;
import io.ocore.backups.backup.environment.Environment;
import io.ocore.backups.backup.environment.EnvironmentService;
import io.ocore.backups.platform.backupformat.BackupKeys;
import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.backupformat.BackupManifest;
import io.ocore.backups.platform.backupformat.ComponentName;
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
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
    private final EnvironmentConfinement confinement;

    public BackupExecution(BackupStore store, Destinations destinations, EnvironmentService environments,
            EnvelopeCipher cipher, ObjectMapper mapper, BackupConfig config, EnvironmentConfinement confinement) {
        this.confinement = confinement;
        this.store = store;
        this.destinations = destinations;
        this.environments = environments;
        this.cipher = cipher;
        this.mapper = mapper;
        this.config = config;
        this.pgDump = new PgDump(config.pgBin(), config.lockWaitTimeout());
    }

    private record Target(UUID id, String name, io.ocore.backups.platform.storage.BackupStorage storage) {
    }

    public void run(UUID backupId, Progress progress) {
        BackupStore.Loaded loaded = store.load(backupId);
        Backup b = loaded.backup();
        Environment env = loaded.environment();
        Log.infof("Backup %s (%s, %s) of environment %s starts", b.id, b.backupType, b.trigger, env.id);
        List<Target> alive = new ArrayList<>();
        Map<UUID, FailedDestination> failed = new LinkedHashMap<>();
        Map<UUID, String[]> failedInfo = new LinkedHashMap<>(); // id -> {name, kind}
        Map<String, String> checksums = new LinkedHashMap<>();
        checksums.put("database", null);
        checksums.put("filestore", null);
        checksums.put("config", null);
        List<String> notes = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            if (b.backupType == BackupType.full) {
                // before anything is opened or written: a path that left its roots fails the backup untouched
                confinement.confine(Area.FILESTORE, Path.of(env.filestorePath));
                confinement.confine(Area.CONFIG, Path.of(env.configPath));
            }
            for (UUID id : b.destinations()) {
                Destinations.Opened d = destinations.open(b.orgId, id);
                if (d.ok()) {
                    alive.add(new Target(id, d.name(), d.storage()));
                } else {
                    failed.put(id, new FailedDestination(id, d.failure()));
                    failedInfo.put(id, new String[] {d.name(), d.failureKind()});
                }
            }
            if (alive.isEmpty()) {
                fail(b, failed, failedInfo, checksums, "no destination could be opened: " + reasons(failed));
                return;
            }
            String password = environments.password(env);
            SourceInfo source = SourceInfo.read(env, password);
            EnvelopeCipher.StreamingKey key = BackupKeys.newKey(cipher, b.id);
            ComponentWriter writer = new ComponentWriter(config.chunkBytes(), config.queueChunks(),
                    config.uploadStallAfter());
            List<BackupManifest.Component> components = new ArrayList<>();
            long total = 0;

            enter(progress, Phase.dumping_database);
            total += component(b, ComponentName.database, pgDump.producer(env, password), writer, key, alive, failed,
                    failedInfo, components, checksums, progress);
            if (b.backupType == BackupType.full && !alive.isEmpty()) {
                Path filestore = confinement.confine(Area.FILESTORE, Path.of(env.filestorePath));
                if (!Files.isDirectory(filestore, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException("the filestore directory " + env.filestorePath + " does not exist");
                }
                enter(progress, Phase.archiving_filestore);
                TarArchives.ReadHook hook = filestoreHook;
                total += component(b, ComponentName.filestore, out -> {
                    // Odoo keeps working during the backup: its garbage collection deletes files, a file may change
                    TarArchives.DirectoryArchive archive = TarArchives.writeDirectory(filestore, out, hook);
                    notes.clear();
                    archive.notes().forEach(n -> notes.add("filestore " + n));
                }, writer, key, alive, failed, failedInfo, components, checksums, progress);
                notes.forEach(n -> Log.infof("Backup %s: %s", b.id, n));
                if (!alive.isEmpty()) {
                    enter(progress, Phase.archiving_config);
                    Map<String, byte[]> files = configFiles(env, source);
                    total += component(b, ComponentName.config, out -> TarArchives.writeFiles(files, out), writer, key,
                            alive, failed, failedInfo, components, checksums, progress);
                }
            }
            if (alive.isEmpty()) {
                fail(b, failed, failedInfo, checksums, "every destination failed: " + reasons(failed));
                return;
            }

            enter(progress, Phase.writing_manifest);
            byte[] manifest = new BackupManifest(BackupManifest.FORMAT_VERSION_TAR, b.id, b.environmentId, b.orgId,
                    b.backupType.name(), b.createdAt, source.postgresVersion(), source.odooVersion(), components)
                    .toJson();
            String manifestKey = BackupLayout.manifestKey(b.orgId, b.environmentId, b.id);
            progress.job.checkLease(); // a worker that lost its lease never completes someone else's backup
            for (Target t : List.copyOf(alive)) {
                try {
                    t.storage().put(manifestKey, new java.io.ByteArrayInputStream(manifest));
                } catch (RuntimeException e) {
                    drop(b, t, e, alive, failed, failedInfo);
                }
            }
            if (alive.isEmpty()) {
                fail(b, failed, failedInfo, checksums, "every destination failed: " + reasons(failed));
                return;
            }
            Map<UUID, String> remotePaths = new LinkedHashMap<>();
            String dir = BackupLayout.backupDir(b.orgId, b.environmentId, b.id);
            alive.forEach(t -> remotePaths.put(t.id(), dir));
            long size = total;
            store.finish(progress.job.lease(), new BackupStore.Outcome(BackupStatus.completed, size, checksums,
                    remotePaths, List.copyOf(failed.values()), null, List.copyOf(notes)), row -> {
                        List<OcoreEvent> events = new ArrayList<>(destinationEvents(row, failed, failedInfo));
                        events.add(new Events.BackupCompleted(row.orgId, row.environmentId, row.id,
                                row.backupType.name(), row.trigger.name(), row.idempotencyKey, size, row.startedAt,
                                row.completedAt, remotePaths, List.copyOf(failed.keySet())));
                        return events;
                    });
            Log.infof("Backup %s completed: %d bytes on %d destination(s), %d failed", b.id, size, alive.size(),
                    failed.size());
        } catch (SimulatedCrash crash) {
            Log.warnf("Backup %s: simulated crash in phase %s", b.id, progress.phase.get());
            throw crash;
        } catch (Exception e) {
            if (progress.job.leaseLost()) {
                // another instance took it over: it cleans up; this worker writes nothing more
                throw new LeaseLostException(progress.job.lease());
            }
            // The source (database, filestore) or the pipeline failed: no destination holds a usable copy.
            Log.warnf("Backup %s failed: %s", b.id, message(e));
            // users read the reason: no host name, address or port of the environment's server in it
            String reason = progress.job.stopReason() != null ? progress.job.stopReason()
                    : e instanceof InterruptedIOException || Thread.currentThread().isInterrupted()
                    ? BackupExecutionReasons.INTERRUPTED
                    : PgErrors.hideServer(message(e), env.dbHost, env.dbPort);
            Thread.interrupted(); // a stopped job still records its failure
            alive.forEach(t -> cleanup(b, t));
            alive.clear();
            fail(b, failed, failedInfo, checksums, reason);
        } finally {
            alive.forEach(t -> t.storage().close());
        }
    }

    private long component(Backup b, ComponentName name, ComponentWriter.RawProducer producer, ComponentWriter writer,
            EnvelopeCipher.StreamingKey key, List<Target> alive, Map<UUID, FailedDestination> failed,
            Map<UUID, String[]> failedInfo, List<BackupManifest.Component> components, Map<String, String> checksums,
            Progress progress) throws IOException {
        String objectKey = BackupLayout.componentKey(b.orgId, b.environmentId, b.id, name);
        Map<String, ComponentWriter.Sink> sinks = new LinkedHashMap<>();
        for (Target t : alive) {
            sinks.put(t.id().toString(), in -> t.storage().put(objectKey, in));
        }
        beforeComponent.accept(name);
        progress.job.checkLease(); // before every component's upload starts
        long before = progress.bytesDone.get();
        ComponentWriter.Result r = writer.write(producer, key.aead(), BackupKeys.associatedData(b.id, name), sinks,
                n -> progress.bytesDone.set(before + n));
        for (Target t : List.copyOf(alive)) {
            Throwable f = r.failures().get(t.id().toString());
            if (f != null) {
                drop(b, t, f, alive, failed, failedInfo);
            }
        }
        if (alive.isEmpty()) {
            return 0;
        }
        checksums.put(name.name(), r.sha256());
        components.add(new BackupManifest.Component(name.name(), objectKey, r.storedBytes(), r.rawBytes(), r.sha256(),
                BackupManifest.COMPRESSION_ZSTD, new BackupManifest.Encryption(BackupManifest.ENCRYPTION_SCHEME,
                        key.masterKeyId(), key.wrappedKey())));
        return r.storedBytes();
    }

    private void drop(Backup b, Target t, Throwable f, List<Target> alive, Map<UUID, FailedDestination> failed,
            Map<UUID, String[]> failedInfo) {
        alive.remove(t);
        String kind = f instanceof StorageException se ? se.kind().name() : "PERMANENT";
        String reason = message(f);
        Log.warnf("Backup %s: destination %s (%s) failed: %s", b.id, t.id(), t.name(), reason);
        failed.put(t.id(), new FailedDestination(t.id(), reason));
        failedInfo.put(t.id(), new String[] {t.name(), kind});
        cleanup(b, t);
        t.storage().close();
    }

    /** Removes what a failed destination may hold of this backup (best effort: it may be unreachable). */
    private void cleanup(Backup b, Target t) {
        try {
            t.storage().deletePrefix(BackupLayout.backupDir(b.orgId, b.environmentId, b.id));
        } catch (RuntimeException e) {
            Log.debugf("Could not clean backup %s from destination %s: %s", b.id, t.id(), e.getMessage());
        }
    }

    private void fail(Backup b, Map<UUID, FailedDestination> failed, Map<UUID, String[]> failedInfo,
            Map<String, String> checksums, String reason) {
        store.finish(Job.current().orElseThrow().lease(), new BackupStore.Outcome(BackupStatus.failed, null, checksums, Map.of(),
                List.copyOf(failed.values()), reason), row -> {
                    List<OcoreEvent> events = new ArrayList<>(destinationEvents(row, failed, failedInfo));
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
