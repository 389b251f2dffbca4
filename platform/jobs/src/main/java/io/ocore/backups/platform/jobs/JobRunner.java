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
 * <p>Fencing and liveness (docs/adr/0012-job-leases.md): a claimed job carries a {@link Lease};
 * when saving its progress finds the lease lost, the job is stopped at once (its thread
 * interrupted, its subprocesses killed) and must write nothing more. A job whose bytes and
 * activity have not moved for {@code stallAfter}, or that runs longer than {@code maxDuration},
 * is stopped the same way with a {@link Job#stopReason()} it records as its failure.
 *
 * @param <P> a running job's progress, shared between its worker thread and the ticker
 */
public final class JobRunner<P> {

    /** A service's jobs. Every method is called on a thread of this runner and may block. */
    public interface Jobs<P> {

        /** Claims the next pending job for this node; answers its lease, or null when none is pending. */
        Lease claimNext(String node);

        /** Whether the lease is still held (asked of the database). */
        boolean holds(Lease lease);

        /** The progress holder of a job about to run. */
        P progressOf(Job job);

        /**
         * Runs the job to its end, recording its outcome, unless {@link Job#leaseLost()}. A
         * {@link SimulatedCrash} (tests only) leaves it as a killed process would.
         */
        void run(Job job, P progress);

        /** Saves a running job's progress and heartbeat, conditional on its lease; false: the lease is lost. */
        boolean saveProgress(Job job, P progress);

        /** The bytes the job has moved so far (read, written, uploaded); watched for stalls. */
        default long bytesOf(P progress) {
            return 0;
        }

        /**
         * What the job is doing now, as users read it after "while" ("dumping the database"); a
         * change counts as progress. Null: not watched for stalls now (e.g. waiting for another
         * job that is watched itself); the deadline still holds.
         */
        default String activityOf(P progress) {
            return "running";
        }

        /**
         * Recovers the jobs a dead worker left running (this node before a restart, or any whose
         * heartbeat is stale), except {@code runningHere}; answers how many.
         */
        int recoverInterrupted(String node, Set<UUID> runningHere);
    }

    /** Liveness limits: {@code stallAfter} without progress, {@code maxDuration} overall. */
    public record Limits(Duration stallAfter, Duration maxDuration) {
        public static final Limits DEFAULT = new Limits(Duration.ofMinutes(10), Duration.ofHours(12));
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

    /** Grace between destroying a stopped job's subprocesses and destroying them forcibly. */
    static final Duration KILL_GRACE = Duration.ofSeconds(5);

    private final class Running {
        final Job job;
        final P progress;
        final long startedAt = System.nanoTime();
        long lastMoved = startedAt;
        long lastBytes;
        String lastActivity;

        Running(Job job, P progress) {
            this.job = job;
            this.progress = progress;
        }
    }

    private final Logger log;
    private final String kind;
    private final String node;
    private final int maxConcurrent;
    private final Duration progressInterval;
    private final Limits limits;
    private final Jobs<P> jobs;
    private final ExecutorService runners;
    private final ExecutorService dispatcher;
    private final ScheduledExecutorService ticker;
    private final Map<UUID, Running> running = new ConcurrentHashMap<>();
    private final AtomicBoolean dispatchQueued = new AtomicBoolean();
    private volatile boolean stopping;

    public JobRunner(String kind, String node, int maxConcurrent, Duration progressInterval, Jobs<P> jobs) {
        this(kind, node, maxConcurrent, progressInterval, Limits.DEFAULT, jobs);
    }

    /**
     * @param kind what a job is, for thread names and logs ("backup", "restore")
     * @param node this instance's name in claims; blank: the host name
     */
    public JobRunner(String kind, String node, int maxConcurrent, Duration progressInterval, Limits limits,
            Jobs<P> jobs) {
        this.log = Logger.getLogger(JobRunner.class.getName() + "." + kind);
        this.kind = kind;
        this.node = node == null || node.isBlank() ? hostName(kind) : node;
        this.maxConcurrent = maxConcurrent;
        this.progressInterval = progressInterval;
        this.limits = limits;
        this.jobs = jobs;
        this.runners = Executors.newFixedThreadPool(maxConcurrent, Thread.ofPlatform().daemon().name(kind + "-run-", 1).factory());
        this.dispatcher = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name(kind + "-dispatch").factory());
        this.ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name(kind + "-progress").factory());
    }

    /** Starts saving progress, recovers what a previous run of this node left, then dispatches. */
    public void start() {
        long every = progressInterval.toMillis();
        ticker.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
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

    /** Saves progress and watches liveness now (what the ticker does every progress interval). */
    public void tick() {
        long now = System.nanoTime();
        for (Running r : running.values()) {
            if (r.job.recorded()) {
                continue; // its outcome is recorded; it only tidies up now
            }
            try {
                // inside an exclusive step the row is locked by the job itself, whose commit saves the heartbeat
                if (!r.job.inExclusive() && !jobs.saveProgress(r.job, r.progress)) {
                    log.warnf("%s %s: the lease of %s at generation %d is lost (another instance took it over);"
                            + " stopping it, nothing more is recorded", kind, r.job.id(), r.job.lease().owner(),
                            r.job.lease().generation());
                    stopNow(r, null);
                    continue;
                }
            } catch (RuntimeException e) {
                // e.g. the database is away: the job goes on; its writes check the lease themselves
                log.debugf("Could not save the progress of a %s: %s", kind, e.getMessage());
            }
            try {
                watch(r, now);
            } catch (RuntimeException e) {
                log.debugf("Could not watch a %s: %s", kind, e.getMessage());
            }
        }
    }

    private void watch(Running r, long now) {
        if (r.job.stopReason() != null || r.job.leaseLost()) {
            return;
        }
        long bytes = jobs.bytesOf(r.progress);
        String activity = jobs.activityOf(r.progress);
        String doing = activity == null ? "waiting" : activity;
        if (now - r.startedAt > limits.maxDuration().toNanos()) {
            stopNow(r, "exceeded its maximum duration of " + human(limits.maxDuration()) + " while " + doing);
        } else if (bytes != r.lastBytes || !java.util.Objects.equals(activity, r.lastActivity)) {
            r.lastBytes = bytes;
            r.lastActivity = activity;
            r.lastMoved = now;
        } else if (activity != null && now - r.lastMoved > limits.stallAfter().toNanos()) {
            stopNow(r, "stalled: no progress for " + human(limits.stallAfter()) + " while " + doing);
        }
    }

    /** Stops a job: lease lost (reason null) or with a reason it records; kills its subprocesses. */
    private void stopNow(Running r, String reason) {
        if (reason == null) {
            r.job.markLeaseLost();
        } else {
            log.warnf("%s %s %s; stopping it", kind, r.job.id(), reason);
            r.job.stop(reason);
        }
        if (!stopping) {
            ticker.schedule(() -> {
                if (r.job.hasLiveProcesses()) {
                    r.job.interrupt(true);
                }
            }, KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void dispatch() {
        try {
            while (!stopping && running.size() < maxConcurrent) {
                Lease lease;
                try {
                    lease = jobs.claimNext(node);
                } catch (RuntimeException e) {
                    // e.g. another replica claimed a job of the same environment at the same moment
                    log.debugf("Claiming a %s failed: %s", kind, e.getMessage());
                    return;
                }
                if (lease == null) {
                    return;
                }
                Job job = new Job(lease, jobs::holds);
                P progress = jobs.progressOf(job);
                Running r = new Running(job, progress);
                r.lastBytes = jobs.bytesOf(progress);
                r.lastActivity = jobs.activityOf(progress);
                running.put(lease.id(), r);
                runners.execute(() -> runOne(r));
            }
        } catch (RuntimeException e) {
            log.warnf("%s dispatch failed: %s", kind, e.getMessage());
        }
    }

    private void runOne(Running r) {
        r.job.bind(Thread.currentThread());
        try {
            jobs.run(r.job, r.progress);
        } catch (SimulatedCrash crash) {
            // like a killed process: the row stays in_progress, nothing is recorded or undone
        } catch (LeaseLostException lost) {
            log.warnf("%s %s stopped: %s", kind, r.job.id(), lost.getMessage());
        } catch (RuntimeException e) {
            log.errorf(e, "%s %s could not be recorded", kind, r.job.id());
        } finally {
            r.job.interrupt(true); // no subprocess outlives its job
            r.job.unbind();
            Thread.interrupted(); // the pool's thread starts its next job uninterrupted
            running.remove(r.job.id());
            kick();
        }
    }

    /** "10m", "12h", "90s", "500ms". */
    public static String human(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    private static String hostName(String kind) {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return kind + "-service";
        }
    }
}
