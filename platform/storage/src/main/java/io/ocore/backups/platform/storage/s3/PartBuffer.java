package io.ocore.backups.platform.storage.s3;

import io.ocore.backups.platform.storage.UploadSource;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Collections;
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
 * <p>{@link #EXTRA_PARTS} bounds, for the whole process, the part buffers uploads hold beyond their
 * own: every upload reads and sends with one buffer, and only takes more (to keep parts in flight
 * while it reads the next) while the process-wide budget allows (docs/adr/0016-jvm-memory-budget.md).
 * Concurrent uploads (a backup's database and filestore packs to the same S3 destination, or to
 * several) so never hold more than {@code uploads + EXTRA_PARTS} parts.
 */
final class PartBuffer {

    static final int SLAB_BYTES = 1 << 20;

    /** Part buffers beyond each upload's own, for every S3 upload of the process together. */
    static final Semaphore EXTRA_PARTS = new Semaphore(2);

    private final List<byte[]> slabs = new ArrayList<>();
    private int length;

    /** Fills this buffer from {@code in} up to {@code max} bytes or the end; returns the length (0 at the end). */
    int fill(UploadSource in, int max) {
        length = 0;
        int slab = 0;
        while (length < max) {
            if (slab == slabs.size()) {
                slabs.add(new byte[SLAB_BYTES]);
            }
            int want = Math.min(SLAB_BYTES, max - length);
            int n = in.readFully(slabs.get(slab), 0, want);
            length += n;
            if (n < want) {
                break;
            }
            slab++;
        }
        return length;
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
        for (byte[] s : slabs) {
            if (left == 0) {
                break;
            }
            int n = Math.min(left, s.length);
            crc.update(s, 0, n);
            left -= n;
        }
        return S3Storage.crc32cHeader(crc);
    }

    /** A replayable body over the part (the SDK's retries read it again). */
    RequestBody body() {
        int len = length;
        List<byte[]> held = List.copyOf(slabs);
        ContentStreamProvider provider = () -> {
            List<InputStream> parts = new ArrayList<>();
            int left = len;
            for (byte[] s : held) {
                if (left == 0) {
                    break;
                }
                int n = Math.min(left, s.length);
                parts.add(new ByteArrayInputStream(s, 0, n));
                left -= n;
            }
            return new SequenceInputStream(Collections.enumeration(parts));
        };
        return RequestBody.fromContentProvider(provider, len, "application/octet-stream");
    }
}
