package io.ocore.backups.backup.verify;

import io.ocore.backups.backup.execution.BackupWorker;
import io.ocore.backups.platform.backupformat.BlockFilterInputStream;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The scrub: every {@code ocore.backup.scrub.interval} it verifies, one at a time, each retained
 * completed backup whose last verification is older than {@code ocore.backup.scrub.period} (never
 * verified first, then oldest verified), reading at most {@code max-bytes-per-second} of stored
 * bytes, and waiting before each component while backups run on this instance. Replicas share the
 * work through a claim on the backup (backup_verification_state), and lastVerifiedAt survives
 * restarts. {@code ocore.backup.scrub.enabled=false} turns the schedule off.
 */
@ApplicationScoped
public class Scrub {

    /** A claim older than this is taken for abandoned (its replica died mid-scrub). */
    static final Duration CLAIM_FOR = Duration.ofHours(6);
    private static final long YIELD_POLL_MS = 500;

    private final Verifications verifications;
    private final VerificationStore store;
    private final BackupWorker worker;
    private final boolean enabled;
    private final Duration period;
    private final long maxBytesPerSecond;
    private final AtomicBoolean running = new AtomicBoolean();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "scrub");
        t.setDaemon(true);
        return t;
    });

    public Scrub(Verifications verifications, VerificationStore store, BackupWorker worker,
            @ConfigProperty(name = "ocore.backup.scrub.enabled", defaultValue = "true") boolean enabled,
            @ConfigProperty(name = "ocore.backup.scrub.period", defaultValue = "7d") Duration period,
            @ConfigProperty(name = "ocore.backup.scrub.max-bytes-per-second", defaultValue = "20971520")
            long maxBytesPerSecond) {
        this.verifications = verifications;
        this.store = store;
        this.worker = worker;
        this.enabled = enabled;
        this.period = period;
        this.maxBytesPerSecond = maxBytesPerSecond;
    }

    void onStop(@Observes ShutdownEvent ev) {
        thread.shutdownNow();
    }

    @Scheduled(every = "${ocore.backup.scrub.interval:1m}", delayed = "${ocore.backup.scrub.delay:1m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void tick() {
        if (!enabled || !running.compareAndSet(false, true)) {
            return;
        }
        thread.execute(() -> {
            try {
                runDue();
            } catch (RuntimeException e) {
                Log.warnf("Scrub round stopped: %s", e.getMessage());
            } finally {
                running.set(false);
            }
        });
    }

    /**
     * Verifies every backup due now, one at a time, on the calling thread; answers the backups it
     * verified. Waits while backups run on this instance.
     */
    public List<UUID> runDue() {
        List<UUID> done = new ArrayList<>();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                awaitNoBackupsRunning();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            UUID backupId = store.claimDue(period, CLAIM_FOR, worker.node());
            if (backupId == null || done.contains(backupId)) {
                // none due, or one that could not be verified this round (it stays due)
                break;
            }
            Log.infof("Scrub: verifying backup %s", backupId);
            verifications.verifyNow(backupId, "scrub", new Pacing(maxBytesPerSecond));
            done.add(backupId);
        }
        if (!done.isEmpty()) {
            Log.infof("Scrub: verified %d backup(s)", done.size());
        }
        return done;
    }

    private void awaitNoBackupsRunning() throws InterruptedException {
        while (!worker.runningHere().isEmpty()) {
            Thread.sleep(YIELD_POLL_MS);
        }
    }

    /** Yields to running backups before each component; at most {@code bytesPerSecond} read. */
    private final class Pacing implements Verifier.Pacer {
        private final long bytesPerSecond;

        Pacing(long bytesPerSecond) {
            this.bytesPerSecond = bytesPerSecond;
        }

        @Override
        public void beforeComponent() throws InterruptedException {
            awaitNoBackupsRunning();
        }

        @Override
        public InputStream pace(InputStream stored) {
            return bytesPerSecond <= 0 ? stored : new Throttled(stored, bytesPerSecond);
        }
    }

    /** Sleeps as needed so the bytes read stay at or under {@code bytesPerSecond} on average. */
    static final class Throttled extends BlockFilterInputStream {
        private final long bytesPerSecond;
        private final long start = System.nanoTime();
        private long total;

        Throttled(InputStream in, long bytesPerSecond) {
            super(in);
            this.bytesPerSecond = bytesPerSecond;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0; // InputStream's contract; asking for one byte here would write past the caller's range
            }
            // at most a tenth of a second's worth per read, so the pace is even
            int n = in.read(b, off, (int) Math.min(len, Math.max(1, bytesPerSecond / 10)));
            if (n > 0) {
                total += n;
                long dueNanos = (long) (total * 1e9 / bytesPerSecond);
                long ahead = dueNanos - (System.nanoTime() - start);
                if (ahead > 0) {
                    try {
                        Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("scrub interrupted");
                    }
                }
            }
            return n;
        }
    }
}
