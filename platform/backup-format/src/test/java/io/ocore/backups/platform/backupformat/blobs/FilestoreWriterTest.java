package io.ocore.backups.platform.backupformat.blobs;

import static io.ocore.backups.platform.backupformat.blobs.BlobTestSupport.ENV;
import static io.ocore.backups.platform.backupformat.blobs.BlobTestSupport.ORG;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import io.ocore.backups.platform.backupformat.TarArchives;
import io.ocore.backups.platform.backupformat.blobs.BlobTestSupport.Flaky;
import io.ocore.backups.platform.backupformat.blobs.BlobTestSupport.MapCatalogue;
import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.StoredObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilestoreWriterTest {

    static final int CHUNK = 64 * 1024;
    static final FilestoreWriter.Options SMALL_PACKS = new FilestoreWriter.Options(CHUNK, 150 * 1024,
            Duration.ofSeconds(30));

    final BlobKeys keys = BlobTestSupport.keys();

    @Test
    void everyFileIsIndexedInPathOrderAndItsChunksArePackedOnceOnEveryDestination(@TempDir Path tmp)
            throws Exception {
        Path dir = BlobTestSupport.sampleFilestore(tmp, CHUNK);
        BackupStorage a = BlobTestSupport.local(tmp.resolve("dest-a"));
        BackupStorage b = BlobTestSupport.local(tmp.resolve("dest-b"));
        List<FilestoreWriter.Destination> dests = BlobTestSupport.destinations(a, b);
        MapCatalogue catalogue = new MapCatalogue();
        ByteArrayOutputStream index = new ByteArrayOutputStream();

        FilestoreWriter.Result r = new FilestoreWriter(keys, ORG, ENV, SMALL_PACKS).write(dir, dests, catalogue,
                Map.of(), index, TarArchives.ReadHook.NONE, null);

        FilestoreIndex.Contents c = FilestoreIndex.read(new ByteArrayInputStream(index.toByteArray()));
        assertThat(c.chunkBytes()).isEqualTo(CHUNK);
        assertThat(c.entries()).extracting(FilestoreIndex.Entry::path).containsExactly("ab", "ab/ab01", "ab/ab02",
                "cd", "cd/cd01", "cd/cd02-same-as-ab02", "cd/cd03-exactly-one-chunk", "cd/ünï cödé name",
                "empty-dir");
        Map<String, FilestoreIndex.Entry> byPath = c.byPath();
        assertThat(byPath.get("ab/ab02").blobs()).hasSize(3);
        assertThat(byPath.get("cd/cd02-same-as-ab02").blobs()).isEqualTo(byPath.get("ab/ab02").blobs());
        assertThat(byPath.get("cd/cd01").blobs()).isEmpty();
        assertThat(byPath.get("cd/cd03-exactly-one-chunk").blobs()).hasSize(1);
        assertThat(byPath.get("ab/ab01").mode()).isEqualTo(
                TarArchives.stat(dir.resolve("ab/ab01")).mode());
        assertThat(byPath.get("ab/ab01").mtime()).isEqualTo(
                FilestoreWriter.nanos(Files.getLastModifiedTime(dir.resolve("ab/ab01"))));

        Set<String> distinct = c.entries().stream().flatMap(e -> e.blobs().stream()).collect(Collectors.toSet());
        assertThat(r.files()).isEqualTo(6);
        assertThat(r.rawBytes()).isEqualTo(c.entries().stream().mapToLong(FilestoreIndex.Entry::size).sum());
        assertThat(r.newBlobs()).as("the duplicate file's chunks are packed once").isEqualTo(distinct.size());
        assertThat(BlobRefs.decode(r.referencedBlobs())).isEqualTo(distinct);
        assertThat(r.failures()).isEmpty();
        assertThat(catalogue.packs).as("packs closed at the target size").hasSizeGreaterThan(1);

        for (FilestoreWriter.Destination d : dests) {
            assertThat(catalogue.of(d.id()).keySet()).isEqualTo(distinct);
            for (String id : distinct) {
                assertThat(keys.blobId(decode(d.storage(), catalogue.of(d.id()).get(id)), 0,
                        catalogue.of(d.id()).get(id).rawLength())).isEqualTo(id);
            }
            List<StoredObject> packs = d.storage().list(BlobLayout.blobsDir(ORG, ENV) + "packs/");
            assertThat(packs).hasSize(catalogue.packs.size());
            assertThat(r.uploadedBytes().get(d.id())).isEqualTo(
                    d.storage().list(BlobLayout.blobsDir(ORG, ENV)).stream().mapToLong(StoredObject::sizeBytes).sum());
            for (PackIndex p : catalogue.packs) {
                byte[] stored;
                try (InputStream in = d.storage().get(BlobLayout.packIndexKey(ORG, ENV, p.packId()))) {
                    stored = in.readAllBytes();
                }
                assertThat(PackIndex.fromJson(keys.decryptPackIndex(p.packId(), stored))).isEqualTo(p);
            }
        }
        String someBlob = byPath.get("ab/ab02").blobs().get(0);
        assertThat(read(a, catalogue.of(dests.get(0).id()).get(someBlob)))
                .as("the same stored bytes on every destination")
                .isEqualTo(read(b, catalogue.of(dests.get(1).id()).get(someBlob)));
        BlobLocation text = catalogue.of(dests.get(0).id()).get(byPath.get("ab/ab01").blobs().get(0));
        assertThat(text.length()).as("compressible text is stored compressed").isLessThan(text.rawLength() / 10);
        BlobLocation random = catalogue.of(dests.get(0).id()).get(someBlob);
        assertThat(random.length()).as("random bytes are stored raw").isEqualTo(CHUNK + 1 + BlobKeys.OVERHEAD);
    }

    @Test
    void aDestinationWhosePackUploadFailsIsReportedAndGetsNothingMoreTheOtherGoesOn(@TempDir Path tmp)
            throws Exception {
        Path dir = BlobTestSupport.sampleFilestore(tmp, CHUNK);
        Flaky good = new Flaky(BlobTestSupport.local(tmp.resolve("good")), k -> false);
        Flaky bad = new Flaky(BlobTestSupport.local(tmp.resolve("bad")), k -> k.contains("/packs/"));
        List<FilestoreWriter.Destination> dests = BlobTestSupport.destinations(good, bad);
        MapCatalogue catalogue = new MapCatalogue();

        FilestoreWriter.Result r = new FilestoreWriter(keys, ORG, ENV, SMALL_PACKS).write(dir, dests, catalogue,
                Map.of(), new ByteArrayOutputStream(), TarArchives.ReadHook.NONE, null);

        UUID badId = dests.get(1).id();
        assertThat(r.failures()).containsOnlyKeys(badId);
        assertThat(r.failures().get(badId)).hasMessageContaining("injected failure");
        assertThat(bad.puts).as("no pack index or later pack after the failure").isEmpty();
        assertThat(catalogue.of(badId)).isEmpty();
        assertThat(catalogue.of(dests.get(0).id()).keySet()).isEqualTo(BlobRefs.decode(r.referencedBlobs()));
        assertThat(good.puts.stream().filter(k -> k.contains("/index/")).count()).isEqualTo(catalogue.packs.size());
    }

    @Test
    void aBlobTheDestinationHoldsIsNotUploadedAgainAndAnUnchangedFileIsNotRead(@TempDir Path tmp) throws Exception {
        Path dir = BlobTestSupport.sampleFilestore(tmp, CHUNK);
        Flaky a = new Flaky(BlobTestSupport.local(tmp.resolve("a")), k -> false);
        List<FilestoreWriter.Destination> dests = BlobTestSupport.destinations(a);
        MapCatalogue catalogue = new MapCatalogue();
        FilestoreWriter writer = new FilestoreWriter(keys, ORG, ENV, SMALL_PACKS);
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        writer.write(dir, dests, catalogue, Map.of(), first, null, null);
        int puts = a.puts.size();

        ByteArrayOutputStream second = new ByteArrayOutputStream();
        FilestoreWriter.Result r = writer.write(dir, dests, catalogue,
                FilestoreIndex.read(new ByteArrayInputStream(first.toByteArray())).byPath(), second, null, null);
        assertThat(a.puts).hasSize(puts);
        assertThat(r.newBlobs()).isZero();
        assertThat(r.unreadFiles()).isEqualTo(r.files());
        assertThat(second.toByteArray()).isEqualTo(first.toByteArray());
    }

    static byte[] read(BackupStorage s, BlobLocation l) throws Exception {
        try (InputStream in = s.get(BlobLayout.packKey(ORG, ENV, l.packId()), l.offset(), l.length())) {
            return in.readAllBytes();
        }
    }

    /** Decodes by hand, as the ADR says: GCM open, then codec 0 (as is) or 1 (one zstd frame). */
    byte[] decode(BackupStorage s, BlobLocation l) throws Exception {
        byte[] plain = keys.decryptBlob(l.blobId(), read(s, l));
        byte[] payload = Arrays.copyOfRange(plain, 1, plain.length);
        return switch (plain[0]) {
            case 0 -> payload;
            case 1 -> Zstd.decompress(payload, l.rawLength());
            default -> throw new AssertionError("codec " + plain[0]);
        };
    }
}
