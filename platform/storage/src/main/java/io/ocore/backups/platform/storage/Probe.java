package io.ocore.backups.platform.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/** The probe every driver runs: write, read back, delete a small object, classify what failed. */
public final class Probe {

    private static final Logger LOG = Logger.getLogger(Probe.class);

    /** Probe objects live here, under the destination's prefix; a failed probe may leave one. */
    public static final String PROBE_PREFIX = ".ocore-probe-";

    private Probe() {
    }

    /**
     * @param learned config values observed while probing (read after the probe, success or not)
     */
    public static ProbeResult run(BackupStorage storage, Supplier<Map<String, String>> learned) {
        long start = System.nanoTime();
        String key = PROBE_PREFIX + UUID.randomUUID();
        byte[] payload = ("oCore Backups destination probe " + key).getBytes(StandardCharsets.UTF_8);
        try {
            storage.put(key, new ByteArrayInputStream(payload));
            byte[] back;
            try (InputStream in = storage.get(key)) {
                back = in.readAllBytes();
            } catch (IOException e) {
                throw new StorageException(StorageException.Kind.TRANSIENT,
                        "The probe object could not be read back completely.", e);
            }
            if (!Arrays.equals(payload, back)) {
                throw new StorageException(StorageException.Kind.PERMANENT,
                        "The probe object read back differs from what was written.");
            }
            storage.delete(key);
            return ProbeResult.ok(millisSince(start), learned.get());
        } catch (StorageException e) {
            LOG.debugf("%s probe failed: %s", storage.type(), e);
            return ProbeResult.failed(millisSince(start), e, learned.get());
        } catch (RuntimeException e) {
            LOG.debugf(e, "%s probe failed unexpectedly", storage.type());
            return ProbeResult.failed(millisSince(start), new StorageException(StorageException.Kind.PERMANENT,
                    "The destination could not be tested because of an unexpected error ("
                            + e.getClass().getSimpleName() + ")."), learned.get());
        }
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
