package io.ocore.backups.restore.execution;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Ties together the steps a restore runs at once (the database and the filestore): the first to
 * fail stops the others. Its failure is kept; the others' downloads are closed, their
 * pg_restore killed and the threads given to {@link #interruptOnStop} interrupted (never the
 * job's worker thread: its interrupts mean the job was stopped). The stopped steps then fail with
 * {@link Stopped}, which names the step that failed.
 */
final class Cancel {

    /** Thrown by a step stopped because another one failed. */
    static final class Stopped extends InterruptedIOException {
        Stopped(String step) {
            super("stopped: the " + step + " step failed");
        }
    }

    private final AtomicReference<Throwable> first = new AtomicReference<>();
    private volatile String failedStep;
    private final Set<Closeable> open = ConcurrentHashMap.newKeySet();
    private final Set<Process> processes = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

    /** Records {@code step}'s failure; true when it is the first, and then stops the other steps. */
    boolean fail(String step, Throwable t) {
        if (!first.compareAndSet(null, t)) {
            return false;
        }
        failedStep = step;
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Closeable c : open) {
            try {
                c.close();
            } catch (IOException | RuntimeException ignored) {
                // closing only to unblock a read
            }
        }
        threads.forEach(Thread::interrupt);
        return true;
    }

    boolean stopped() {
        return first.get() != null;
    }

    /** The first failure, null when none. */
    Throwable firstFailure() {
        return first.get();
    }

    /** The step whose failure stopped the others, null when none. */
    String failedStep() {
        return failedStep;
    }

    void check() throws Stopped {
        if (stopped()) {
            throw new Stopped(failedStep);
        }
    }

    /** A download to close when the restore is stopped; closed at once when it already is. */
    <T extends Closeable> T open(T c) throws IOException {
        open.add(c);
        if (stopped()) {
            c.close();
            throw new Stopped(failedStep);
        }
        return c;
    }

    void closed(Closeable c) {
        open.remove(c);
    }

    /** A pg_restore to kill when the restore is stopped. */
    void watch(Process p) {
        processes.removeIf(x -> !x.isAlive());
        processes.add(p);
        if (stopped()) {
            p.destroy();
        }
    }

    void interruptOnStop(Thread t) {
        threads.add(t);
        if (stopped()) {
            t.interrupt();
        }
    }
}
