package io.ocore.backups.wal.ingest;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.ocore.backups.wal.config.WalSettings;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The WAL transfers (a PUT spooled, checked, compressed, encrypted and stored; a GET read back and
 * verified) this replica runs at once: at most {@code ocore.wal.max-concurrent-transfers}. Each one
 * holds buffers (an S3 upload up to a part in memory) and keeps a core busy, so a burst of archive
 * commands from many servers queues here instead of running the JVM out of heap (ADR 0017,
 * "Back-pressure"). A transfer that cannot start within {@code ocore.wal.transfer-wait} is answered
 * 503 with Retry-After: PostgreSQL keeps the file and the client sends it again.
 */
@ApplicationScoped
public class TransferSlots {

    /** A slot held by one transfer; closing it gives the slot back. */
    public interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    private final Semaphore slots;
    private final int max;
    private final Duration wait;

    public TransferSlots(WalSettings settings, MeterRegistry registry) {
        this.max = settings.maxConcurrentTransfers();
        if (max < 1) {
            throw new IllegalArgumentException("ocore.wal.max-concurrent-transfers must be at least 1, not " + max);
        }
        this.wait = settings.transferWait();
        this.slots = new Semaphore(max, true);
        // Prometheus: ocore_wal_transfers_active (docs/operations.md)
        Gauge.builder("ocore.wal.transfers.active", slots, s -> max - s.availablePermits())
                .description("WAL transfers (PUT or GET) running now on this replica")
                .register(registry);
    }

    /** Waits up to transfer-wait for a slot; none free by then: WalUnavailable (503, Retry-After). */
    public Slot acquire(String fileName) {
        boolean acquired;
        try {
            acquired = slots.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw new WalUnavailable("wal-archiver is busy: " + max + " WAL transfers are running and " + fileName
                    + " waited " + wait.toSeconds() + " s for one to finish; send it again");
        }
        return slots::release;
    }
}
