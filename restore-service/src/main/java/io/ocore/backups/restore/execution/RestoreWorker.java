package io.ocore.backups.restore.execution;

import io.ocore.backups.platform.jobs.Job;
import io.ocore.backups.platform.jobs.JobRunner;
import io.ocore.backups.platform.jobs.Lease;
import io.ocore.backups.platform.jobs.LeaseLostException;
import io.ocore.backups.restore.config.RestoreConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Set;
import java.util.UUID;

/**
 * Runs pending restores (platform-jobs' {@link JobRunner}) on worker threads, never the event
 * loop: claims them with {@code FOR UPDATE SKIP LOCKED}, at most {@code ocore.restore.max-concurrent}
 * at once; saves progress and heartbeat every {@code progress-interval}; at start, fails the
 * restores a previous run left in_progress after undoing their work, and finishes the cleanup of
 * completed ones.
 */
@ApplicationScoped
public class RestoreWorker implements JobRunner.Jobs<Progress> {

    private final RestoreStore store;
    private final RestoreExecution execution;
    private final RestoreConfig config;
    private final JobRunner<Progress> runner;

    public RestoreWorker(RestoreStore store, RestoreExecution execution, RestoreConfig config) {
        this.store = store;
        this.execution = execution;
        this.config = config;
        this.runner = new JobRunner<>("restore", config.nodeName().orElse(null), config.maxConcurrent(),
                config.progressInterval(), new JobRunner.Limits(config.stallAfter(), config.maxDuration()), this);
    }

    void onStart(@Observes StartupEvent ev) {
        runner.start();
    }

    void onStop(@Observes ShutdownEvent ev) {
        runner.stop();
    }

    /** Wakes the dispatcher (a restore was requested). */
    public void kick() {
        runner.kick();
    }

    @Scheduled(every = "${ocore.restore.poll-interval:2s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void poll() {
        runner.kick();
    }

    @Scheduled(every = "${ocore.restore.stale-check-interval:30s}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void staleCheck() {
        runner.recoverLater();
    }

    /** Ids of the restores running in this instance now. */
    public Set<UUID> runningHere() {
        return runner.runningHere();
    }

    /** Recovers interrupted restores now (what a start does); answers how many. */
    public int recoverInterrupted() {
        return runner.recoverInterrupted();
    }

    /** Saves progress and watches liveness now (what the ticker does every progress interval). */
    public void tick() {
        runner.tick();
    }

    @Override
    public Lease claimNext(String node) {
        return store.claimNext(node);
    }

    @Override
    public boolean holds(Lease lease) {
        return store.holds(lease);
    }

    @Override
    public Progress progressOf(Job job) {
        return new Progress(job);
    }

    @Override
    public void run(Job job, Progress progress) {
        execution.run(job.id(), progress);
    }

    @Override
    public boolean saveProgress(Job job, Progress p) {
        return store.tick(job.lease(), p.step, p.percent(), p.bytesDone.get(), p.bytesTotal, p.replay);
    }

    @Override
    public long bytesOf(Progress p) {
        return p.bytesDone.get();
    }

    @Override
    public String activityOf(Progress p) {
        String step = p.step;
        if (step == null) {
            return "starting";
        }
        if (p.pgRestoreFromFile) {
            return null; // pg_restore --jobs from the archive file: no bytes move (Progress)
        }
        return switch (step) {
            case RestoreExecution.RESOLVE -> "resolving the backup";
            // waits for a backup that backup-service watches itself; bounded by snapshot-timeout
            case RestoreExecution.SNAPSHOT -> null;
            // no byte moves while the scratch server replays: bounded by the replay's deadline (max-duration)
            case RestoreExecution.REPLAY -> null;
            case RestoreExecution.DATABASE -> "restoring the database";
            case RestoreExecution.FILESTORE -> "restoring the filestore";
            case RestoreExecution.CONFIG -> "writing the config";
            case RestoreExecution.NEUTRALIZE -> "neutralizing the database";
            case RestoreExecution.SWAP -> "swapping";
            case RestoreExecution.REGISTER -> "registering the environment";
            default -> step;
        };
    }

    /**
     * Restores a dead worker left in_progress (this instance before a restart, or any with a stale
     * heartbeat): their work is undone (the target stays as it was) and they fail with
     * "interrupted: the restore service stopped during <step>". Also drops what completed
     * restores left to clean up.
     */
    @Override
    public int recoverInterrupted(String node, Set<UUID> runningHere) {
        int n = 0;
        for (Lease seen : store.stale(node, config.staleAfter(), runningHere)) {
            UUID id = seen.id();
            try {
                // the generation first: a worker still alive somewhere finds its lease lost at its next write
                Lease lease = store.takeOver(seen, node);
                if (lease == null) {
                    continue;
                }
                execution.recover(lease);
                Log.warnf("Restore %s was interrupted; its work was undone and it is marked failed", id);
                n++;
            } catch (RuntimeException | LeaseLostException e) {
                Log.warnf("Could not recover interrupted restore %s: %s", id, e.getMessage());
            }
        }
        for (UUID id : store.cleanupPending()) {
            execution.cleanup(id);
        }
        return n;
    }
}
