package io.ocore.backups.restore.execution;

import io.ocore.backups.restore.config.RestoreConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs pending restores on worker threads (never the event loop): claims them with
 * {@code FOR UPDATE SKIP LOCKED}, at most {@code ocore.restore.max-concurrent} at once; saves
 * progress and heartbeat every {@code progress-interval}; at start, fails the restores a previous
 * run left in_progress after undoing their work, and finishes the cleanup of completed ones.
 */
@ApplicationScoped
public class RestoreWorker {

    private final RestoreStore store;
    private final RestoreExecution execution;
    private final RestoreConfig config;
    private final String node;
    private final ExecutorService runners;
    private final ExecutorService dispatcher;
    private final ScheduledExecutorService ticker;
    private final Map<UUID, Progress> running = new ConcurrentHashMap<>();
    private final AtomicBoolean dispatchQueued = new AtomicBoolean();
    private volatile boolean stopping;

    public RestoreWorker(RestoreStore store, RestoreExecution execution, RestoreConfig config) {
        this.store = store;
        this.execution = execution;
        this.config = config;
        this.node = config.nodeName().orElseGet(RestoreWorker::hostName);
        this.runners = Executors.newFixedThreadPool(config.maxConcurrent(),
                Thread.ofPlatform().daemon().name("restore-run-", 1).factory());
        this.dispatcher = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("restore-dispatch").factory());
        this.ticker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("restore-progress").factory());
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

    /** Wakes the dispatcher (a restore was requested). */
    public void kick() {
        if (!stopping && dispatchQueued.compareAndSet(false, true)) {
            dispatcher.execute(() -> {
                dispatchQueued.set(false);
                dispatch();
            });
        }
    }

    @Scheduled(every = "${ocore.restore.poll-interval:2s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void poll() {
        kick();
    }

    @Scheduled(every = "${ocore.restore.stale-check-interval:30s}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void staleCheck() {
        if (!stopping) {
            dispatcher.execute(this::recoverInterrupted);
        }
    }

    /** Ids of the restores running in this instance now. */
    public java.util.Set<UUID> runningHere() {
        return java.util.Set.copyOf(running.keySet());
    }

    private void dispatch() {
        try {
            while (!stopping && running.size() < config.maxConcurrent()) {
                UUID id = store.claimNext(node);
                if (id == null) {
                    return;
                }
                Progress progress = new Progress(id);
                running.put(id, progress);
                runners.execute(() -> runOne(id, progress));
            }
        } catch (RuntimeException e) {
            Log.warnf("Restore dispatch failed: %s", e.getMessage());
        }
    }

    private void runOne(UUID id, Progress progress) {
        try {
            execution.run(id, progress);
        } catch (FaultInjector.SimulatedCrash crash) {
            // like a killed process: the row stays in_progress, nothing is undone
        } catch (RuntimeException e) {
            Log.errorf(e, "Restore %s could not be recorded", id);
        } finally {
            running.remove(id);
            kick();
        }
    }

    private void saveProgress() {
        for (Progress p : running.values()) {
            try {
                store.progress(p.restoreId, p.step, p.percent(), p.bytesDone.get(), p.bytesTotal);
            } catch (RuntimeException e) {
                Log.debugf("Could not save the progress of restore %s: %s", p.restoreId, e.getMessage());
            }
        }
    }

    /**
     * Restores a dead worker left in_progress (this instance before a restart, or any with a stale
     * heartbeat): their work is undone (the target stays as it was) and they fail with
     * "interrupted: the restore service stopped during <step>". Also drops what completed
     * restores left to clean up.
     */
    public int recoverInterrupted() {
        int n = 0;
        try {
            List<UUID> ids = store.interrupted(node, config.staleAfter(), running.keySet());
            for (UUID id : ids) {
                try {
                    execution.recover(id);
                    Log.warnf("Restore %s was interrupted; its work was undone and it is marked failed", id);
                    n++;
                } catch (RuntimeException e) {
                    Log.warnf("Could not recover interrupted restore %s: %s", id, e.getMessage());
                }
            }
            for (UUID id : store.cleanupPending()) {
                execution.cleanup(id);
            }
        } catch (RuntimeException e) {
            Log.warnf("Could not look for interrupted restores: %s", e.getMessage());
        }
        return n;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "restore-service";
        }
    }
}
