package io.ocore.backups.platform.storage.s3;

import io.ocore.backups.platform.storage.Slabs;
import io.ocore.backups.platform.storage.UploadSource;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.zip.CRC32C;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;

/**
 * One part's bytes, held in 1 MiB slabs allocated as the data arrives: an object shorter than a
 * part costs what it is (rounded up to a slab), not a whole part buffer, and slabs are kept for the
 * next part of the same upload.
 *
 * <p>The slabs are {@link Slabs}, outside the Java heap where the budget allows: the parts in
 * flight of a backup to S3 (its database and each filestore pack) were about half of
 * backup-service's 96 MiB heap, and the collector copied and scanned them over and over
 * (docs/adr/0016-jvm-memory-budget.md). Slabs of completed uploads are given back
 * ({@link #release}); those of a failed one, whose request may not have let go of its body, are
 * left to the collector.
 *
 * <p>{@link #EXTRA_PARTS} bounds, for the whole process, the part buffers uploads hold beyond their
 * own: every upload reads and sends with one buffer, and only takes more (to keep parts in flight
 * while it reads the next) while the process-wide budget allows (docs/adr/0016-jvm-memory-budget.md).
 * Concurrent uploads (a backup's database and filestore packs to the same S3 destination, or to
 * several) so never hold more than {@code uploads + EXTRA_PARTS} parts.
 */
final class PartBuffer {

    static final int SLAB_BYTES = Slabs.SLAB_BYTES;

    /** Part buffers beyond each upload's own, for every S3 upload of the process together. */
    static final Semaphore EXTRA_PARTS = new Semaphore(2);

    private static final int STAGING_BYTES = 64 * 1024;

    private final List<ByteBuffer> slabs = new ArrayList<>();
    /** Where the source's bytes pass on their way into a slab (an InputStream reads into arrays). */
    private byte[] staging;
    private int length;

    /** Fills this buffer from {@code in} up to {@code max} bytes or the end; returns the length (0 at the end). */
    int fill(UploadSource in, int max) {
        if (staging == null) {
            staging = new byte[STAGING_BYTES];
        }
        length = 0;
        int slab = 0;
        while (length < max) {
            if (slab == slabs.size()) {
                slabs.add(Slabs.take());
            }
            ByteBuffer s = slabs.get(slab);
            s.clear();
            int want = Math.min(SLAB_BYTES, max - length);
            int got = 0;
            while (got < want) {
                int ask = Math.min(staging.length, want - got);
                int n = in.readFully(staging, 0, ask);
                s.put(staging, 0, n);
                got += n;
                if (n < ask) {
                    break; // the end of the source
                }
            }
            length += got;
            if (got < want) {
                break;
            }
            slab++;
        }
        return length;
    }

    /** Gives the slabs back for other uploads: only once the request that sent them has completed. */
    void release() {
        slabs.forEach(Slabs::give);
        slabs.clear();
        length = 0;
    }

    int length() {
        return length;
    }

    /** Slabs allocated so far (they are kept for the next fill). */
    int slabCount() {
        return slabs.size();
    }

    /** The part's CRC32C (base64, big-endian), as {@code x-amz-checksum-crc32c} carries it. */
    String crc32c() {
        CRC32C crc = new CRC32C();
        int left = length;
        for (ByteBuffer s : slabs) {
            if (left == 0) {
                break;
            }
            int n = Math.min(left, SLAB_BYTES);
            crc.update(s.slice(0, n));
            left -= n;
        }
        return S3Storage.crc32cHeader(crc);
    }

    /** A replayable body over the part (the SDK's retries read it again). */
    RequestBody body() {
        int len = length;
        List<ByteBuffer> held = List.copyOf(slabs);
        ContentStreamProvider provider = () -> new SlabStream(held, len);
        return RequestBody.fromContentProvider(provider, len, "application/octet-stream");
    }

    /** Reads the first {@code length} bytes of the slabs, in order. */
    private static final class SlabStream extends InputStream {
        private final List<ByteBuffer> slabs;
        private int left;
        private int index;
        private ByteBuffer current;

        SlabStream(List<ByteBuffer> slabs, int length) {
            this.slabs = slabs;
            this.left = length;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (left == 0) {
                return -1;
            }
            if (current == null || !current.hasRemaining()) {
                current = slabs.get(index++).slice(0, Math.min(left, SLAB_BYTES));
            }
            int n = Math.min(len, current.remaining());
            current.get(b, off, n);
            left -= n;
            return n;
        }

        @Override
        public int available() {
            return current == null ? Math.min(left, SLAB_BYTES) : current.remaining();
        }
    }
}
