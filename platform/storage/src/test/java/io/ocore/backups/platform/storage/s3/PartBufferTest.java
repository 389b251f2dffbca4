package io.ocore.backups.platform.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.ocore.backups.platform.storage.Slabs;
import io.ocore.backups.platform.storage.UploadSource;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PartBufferTest {

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static byte[] bodyBytes(PartBuffer part) throws Exception {
        var provider = part.body().contentStreamProvider();
        try (InputStream in = provider.newStream()) {
            return in.readAllBytes();
        }
    }

    @Test
    void aSmallObjectHoldsTheSlabsItNeedsNotAWholePart() throws Exception {
        // a pack index or a manifest of 1 KiB used to cost a whole 8 MiB part buffer per upload
        byte[] data = random(1024);
        PartBuffer part = new PartBuffer();
        assertThat(part.fill(new UploadSource(new ByteArrayInputStream(data)), S3Storage.DEFAULT_PART_SIZE))
                .isEqualTo(1024);
        assertThat(part.slabCount()).isEqualTo(1);
        assertThat(bodyBytes(part)).isEqualTo(data);
    }

    @Test
    void aPartSpanningSlabsIsSentWholeAgainOnEveryRetryWithItsChecksum() throws Exception {
        byte[] data = random(PartBuffer.SLAB_BYTES * 2 + PartBuffer.SLAB_BYTES / 2);
        PartBuffer part = new PartBuffer();
        part.fill(new UploadSource(new ByteArrayInputStream(data)), S3Storage.DEFAULT_PART_SIZE);
        assertThat(part.slabCount()).isEqualTo(3);
        assertThat(bodyBytes(part)).isEqualTo(data);
        assertThat(bodyBytes(part)).isEqualTo(data); // the SDK replays the body on a retry
        assertThat(part.crc32c()).isEqualTo(S3Storage.crc32c(data, data.length));
    }

    @Test
    void aRefilledBufferCarriesOnlyTheNewPartsBytes() throws Exception {
        byte[] big = random(PartBuffer.SLAB_BYTES * 3);
        byte[] small = random(100);
        PartBuffer part = new PartBuffer();
        part.fill(new UploadSource(new ByteArrayInputStream(big)), S3Storage.DEFAULT_PART_SIZE);
        assertThat(part.fill(new UploadSource(new ByteArrayInputStream(small)), S3Storage.DEFAULT_PART_SIZE))
                .isEqualTo(100);
        assertThat(bodyBytes(part)).isEqualTo(small);
        assertThat(part.crc32c()).isEqualTo(S3Storage.crc32c(small, small.length));
    }

    @Test
    void pastTheDirectMemoryBudgetAPartIsHeldOnTheHeapAndStillSentWhole() throws Exception {
        // parts in flight live outside the Java heap up to ocore.storage.direct-slabs; an upload
        // beyond that budget must not fail, nor send other bytes
        assertThat(Slabs.DIRECT_SLABS).as("surefire sets ocore.storage.direct-slabs").isPositive();
        java.util.List<PartBuffer> held = new java.util.ArrayList<>();
        byte[] slab = random(PartBuffer.SLAB_BYTES);
        // held, never released: the pool is drained and the budget spent, whatever ran before
        for (int i = 0; i < Slabs.DIRECT_SLABS + 32; i++) {
            PartBuffer p = new PartBuffer();
            p.fill(new UploadSource(new ByteArrayInputStream(slab)), S3Storage.DEFAULT_PART_SIZE);
            held.add(p);
        }
        byte[] data = random(PartBuffer.SLAB_BYTES + 777);
        PartBuffer over = new PartBuffer();
        assertThat(over.fill(new UploadSource(new ByteArrayInputStream(data)), S3Storage.DEFAULT_PART_SIZE))
                .isEqualTo(data.length);
        assertThat(Slabs.directAlive()).isLessThanOrEqualTo(Slabs.DIRECT_SLABS);
        assertThat(bodyBytes(over)).isEqualTo(data);
        assertThat(over.crc32c()).isEqualTo(S3Storage.crc32c(data, data.length));
        assertThat(bodyBytes(held.get(0))).isEqualTo(slab);
        held.forEach(PartBuffer::release);
    }
}
