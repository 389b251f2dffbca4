package io.ocore.backups.backup.execution;

import io.ocore.backups.backup.backup.Backup;
import io.ocore.backups.backup.backup.BackupStatus;
import io.ocore.backups.backup.config.BackupConfig;
import io.ocore.backups.platform.events.v1.Events;
import io.ocore.backups.platform.jobs.JobRunner;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Runs pending backups (platform-jobs' {@link JobRunner}): claims them one at a time (oldest
 * first, never two of one environment), at most {@code ocore.backup.max-concurrent} at once, each
 * on its own worker thread; saves their progress and heartbeat every {@code progress-interval};
 * at start, fails the backups a previous run of this instance left in_progress and removes their
 * partial objects.
 */
@ApplicationScoped
public class BackupWorker implements JobRunner.Jobs<BackupExecution.Progress> {

    private final BackupStore store;
    private final BackupExecution execution;
    private final BackupPurger purger;
    private final BackupConfig config;
    private final JobRunner<BackupExecution.Progress> runner;

    public BackupWorker(BackupStore store, BackupExecution execution, BackupPurger purger, BackupConfig config) {
        this.store = store;
        this.execution = execution;
        this.purger = purger;
        this.config = config;
        this.runner = new JobRunner<>("backup", config.nodeName().orElse(null), config.maxConcurrent(),
                config.progressInterval(), this);
    }

    void onStart(@Observes StartupEvent ev) {
        runner.start();
    }

    void onStop(@Observes ShutdownEvent ev) {
        runner.stop();
    }

    public String node() {
        return runner.node();
    }

    /** Wakes the dispatcher (a new backup was requested). */
    public void kick() {
        runner.kick();
    }

    @Scheduled(every = "${ocore.backup.poll-interval:2s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void poll() {
        runner.kick();
    }

    /** Backups of workers that died elsewhere (stale heartbeat). */
    @Scheduled(every = "${ocore.backup.stale-check-interval:30s}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void staleCheck() {
        runner.recoverLater();
    }

    /** Ids of the backups running in this instance now. */
    public Set<UUID> runningHere() {
        return runner.runningHere();
    }

    /** Recovers interrupted backups now (what a start does); answers how many. */
    public int recoverInterrupted() {
        return runner.recoverInterrupted();
    }

    @Override
    public UUID claimNext(String node) {
        return store.claimNext(node);
    }

    @Override
    public BackupExecution.Progress progressOf(UUID id) {
        return new BackupExecution.Progress(id);
    }

    @Override
    public void run(UUID id, BackupExecution.Progress progress) {
        execution.run(id, progress);
    }

    @Override
    public void saveProgress(BackupExecution.Progress p) {
        store.progress(p.backupId, p.phase.get(), p.bytesDone.get());
    }

    /**
     * Fails the backups a dead worker left in_progress (this instance before a restart, or any
     * with a stale heartbeat) and deletes their partial objects from every destination, so that a
     * backup directory without a manifest never lingers.
     */
    @Override
    public int recoverInterrupted(String node, Set<UUID> runningHere) {
        int n = 0;
        for (UUID id : store.interrupted(node, config.staleAfter(), runningHere)) {
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
}
