package io.ocore.backups.backup.execution;

import io.ocore.backups.backup.backup.Backup;
import io.ocore.backups.backup.backup.BackupStatus;
import io.ocore.backups.backup.config.BackupConfig;
import io.ocore.backups.platform.events.v1.Events;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs pending backups: claims them one at a time (oldest first, never two of one environment),
 * at most {@code ocore.backup.max-concurrent} at once, each on its own worker thread; saves their
 * progress and heartbeat every {@code progress-interval}; at start, fails the backups a previous
 * run of this instance left in_progress and removes their partial objects.
 */
@ApplicationScoped
public class BackupWorker {

    private final BackupStore store;
    private final BackupExecution execution;
    private final BackupPurger purger;
    private final BackupConfig config;
    private final String node;
    private final ExecutorService runners;
    private final ExecutorService dispatcher;
    private final ScheduledExecutorService ticker;
    private final Map<UUID, BackupExecution.Progress> running = new ConcurrentHashMap<>();
    private final AtomicBoolean dispatchQueued = new AtomicBoolean();
    private volatile boolean stopping;

    public BackupWorker(BackupStore store, BackupExecution execution, BackupPurger purger, BackupConfig config) {
        this.store = store;
        this.execution = execution;
        this.purger = purger;
        this.config = config;
        this.node = config.nodeName().orElseGet(BackupWorker::hostName);
        this.runners = Executors.newFixedThreadPool(config.maxConcurrent(),
                Thread.ofPlatform().daemon().name("backup-run-", 1).factory());
        this.dispatcher = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("backup-dispatch").factory());
        this.ticker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("backup-progress").factory());
    }

    void onStart(@Observes StartupEvent ev) {
        long every = config.progressInterval().toMillis();
        ticker.scheduleWithFixedDelay(this::saveProgress, every, every, TimeUnit.MILLISECONDS);
        dispatcher.execute(() -> {
            recoverInterrupted();
            dispatch();
        });
    }

    void onStop(@Observes ShutdownEvent ev) {
        stopping = true;
        ticker.shutdownNow();
        dispatcher.shutdownNow();
        runners.shutdownNow();
    }

    public String node() {
        return node;
    }

    /** Wakes the dispatcher (a new backup was requested). */
    public void kick() {
        if (!stopping && dispatchQueued.compareAndSet(false, true)) {
            dispatcher.execute(() -> {
                dispatchQueued.set(false);
                dispatch();
            });
        }
    }

    @Scheduled(every = "${ocore.backup.poll-interval:2s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void poll() {
        kick();
    }

    /** Backups of workers that died elsewhere (stale heartbeat). */
    @Scheduled(every = "${ocore.backup.stale-check-interval:30s}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void staleCheck() {
        if (!stopping) {
            dispatcher.execute(this::recoverInterrupted);
        }
    }

    /** Ids of the backups running in this instance now. */
    public Set<UUID> runningHere() {
        return Set.copyOf(running.keySet());
    }

    private void dispatch() {
        try {
            while (!stopping && running.size() < config.maxConcurrent()) {
                UUID id;
                try {
                    id = store.claimNext(node);
                } catch (RuntimeException e) {
                    // e.g. another replica claimed a backup of the same environment at the same moment
                    Log.debugf("Claiming a backup failed: %s", e.getMessage());
                    return;
                }
                if (id == null) {
                    return;
                }
                BackupExecution.Progress progress = new BackupExecution.Progress(id);
                running.put(id, progress);
                runners.execute(() -> runOne(id, progress));
            }
        } catch (RuntimeException e) {
            Log.warnf("Backup dispatch failed: %s", e.getMessage());
        }
    }

    private void runOne(UUID id, BackupExecution.Progress progress) {
        progress.thread = Thread.currentThread();
        try {
            execution.run(id, progress);
        } catch (BackupExecution.SimulatedCrash crash) {
            // like a killed process: leave the row in_progress, record nothing
        } catch (RuntimeException e) {
            Log.errorf(e, "Backup %s could not be recorded", id);
        } finally {
            running.remove(id);
            kick();
        }
    }

    private void saveProgress() {
        for (BackupExecution.Progress p : running.values()) {
            try {
                store.progress(p.backupId, p.phase.get(), p.bytesDone.get());
            } catch (RuntimeException e) {
                Log.debugf("Could not save the progress of backup %s: %s", p.backupId, e.getMessage());
            }
        }
    }

    /**
     * Fails the backups a dead worker left in_progress (this instance before a restart, or any
     * with a stale heartbeat) and deletes their partial objects from every destination, so that a
     * backup directory without a manifest never lingers.
     */
    public int recoverInterrupted() {
        List<UUID> ids;
        try {
            ids = store.interrupted(node, config.staleAfter(), running.keySet());
        } catch (RuntimeException e) {
            Log.warnf("Could not look for interrupted backups: %s", e.getMessage());
            return 0;
        }
        int n = 0;
        for (UUID id : ids) {
            try {
                Backup b = store.backup(id);
                Map<UUID, String> leftovers = purger.purge(b);
                String reason = BackupExecutionReasons.INTERRUPTED
                        + (leftovers.isEmpty() ? "" : "; partial objects could not be removed from " + leftovers.keySet());
                store.finish(id, new BackupStore.Outcome(BackupStatus.failed, null, b.checksumMap(), Map.of(),
                        b.failedDestinationList(), reason), row -> List.of(new Events.BackupFailed(row.orgId,
                                row.environmentId, row.id, row.backupType.name(), row.trigger.name(),
                                row.idempotencyKey, reason, row.completedAt)));
                Log.warnf("Backup %s was interrupted (claimed by %s); marked failed and its partial objects removed",
                        id, b.claimedBy);
                n++;
            } catch (RuntimeException e) {
                Log.warnf("Could not recover interrupted backup %s: %s", id, e.getMessage());
            }
        }
        return n;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "backup-service";
        }
    }
}
