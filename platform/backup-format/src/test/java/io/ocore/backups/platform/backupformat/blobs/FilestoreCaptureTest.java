package io.ocore.backups.platform.backupformat.blobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FilestoreCaptureTest {

    static final String BLOB = "a".repeat(64);

    @Test
    void aCaptureReadsBackWithItsFilesAndFirstSeenTimesAndOnlyUnderItsOwnName() throws Exception {
        BlobKeys keys = BlobTestSupport.keys();
        Instant at = Instant.parse("2026-12-03T09:00:00.123Z");
        String name = BlobLayout.newCaptureName(at);
        assertThat(name).matches("20261203T090000\\.123Z-[0-9a-f]{8}");
        assertThat(BlobLayout.captureTime(name)).isEqualTo(at);
        assertThat(BlobLayout.captureKey(BlobTestSupport.ORG, BlobTestSupport.ENV, name))
                .isEqualTo(BlobTestSupport.ORG + "/" + BlobTestSupport.ENV + "/blobs/captures/" + name + ".index.enc");
        FilestoreIndex.Entry e = new FilestoreIndex.Entry("ab/ab12", FilestoreIndex.Type.file, 0644, 5, 11L, 12L,
                List.of(BLOB));
        byte[] stored = FilestoreCapture.encrypt(keys, name, at, BlobLayout.CHUNK_BYTES,
                List.of(new FilestoreCapture.Seen(e, at)));

        FilestoreCapture.Contents c = FilestoreCapture.decrypt(keys, name, stored);
        assertThat(c.capturedAt()).isEqualTo(at);
        assertThat(c.files()).containsExactly(new FilestoreCapture.Seen(e, at));
        String plain = new String(FilestoreCapture.plaintext(at, BlobLayout.CHUNK_BYTES,
                List.of(new FilestoreCapture.Seen(e, at))), StandardCharsets.UTF_8);
        assertThat(plain).startsWith("{\"formatVersion\":1,\"kind\":\"ocore-filestore-capture\",\"chunkBytes\":1048576,"
                + "\"capturedAt\":\"2026-12-03T09:00:00.123Z\"}\n{\"path\":\"ab/ab12\",\"type\":\"file\"")
                .contains("\"firstSeen\":\"2026-12-03T09:00:00.123Z\"");
        // the object is bound to its name: moved under another, it does not open
        String other = BlobLayout.newCaptureName(at);
        assertThatThrownBy(() -> FilestoreCapture.decrypt(keys, other, stored))
                .isInstanceOf(BlobCorruptException.class);
    }

    @Test
    void changedFilesAreTheNewOnesAndThoseWhoseSizeTimesOrBlobsDiffer() {
        FilestoreIndex.Entry a = new FilestoreIndex.Entry("a", FilestoreIndex.Type.file, 0644, 5, 1, 1, List.of(BLOB));
        FilestoreIndex.Entry b = new FilestoreIndex.Entry("b", FilestoreIndex.Type.file, 0644, 5, 1, 1, List.of(BLOB));
        FilestoreIndex.Entry b2 = new FilestoreIndex.Entry("b", FilestoreIndex.Type.file, 0644, 5, 2, 1, List.of(BLOB));
        FilestoreIndex.Entry c = new FilestoreIndex.Entry("c", FilestoreIndex.Type.file, 0644, 5, 1, 1, List.of(BLOB));
        FilestoreIndex.Entry d = new FilestoreIndex.Entry("d", FilestoreIndex.Type.dir, 0755, 0, 1, 0, List.of());
        assertThat(FilestoreCapture.changed(Map.of("a", a, "b", b), List.of(a, b2, c, d))).containsExactly(b2, c);
    }
}
