package io.ocore.backups.wal.ingest;

import io.ocore.backups.wal.config.WalSettings;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Private temporary files (0600) under {@code ocore.wal.spool-dir} (default java.io.tmpdir) that
 * hold a WAL file while it is checked and stored, or read back and verified; the caller deletes them.
 */
@ApplicationScoped
public class Spool {

    private final Path dir;

    public Spool(WalSettings settings) {
        this.dir = Path.of(settings.spoolDir().orElse(System.getProperty("java.io.tmpdir")));
    }

    public Path create() throws IOException {
        Files.createDirectories(dir);
        return Files.createTempFile(dir, "ocore-wal-", ".spool",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    /** Thrown by {@link #copy} when the input is longer than allowed. */
    public static final class TooLarge extends IOException {
        public TooLarge(long limit) {
            super("longer than " + limit + " bytes");
        }
    }

    /** Copies {@code in} to {@code out}, at most {@code limit} bytes (more: {@link TooLarge}); answers the count. */
    public static long copy(InputStream in, OutputStream out, long limit) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buf)) >= 0; ) {
            total += n;
            if (total > limit) {
                throw new TooLarge(limit);
            }
            out.write(buf, 0, n);
        }
        return total;
    }

    /**
     * A stream read through once: counts and hashes what it gives, and fails with {@link TooLarge}
     * once more than {@code limit} bytes came through (a small zstd body may expand a lot).
     */
    public static final class Counted extends java.io.FilterInputStream {
        private final long limit;
        private final java.security.MessageDigest digest;
        private long count;

        public Counted(InputStream in, long limit, java.security.MessageDigest digest) {
            super(in);
            this.limit = limit;
            this.digest = digest;
        }

        public long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
                if (count > limit) {
                    throw new TooLarge(limit);
                }
                digest.update(b, off, n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // every byte goes through the digest
            byte[] buf = new byte[(int) Math.min(Math.max(n, 0), 64 * 1024)];
            int got = buf.length == 0 ? 0 : read(buf, 0, buf.length);
            return Math.max(got, 0);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    public static void delete(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a private file in the spool folder; nothing else to do
        }
    }
}
