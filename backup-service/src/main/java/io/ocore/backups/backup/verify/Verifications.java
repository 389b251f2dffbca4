package io.ocore.backups.backup.verify;

import io.ocore.backups.backup.backup.Backup;
import io.ocore.backups.backup.backup.BackupService;
import io.ocore.backups.backup.backup.BackupStatus;
import io.ocore.backups.backup.backup.FailedDestination;
import io.ocore.backups.backup.execution.BackupWorker;
import io.ocore.backups.platform.events.OcoreEvent;
import io.ocore.backups.platform.events.v1.Events;
import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.platform.web.ProblemTypes;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Verifications of backups: started by {@code POST /api/backups/{id}/verify} (at most
 * {@code ocore.backup.verify.max-concurrent} at once, on worker threads of their own) or by the
 * {@link Scrub}; each destination the backup is on, or was meant for, is judged by the
 * {@link Verifier}; a corrupt or missing copy publishes {@link Events.BackupCorrupted} through the
 * outbox, in the transaction that records the result.
 */
@ApplicationScoped
public class Verifications {

    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";

    private static final int QUEUE = 100;

    private final VerificationStore store;
    private final Verifier verifier;
    private final BackupService backups;
    private final BackupWorker worker;
    private final ThreadPoolExecutor executor;

    public Verifications(VerificationStore store, Verifier verifier, BackupService backups, BackupWorker worker,
            @ConfigProperty(name = "ocore.backup.verify.max-concurrent", defaultValue = "2") int maxConcurrent) {
        this.store = store;
        this.verifier = verifier;
        this.backups = backups;
        this.worker = worker;
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(Math.max(1, maxConcurrent), Math.max(1, maxConcurrent), 60,
                TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
                    Thread t = new Thread(r, "verify-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.executor.allowCoreThreadTimeOut(true);
    }

    void onStart(@Observes StartupEvent ev) {
        try {
            int n = store.failLeftRunning(worker.node());
            if (n > 0) {
                Log.warnf("%d verification(s) left running by a previous run of %s marked failed", n, worker.node());
            }
        } catch (RuntimeException e) {
            Log.warnf("Could not fail the verifications left running: %s", e.getMessage());
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        executor.shutdownNow();
    }

    /** {@code POST /api/backups/{id}/verify}: 404 outside the organisation, 409 unless completed. */
    public Uni<VerificationStore.Verification> start(UUID orgId, UUID backupId) {
        return backups.get(orgId, backupId).chain(b -> {
            if (b.status != BackupStatus.completed) {
                return Uni.createFrom().failure(ProblemException.conflict("Backup " + backupId + " is " + b.status
                        + "; only a completed backup can be verified"));
            }
            return store.insert(orgId, backupId, "verify", worker.node());
        }).chain(v -> {
            try {
                executor.execute(() -> run(v.id(), v.backupId(), "verify", Verifier.Pacer.NONE));
                return Uni.createFrom().item(v);
            } catch (RejectedExecutionException e) {
                String why = "too many verifications are queued on this instance; try again later";
                return Uni.createFrom().<VerificationStore.Verification>emitter(em -> {
                    try {
                        store.finish(v.id(), v.backupId(), FAILED, Map.of(), why, List.of());
                    } catch (RuntimeException ignored) {
                        // the row stays running until a restart fails it
                    }
                    em.fail(new ProblemException(503, ProblemTypes.UNAVAILABLE, "Service Unavailable", why));
                }).runSubscriptionOn(io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool());
            }
        });
    }

    public Uni<VerificationStore.Verification> get(UUID orgId, UUID id) {
        return store.find(orgId, id).onItem().ifNull().failWith(() -> ProblemException.notFound("Verification", id));
    }

    /** Verifies {@code backupId} now, on the calling (worker) thread; answers the verification id. */
    public UUID verifyNow(UUID backupId, String trigger, Verifier.Pacer pacer) {
        Backup b = store.backup(backupId);
        if (b == null) {
            return null;
        }
        VerificationStore.Verification v = store.insertBlocking(b.orgId, b.id, trigger, worker.node());
        run(v.id(), b.id, trigger, pacer);
        return v.id();
    }

    /** Runs one verification to its end, recording the result; never throws. */
    void run(UUID verificationId, UUID backupId, String trigger, Verifier.Pacer pacer) {
        Map<String, VerificationStore.DestinationResult> results = new LinkedHashMap<>();
        List<OcoreEvent> events = new ArrayList<>();
        try {
            Backup b = store.backup(backupId);
            if (b == null || b.status != BackupStatus.completed) {
                String why = b == null ? "the backup no longer exists"
                        : "the backup is " + b.status + "; only a completed backup can be verified";
                store.finish(verificationId, backupId, FAILED, results, why, List.of());
                return;
            }
            Map<UUID, String> holding = b.remotePathMap();
            Set<UUID> all = new LinkedHashSet<>(holding.keySet());
            all.addAll(b.destinations());
            Map<UUID, String> failedAtBackup = new LinkedHashMap<>();
            for (FailedDestination f : b.failedDestinationList()) {
                failedAtBackup.put(f.destinationId(), f.reason());
            }
            for (UUID dest : all) {
                if (!holding.containsKey(dest)) {
                    // Never written (the backup failed there and recorded why): nothing to read,
                    // and it was reported when the backup ran, so no BackupCorrupted for it.
                    String why = failedAtBackup.get(dest);
                    results.put(dest.toString(), new VerificationStore.DestinationResult(Verifier.MISSING,
                            "never written: the backup failed on this destination"
                                    + (why != null ? " (" + why + ")" : "")));
                    store.progress(verificationId, results);
                    continue;
                }
                Verifier.Verdict verdict = verifier.judge(b, dest, pacer);
                results.put(dest.toString(), new VerificationStore.DestinationResult(verdict.status(),
                        verdict.detail()));
                if (verdict.bad()) {
                    Log.warnf("Backup %s: the copy on destination %s is %s: %s", b.id, dest, verdict.status(),
                            verdict.detail());
                    events.add(new Events.BackupCorrupted(b.orgId, b.environmentId, b.id, dest,
                            verdict.destinationName(), verdict.status(), verdict.detail(), trigger,
                            Instant.now().truncatedTo(ChronoUnit.MICROS)));
                } else {
                    Log.infof("Backup %s: the copy on destination %s is %s", b.id, dest, verdict.status());
                }
                store.progress(verificationId, results);
            }
            // A deletion that started meanwhile removes copies as they are read: not corruption.
            Backup now = store.backup(backupId);
            if (now == null || now.status != BackupStatus.completed) {
                store.finish(verificationId, backupId, FAILED, results, "the backup "
                        + (now == null ? "was deleted" : "became " + now.status) + " while it was verified", List.of());
                return;
            }
            store.finish(verificationId, backupId, COMPLETED, results, null, events);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finishFailed(verificationId, backupId, results, "interrupted: backup-service is stopping");
        } catch (RuntimeException e) {
            Log.warnf(e, "Verification %s of backup %s failed", verificationId, backupId);
            finishFailed(verificationId, backupId, results, "the verification could not run: " + e.getMessage());
        }
    }

    private void finishFailed(UUID id, UUID backupId, Map<String, VerificationStore.DestinationResult> results,
            String why) {
        try {
            store.finish(id, backupId, FAILED, results, why, List.of());
        } catch (RuntimeException e) {
            Log.warnf("Could not record the failure of verification %s: %s", id, e.getMessage());
        }
    }
}
