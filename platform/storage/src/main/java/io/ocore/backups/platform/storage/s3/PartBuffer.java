package io.ocore.backups.platform.storage.s3;

import io.ocore.backups.platform.storage.UploadSource;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;

/**
 * One part's bytes, held in 1 MiB slabs allocated as the data arrives: an object shorter than a
 * part costs what it is (rounded up to a slab), not a whole part buffer, and slabs are kept for the
 * next part of the same upload.
 *
 * <p>The slabs are direct buffers, outside the Java heap: the parts in flight of a backup to S3
 * (its database and each filestore pack) were about half of backup-service's 96 MiB heap, and the
 * collector copied and scanned them over and over (docs/adr/0016-jvm-memory-budget.md). Slabs of
 * completed uploads go back to a small process-wide pool ({@link #release}); those of a failed
 * one, whose request may not have let go of its body, are left to the collector.
 *
 * <p>{@link #EXTRA_PARTS} bounds, for the whole process, the part buffers uploads hold beyond their
 * own: every upload reads and sends with one buffer, and only takes more (to keep parts in flight
 * while it reads the next) while the process-wide budget allows (docs/adr/0016-jvm-memory-budget.md).
 * Concurrent uploads (a backup's database and filestore packs to the same S3 destination, or to
 * several) so never hold more than {@code uploads + EXTRA_PARTS} parts.
 */
final class PartBuffer {

    static final int SLAB_BYTES = 1 << 20;
    /** Slabs kept for the next uploads, at most (the rest are freed with their buffer objects). */
    static final int POOLED_SLABS = 8;

    /** Part buffers beyond each upload's own, for every S3 upload of the process together. */
    static final Semaphore EXTRA_PARTS = new Semaphore(2);

    /**
     * Direct slabs the process may hold at once: the system property
     * {@code ocore.storage.s3.direct-slabs} (default 0: every slab on the heap, as before; set for
     * backup-service in deploy/k8s/base/jvm-options.env, with the direct memory it needs). Past it,
     * or when the JVM refuses direct memory, a slab is an ordinary heap buffer, so an upload never
     * fails for it. A direct slab is counted until the collector frees it.
     */
    static final int DIRECT_SLABS = Integer.getInteger("ocore.storage.s3.direct-slabs", 0);

    private static final BlockingQueue<ByteBuffer> FREE_SLABS = new ArrayBlockingQueue<>(POOLED_SLABS);
    private static final AtomicInteger DIRECT_ALIVE = new AtomicInteger();
    private static final Cleaner CLEANER = Cleaner.create();
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
                ByteBuffer reused = FREE_SLABS.poll();
                slabs.add(reused != null ? reused : newSlab());
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

    static ByteBuffer newSlab() {
        if (DIRECT_ALIVE.incrementAndGet() <= DIRECT_SLABS) {
            try {
                ByteBuffer slab = ByteBuffer.allocateDirect(SLAB_BYTES);
                CLEANER.register(slab, DIRECT_ALIVE::decrementAndGet);
                return slab;
            } catch (OutOfMemoryError e) {
                // -XX:MaxDirectMemorySize reached (Netty's buffers share it): a heap slab does the same
            }
        }
        DIRECT_ALIVE.decrementAndGet();
        return ByteBuffer.allocate(SLAB_BYTES);
    }

    /** Direct slabs alive now (tests). */
    static int directSlabs() {
        return DIRECT_ALIVE.get();
    }

    /** Gives the slabs back for other uploads: only once the request that sent them has completed. */
    void release() {
        for (ByteBuffer slab : slabs) {
            FREE_SLABS.offer(slab);
        }
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
