package io.ocore.backups.backup.execution;

import io.ocore.backups.backup.backup.Backup;
import io.ocore.backups.backup.backup.BackupStatus;
import io.ocore.backups.backup.config.BackupConfig;
import io.ocore.backups.platform.events.v1.Events;
import io.ocore.backups.backup.backup.Phase;
import io.ocore.backups.platform.jobs.Job;
import io.ocore.backups.platform.jobs.JobRunner;
import io.ocore.backups.platform.jobs.Lease;
import io.ocore.backups.platform.jobs.LeaseLostException;
import io.ocore.backups.platform.events.TraceContexts;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
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
    private final Tracer tracer;

    public BackupWorker(BackupStore store, BackupExecution execution, BackupPurger purger, BackupConfig config,
            Tracer tracer) {
        this.store = store;
        this.execution = execution;
        this.purger = purger;
        this.config = config;
        this.tracer = tracer;
        this.runner = new JobRunner<>("backup", config.nodeName().orElse(null), config.maxConcurrent(),
                config.progressInterval(), new JobRunner.Limits(config.stallAfter(), config.maxDuration()), this);
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
    public BackupExecution.Progress progressOf(Job job) {
        return new BackupExecution.Progress(job);
    }

    /**
     * Runs the backup in a span of its own ({@code backup run}) that continues the trace of the
     * request or event that asked for it (the row's trace context), so its events, published by the
     * outbox, belong to that trace too (docs/operations.md "Traces").
     */
    @Override
    public void run(Job job, BackupExecution.Progress progress) {
        Backup b = store.backup(job.id());
        Span span = tracer.spanBuilder("backup run")
                .setParent(TraceContexts.restore(b == null ? null : b.traceParent, b == null ? null : b.traceState))
                .setSpanKind(SpanKind.INTERNAL)
                .setAttribute("ocore.backup.id", job.id().toString())
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            execution.run(job.id(), progress);
        } catch (RuntimeException | Error e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            span.end();
        }
    }

    @Override
    public boolean saveProgress(Job job, BackupExecution.Progress p) {
        return store.progress(job.lease(), p.phase.get(), p.bytesDone.get());
    }

    @Override
    public long bytesOf(BackupExecution.Progress p) {
        return p.bytesDone.get();
    }

    @Override
    public String activityOf(BackupExecution.Progress p) {
        Phase phase = p.phase.get();
        return phase == null ? "starting" : switch (phase) {
            case dumping_database -> "dumping the database";
            case archiving_filestore -> "archiving the filestore";
            case archiving_config -> "archiving the config";
            case taking_base -> "taking the PITR base (pg_basebackup)";
            case writing_manifest -> "writing the manifest";
        };
    }

    /**
     * Fails the backups a dead worker left in_progress (this instance before a restart, or any
     * with a stale heartbeat) and deletes their partial objects from every destination, so that a
     * backup directory without a manifest never lingers. Each is taken over first (its generation
     * bumped), so that a worker still alive somewhere writes nothing more of it.
     */
    @Override
    public int recoverInterrupted(String node, Set<UUID> runningHere) {
        int n = 0;
        for (Lease seen : store.stale(node, config.staleAfter(), runningHere)) {
            UUID id = seen.id();
            try {
                Lease lease = store.takeOver(seen, node);
                if (lease == null) {
                    continue; // finished or taken over by another instance meanwhile
                }
                Backup b = store.backup(id);
                Map<UUID, String> leftovers = purger.purge(b);
                String reason = BackupExecutionReasons.INTERRUPTED
                        + (leftovers.isEmpty() ? "" : "; partial objects could not be removed from " + leftovers.keySet());
                store.finish(lease, new BackupStore.Outcome(BackupStatus.failed, null, b.checksumMap(), Map.of(),
                        b.failedDestinationList(), reason), row -> List.of(new Events.BackupFailed(row.orgId,
                                row.environmentId, row.id, row.backupType.name(), row.trigger.name(),
                                row.idempotencyKey, reason, row.completedAt)));
                Log.warnf("Backup %s was interrupted (claimed by %s at generation %d); marked failed and its partial"
                        + " objects removed", id, seen.owner(), seen.generation());
                n++;
            } catch (RuntimeException | LeaseLostException e) {
                Log.warnf("Could not recover interrupted backup %s: %s", id, e.getMessage());
            }
        }
        return n;
    }
}
