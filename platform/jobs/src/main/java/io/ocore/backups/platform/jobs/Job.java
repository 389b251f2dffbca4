package io.ocore.backups.platform.jobs;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A job running in this instance: its lease, its worker thread and subprocesses, and whether the
 * runner stopped it (lease lost, stalled, over its deadline). The job's code checks
 * {@link #checkLease()} before every external write and, when it fails for any reason, asks
 * {@link #leaseLost()} (then it records nothing) and {@link #stopReason()} (then that is its
 * reason).
 */
public final class Job {

    private static final ThreadLocal<Job> CURRENT = new ThreadLocal<>();

    private final Lease lease;
    private final Predicate<Lease> holds;
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private volatile Thread thread;
    private volatile boolean leaseLost;
    private volatile String stopReason;
    private volatile boolean exclusive;
    private volatile boolean recorded;

    /** @param holds asks the database whether the lease is still held */
    public Job(Lease lease, Predicate<Lease> holds) {
        this.lease = lease;
        this.holds = holds;
    }

    public UUID id() {
        return lease.id();
    }

    public Lease lease() {
        return lease;
    }

    /** The job running on the calling thread, if any (for code that starts subprocesses). */
    public static Optional<Job> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /** Registers a subprocess of the job on the calling thread (if any): killed when the runner stops the job. */
    public static void watchCurrent(Process p) {
        Job j = CURRENT.get();
        if (j != null) {
            j.watch(p);
        }
    }

    public void watch(Process p) {
        processes.removeIf(x -> !x.isAlive());
        processes.add(p);
        if (stopReason != null || leaseLost) {
            kill(p, false);
        }
    }

    /**
     * Throws {@link LeaseLostException} unless this job still holds its lease, asked of the
     * database now (not only what the last heartbeat saw).
     */
    public void checkLease() {
        if (leaseLost) {
            throw new LeaseLostException(lease);
        }
        boolean held;
        try {
            held = holds.test(lease);
        } catch (RuntimeException e) {
            // cannot tell: writing on without knowing could overwrite another owner's work
            throw new IllegalStateException("could not check the job's lease: " + e.getMessage(), e);
        }
        if (!held) {
            markLeaseLost();
            throw new LeaseLostException(lease);
        }
    }

    /** Whether the lease was found lost: the job must write nothing more. */
    public boolean leaseLost() {
        return leaseLost;
    }

    /** Why the runner stopped this job (a stall, its deadline), or null. */
    public String stopReason() {
        return stopReason;
    }

    /**
     * Marks the job's outcome recorded (its row is no longer in progress): the runner no longer
     * saves its progress nor stops it, so what it does after (dropping a restore's old copy) is
     * not taken for a lost lease. Called by the stores' finish on the job's own thread.
     */
    public static void outcomeRecorded() {
        Job j = CURRENT.get();
        if (j != null) {
            j.recorded = true;
        }
    }

    boolean recorded() {
        return recorded;
    }

    /** Inside a {@link JobTable#exclusive} step: its own transaction saves the heartbeat. */
    boolean inExclusive() {
        return exclusive;
    }

    void exclusive(boolean inside) {
        exclusive = inside;
    }

    void bind(Thread t) {
        thread = t;
        CURRENT.set(this);
    }

    void unbind() {
        CURRENT.remove();
        thread = null;
        processes.clear();
    }

    void markLeaseLost() {
        leaseLost = true;
        interrupt(false);
    }

    void stop(String reason) {
        if (stopReason == null) {
            stopReason = reason;
        }
        interrupt(false);
    }

    /** Interrupts the worker thread and destroys the subprocesses (forcibly when {@code force}). */
    void interrupt(boolean force) {
        for (Process p : processes) {
            kill(p, force);
        }
        Thread t = thread;
        if (t != null && !force) {
            t.interrupt();
        }
    }

    boolean hasLiveProcesses() {
        return processes.stream().anyMatch(Process::isAlive);
    }

    private static void kill(Process p, boolean force) {
        p.descendants().forEach(d -> {
            if (force) {
                d.destroyForcibly();
            } else {
                d.destroy();
            }
        });
        if (force) {
            p.destroyForcibly();
        } else {
            p.destroy();
        }
    }
}
