package io.ocore.backups.platform.jobs;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Runs claimed jobs (backups, restores) on worker threads, never on an event loop. One dispatcher
 * thread claims jobs while fewer than {@code maxConcurrent} run here; each runs on its own worker
 * thread; a ticker saves every running job's progress (and so its heartbeat) every
 * {@code progressInterval}; at start, and whenever asked, the jobs a dead worker left running are
 * recovered before new ones are claimed. What a job is, how it is claimed, run, saved and
 * recovered is the service's ({@link Jobs}).
 *
 * @param <P> a running job's progress, shared between its worker thread and the ticker
 */
public final class JobRunner<P> {

    /** A service's jobs. Every method is called on a thread of this runner and may block. */
    public interface Jobs<P> {

        /** Claims the next pending job for this node; answers its id, or null when none is pending. */
        UUID claimNext(String node);

        /** The progress holder of a job about to run. */
        P progressOf(UUID id);

        /**
         * Runs the job to its end, recording its outcome. A {@link SimulatedCrash} (tests only)
         * leaves it as a killed process would.
         */
        void run(UUID id, P progress);

        /** Saves a running job's progress and heartbeat. */
        void saveProgress(P progress);

        /**
         * Recovers the jobs a dead worker left running (this node before a restart, or any whose
         * heartbeat is stale), except {@code runningHere}; answers how many.
         */
        int recoverInterrupted(String node, Set<UUID> runningHere);
    }

    /**
     * Thrown by a job (tests only) to stop as a killed process would: nothing recorded, nothing
     * undone. An Error, so that no {@code catch (RuntimeException)} on the way records a failure.
     */
    public static class SimulatedCrash extends Error {
        protected SimulatedCrash(String message) {
            super(message, null, false, false);
        }
    }

    private final Logger log;
    private final String kind;
    private final String node;
    private final int maxConcurrent;
    private final Duration progressInterval;
    private final Jobs<P> jobs;
    private final ExecutorService runners;
    private final ExecutorService dispatcher;
    private final ScheduledExecutorService ticker;
    private final Map<UUID, P> running = new ConcurrentHashMap<>();
    private final AtomicBoolean dispatchQueued = new AtomicBoolean();
    private volatile boolean stopping;

    /**
     * @param kind what a job is, for thread names and logs ("backup", "restore")
     * @param node this instance's name in claims; blank: the host name
     */
    public JobRunner(String kind, String node, int maxConcurrent, Duration progressInterval, Jobs<P> jobs) {
        this.log = Logger.getLogger(JobRunner.class.getName() + "." + kind);
        this.kind = kind;
        this.node = node == null || node.isBlank() ? hostName(kind) : node;
        this.maxConcurrent = maxConcurrent;
        this.progressInterval = progressInterval;
        this.jobs = jobs;
        this.runners = Executors.newFixedThreadPool(maxConcurrent, Thread.ofPlatform().daemon().name(kind + "-run-", 1).factory());
        this.dispatcher = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name(kind + "-dispatch").factory());
        this.ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name(kind + "-progress").factory());
    }

    /** Starts saving progress, recovers what a previous run of this node left, then dispatches. */
    public void start() {
        long every = progressInterval.toMillis();
        ticker.scheduleWithFixedDelay(this::saveProgress, every, every, TimeUnit.MILLISECONDS);
        dispatcher.execute(() -> {
            recoverInterrupted();
            dispatch();
        });
    }

    /** Stops claiming and interrupts the running jobs' threads. */
    public void stop() {
        stopping = true;
        ticker.shutdownNow();
        dispatcher.shutdownNow();
        runners.shutdownNow();
    }

    public String node() {
        return node;
    }

    /** Wakes the dispatcher: a job was requested, or one finished. Coalesces while one is queued. */
    public void kick() {
        if (!stopping && dispatchQueued.compareAndSet(false, true)) {
            dispatcher.execute(() -> {
                dispatchQueued.set(false);
                dispatch();
            });
        }
    }

    /** Queues a recovery of other instances' dead jobs on the dispatcher (not two at once with a claim). */
    public void recoverLater() {
        if (!stopping) {
            dispatcher.execute(this::recoverInterrupted);
        }
    }

    /** Recovers interrupted jobs now, on the caller's thread; answers how many. */
    public int recoverInterrupted() {
        try {
            return jobs.recoverInterrupted(node, Set.copyOf(running.keySet()));
        } catch (RuntimeException e) {
            log.warnf("Could not look for interrupted %ss: %s", kind, e.getMessage());
            return 0;
        }
    }

    /** Ids of the jobs running in this instance now. */
    public Set<UUID> runningHere() {
        return Set.copyOf(running.keySet());
    }

    private void dispatch() {
        try {
            while (!stopping && running.size() < maxConcurrent) {
                UUID id;
                try {
                    id = jobs.claimNext(node);
                } catch (RuntimeException e) {
                    // e.g. another replica claimed a job of the same environment at the same moment
                    log.debugf("Claiming a %s failed: %s", kind, e.getMessage());
                    return;
                }
                if (id == null) {
                    return;
                }
                P progress = jobs.progressOf(id);
                running.put(id, progress);
                runners.execute(() -> runOne(id, progress));
            }
        } catch (RuntimeException e) {
            log.warnf("%s dispatch failed: %s", kind, e.getMessage());
        }
    }

    private void runOne(UUID id, P progress) {
        try {
            jobs.run(id, progress);
        } catch (SimulatedCrash crash) {
            // like a killed process: the row stays in_progress, nothing is recorded or undone
        } catch (RuntimeException e) {
            log.errorf(e, "%s %s could not be recorded", kind, id);
        } finally {
            running.remove(id);
            kick();
        }
    }

    private void saveProgress() {
        for (P p : running.values()) {
            try {
                jobs.saveProgress(p);
            } catch (RuntimeException e) {
                log.debugf("Could not save the progress of a %s: %s", kind, e.getMessage());
            }
        }
    }

    private static String hostName(String kind) {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return kind + "-service";
        }
    }
}
