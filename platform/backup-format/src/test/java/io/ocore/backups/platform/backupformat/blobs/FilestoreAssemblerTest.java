package io.ocore.backups.platform.backupformat.blobs;

import static io.ocore.backups.platform.backupformat.blobs.BlobTestSupport.ENV;
import static io.ocore.backups.platform.backupformat.blobs.BlobTestSupport.ORG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ocore.backups.platform.backupformat.TarArchives;
import io.ocore.backups.platform.backupformat.blobs.BlobTestSupport.Flaky;
import io.ocore.backups.platform.backupformat.blobs.BlobTestSupport.MapCatalogue;
import io.ocore.backups.platform.storage.BackupStorage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilestoreAssemblerTest {

    static final int CHUNK = 64 * 1024;
    static final FilestoreWriter.Options OPTIONS = new FilestoreWriter.Options(CHUNK, 150 * 1024,
            Duration.ofSeconds(30));

    final BlobKeys keys = BlobTestSupport.keys();
    final FilestoreWriter writer = new FilestoreWriter(keys, ORG, ENV, OPTIONS);

    /** One backup: its index's entries and the writer's result. */
    record Backup(List<FilestoreIndex.Entry> entries, FilestoreWriter.Result result) {
    }

    Backup backup(Path dir, List<FilestoreWriter.Destination> dests, MapCatalogue catalogue, Backup previous)
            throws IOException {
        ByteArrayOutputStream index = new ByteArrayOutputStream();
        Map<String, FilestoreIndex.Entry> prev = previous == null ? Map.of()
                : new FilestoreIndex.Contents(CHUNK, previous.entries()).byPath();
        FilestoreWriter.Result r = writer.write(dir, dests, catalogue, prev, index, null, null);
        return new Backup(FilestoreIndex.read(new ByteArrayInputStream(index.toByteArray())).entries(), r);
    }

    FilestoreAssembler assembler(BackupStorage storage, Map<String, BlobLocation> locations) {
        return new FilestoreAssembler(keys, ORG, ENV, storage, locations::get);
    }

    @Test
    void theTarIsTheVersionOneTarByteForByteAndExtractGivesBackEveryFileWithModeAndMtime(@TempDir Path tmp)
            throws Exception {
        Path dir = BlobTestSupport.sampleFilestore(tmp, CHUNK);
        Files.setPosixFilePermissions(dir.resolve("ab/ab01"), java.nio.file.attribute.PosixFilePermissions
                .fromString("rw-r-----"));
        Files.setLastModifiedTime(dir.resolve("cd"), FileTime.fromMillis(1_700_000_000_123L));
        BackupStorage dest = BlobTestSupport.local(tmp.resolve("dest"));
        List<FilestoreWriter.Destination> dests = BlobTestSupport.destinations(dest);
        MapCatalogue catalogue = new MapCatalogue();
        Backup b = backup(dir, dests, catalogue, null);
        FilestoreAssembler assembler = assembler(dest, catalogue.of(dests.get(0).id()));

        ByteArrayOutputStream v1 = new ByteArrayOutputStream();
        TarArchives.writeDirectory(dir, v1);
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        long size = assembler.writeTar(b.entries(), tar, null);
        assertThat(size).isEqualTo(tar.size());
        assertThat(tarEntries(tar.toByteArray())).containsExactlyElementsOf(tarEntries(v1.toByteArray()));
        assertThat(tar.toByteArray()).isEqualTo(v1.toByteArray());

        Path out = tmp.resolve("restored");
        long bytes = assembler.extract(b.entries(), out, null);
        assertThat(bytes).isEqualTo(b.result().rawBytes());
        assertThat(tree(out)).isEqualTo(tree(dir));
        assertThat(Files.isDirectory(out.resolve("empty-dir"))).isTrue();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(p -> !p.equals(dir)).toList()) {
                Path q = out.resolve(dir.relativize(p).toString());
                assertThat(Files.getLastModifiedTime(q)).as("mtime of %s", q).isEqualTo(Files.getLastModifiedTime(p));
                assertThat(Files.getPosixFilePermissions(q)).as("mode of %s", q)
                        .isEqualTo(Files.getPosixFilePermissions(p));
            }
        }

        FilestoreAssembler.Checked checked = assembler.verify(b.entries(), null);
        assertThat(checked.blobs()).isEqualTo(b.result().newBlobs());
        assertThat(checked.rawBytes()).as("the duplicate file counted once")
                .isEqualTo(b.result().rawBytes() - Files.size(dir.resolve("ab/ab02")));

        Map<String, BlobLocation> fromIndexes = FilestoreAssembler.readPackIndexes(dest, keys, ORG, ENV);
        assertThat(fromIndexes).isEqualTo(catalogue.of(dests.get(0).id()));
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        assembler(dest, fromIndexes).writeTar(b.entries(), again, null);
        assertThat(again.toByteArray()).isEqualTo(v1.toByteArray());
    }

    @Test
    void aSecondBackupOfTheSameTreeUploadsNoPackAndOnePercentNewFilesUploadOnlyThose(@TempDir Path tmp)
            throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("filestore"));
        Random r = new Random(3);
        for (int i = 0; i < 200; i++) {
            byte[] b = new byte[1000 + r.nextInt(CHUNK * 2)];
            r.nextBytes(b);
            Files.write(Files.createDirectories(dir.resolve(String.format("%02x", i % 16))).resolve("f" + i), b);
        }
        Flaky dest = new Flaky(BlobTestSupport.local(tmp.resolve("dest")), k -> false);
        List<FilestoreWriter.Destination> dests = BlobTestSupport.destinations(dest);
        MapCatalogue catalogue = new MapCatalogue();
        Backup first = backup(dir, dests, catalogue, null);
        int puts = dest.puts.size();

        Backup second = backup(dir, dests, catalogue, null); // no change cache: every file read, none uploaded
        assertThat(dest.puts).hasSize(puts);
        assertThat(second.result().newBlobs()).isZero();
        assertThat(second.result().uploadedBytes().get(dests.get(0).id())).isZero();
        assertThat(second.entries()).isEqualTo(first.entries());

        byte[] n1 = new byte[3000];
        byte[] n2 = new byte[CHUNK + 5];
        r.nextBytes(n1);
        r.nextBytes(n2);
        Files.write(dir.resolve("00/new-1"), n1);
        Files.write(dir.resolve("0a/new-2"), n2);
        Backup third = backup(dir, dests, catalogue, second);
        List<String> newPuts = dest.puts.subList(puts, dest.puts.size());
        assertThat(newPuts).hasSize(2).anyMatch(k -> k.contains("/packs/")).anyMatch(k -> k.contains("/index/"));
        assertThat(third.result().newBlobs()).isEqualTo(3);
        assertThat(third.result().unreadFiles()).isEqualTo(200);
        assertThat(catalogue.packs.getLast().blobs()).extracting(BlobLocation::blobId).containsExactlyElementsOf(
                Stream.of("00/new-1", "0a/new-2").flatMap(p -> entry(third, p).blobs().stream()).toList());
        assertThat(third.result().uploadedBytes().get(dests.get(0).id()))
                .isLessThan(n1.length + n2.length + 2000);

        Path out = tmp.resolve("restored");
        assembler(dest, catalogue.of(dests.get(0).id())).extract(third.entries(), out, null);
        assertThat(tree(out)).isEqualTo(tree(dir));
    }

    @Test
    void aFileChangedInPlaceWithTheSameSizeIsReadAgainEvenWithItsOldMtime(@TempDir Path tmp) throws Exception {
        Path dir = BlobTestSupport.sampleFilestore(tmp, CHUNK);
        BackupStorage dest = BlobTestSupport.local(tmp.resolve("dest"));
        List<FilestoreWriter.Destination> dests = BlobTestSupport.destinations(dest);
        MapCatalogue catalogue = new MapCatalogue();
        Backup first = backup(dir, dests, catalogue, null);

        Path f = dir.resolve("ab/ab01");
        Path g = dir.resolve("cd/ünï cödé name");
        FileTime oldTime = Files.getLastModifiedTime(g);
        Files.writeString(f, Files.readString(f).replace("invoice", "INVOICE"));
        Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        Files.writeString(g, "ODD NAME");
        Files.setLastModifiedTime(g, oldTime); // same size and mtime: only the ctime tells
        Backup second = backup(dir, dests, catalogue, first);

        assertThat(second.result().unreadFiles()).isEqualTo(second.result().files() - 2);
        assertThat(entry(second, "ab/ab01").blobs()).isNotEqualTo(entry(first, "ab/ab01").blobs());
        Path out = tmp.resolve("restored");
        assembler(dest, catalogue.of(dests.get(0).id())).extract(second.entries(), out, null);
        assertThat(tree(out)).isEqualTo(tree(dir));
        assertThat(Files.readString(out.resolve("cd/ünï cödé name"))).isEqualTo("ODD NAME");
    }

    @Test
    void withTwoDestinationsWhereOneHoldsTheBlobsOnlyTheOtherGetsThem(@TempDir Path tmp) throws Exception {
        Path dir = BlobTestSupport.sampleFilestore(tmp, CHUNK);
        Flaky a = new Flaky(BlobTestSupport.local(tmp.resolve("a")), k -> false);
        Flaky b = new Flaky(BlobTestSupport.local(tmp.resolve("b")), k -> false);
        List<FilestoreWriter.Destination> both = BlobTestSupport.destinations(a, b);
        MapCatalogue catalogue = new MapCatalogue();
        backup(dir, both.subList(0, 1), catalogue, null);
        int aPuts = a.puts.size();
        Files.writeString(dir.resolve("cd/new"), "a new attachment");

        Backup second = backup(dir, both, catalogue, null);
        assertThat(a.puts.subList(aPuts, a.puts.size())).as("only the new file's pack and index")
                .hasSize(2);
        assertThat(catalogue.of(both.get(1).id()).keySet()).isEqualTo(BlobRefs.decode(second.result().referencedBlobs()));
        assertThat(b.puts.stream().filter(k -> k.contains("/packs/")).count()).isGreaterThan(1);
        for (FilestoreWriter.Destination d : both) {
            Path out = tmp.resolve("restored-" + d.id());
            assembler(d.storage(), catalogue.of(d.id())).extract(second.entries(), out, null);
            assertThat(tree(out)).isEqualTo(tree(dir));
        }
    }

    @Test
    void aFlippedByteInAPackIsCorruptAndADeletedPackIsMissingNamingTheFile(@TempDir Path tmp) throws Exception {
        Path dir = BlobTestSupport.sampleFilestore(tmp, CHUNK);
        Path root = tmp.resolve("dest");
        BackupStorage dest = BlobTestSupport.local(root);
        List<FilestoreWriter.Destination> dests = BlobTestSupport.destinations(dest);
        MapCatalogue catalogue = new MapCatalogue();
        Backup b = backup(dir, dests, catalogue, null);
        Map<String, BlobLocation> locations = catalogue.of(dests.get(0).id());
        FilestoreAssembler assembler = assembler(dest, locations);

        BlobLocation text = locations.get(entry(b, "ab/ab01").blobs().get(0));
        Path pack = root.resolve(BlobLayout.packKey(ORG, ENV, text.packId()));
        try (RandomAccessFile raf = new RandomAccessFile(pack.toFile(), "rw")) {
            raf.seek(text.offset() + 20);
            int v = raf.read();
            raf.seek(text.offset() + 20);
            raf.write(v ^ 0x01);
        }
        assertThatThrownBy(() -> assembler.verify(b.entries(), null)).isInstanceOf(BlobCorruptException.class)
                .hasMessageContaining(text.blobId()).hasMessageContaining("ab/ab01");
        assertThatThrownBy(() -> assembler.writeTar(b.entries(), new ByteArrayOutputStream(), null))
                .isInstanceOf(BlobCorruptException.class);

        Files.delete(pack);
        assertThatThrownBy(() -> assembler.verify(b.entries(), null)).isInstanceOf(BlobMissingException.class)
                .hasMessageContaining(text.packId());
        assertThatThrownBy(() -> assembler.extract(b.entries(), tmp.resolve("out"), null))
                .isInstanceOf(BlobMissingException.class).hasMessageContaining("ab/ab01");

        Map<String, BlobLocation> withoutOne = new TreeMap<>(locations);
        withoutOne.remove(entry(b, "cd/cd03-exactly-one-chunk").blobs().get(0));
        assertThatThrownBy(() -> assembler(dest, withoutOne).verify(b.entries(), null))
                .isInstanceOf(BlobMissingException.class).hasMessageContaining("cd/cd03-exactly-one-chunk");
    }

    @Test
    void anIndexEntryLeavingTheTargetIsRefusedBeforeAnythingIsWritten(@TempDir Path tmp) throws Exception {
        Path dir = BlobTestSupport.sampleFilestore(tmp, CHUNK);
        BackupStorage dest = BlobTestSupport.local(tmp.resolve("dest"));
        List<FilestoreWriter.Destination> dests = BlobTestSupport.destinations(dest);
        MapCatalogue catalogue = new MapCatalogue();
        Backup b = backup(dir, dests, catalogue, null);
        FilestoreIndex.Entry good = entry(b, "ab/ab01");
        for (String evil : List.of("../escape", "ab/../../escape", "/etc/passwd-copy", "ab/./x", "")) {
            List<FilestoreIndex.Entry> entries = new ArrayList<>(b.entries());
            entries.add(new FilestoreIndex.Entry(evil, FilestoreIndex.Type.file, 0644, good.size(), good.mtime(), 0,
                    good.blobs()));
            Path target = tmp.resolve("target-" + Math.abs(evil.hashCode()));
            assertThatThrownBy(() -> assembler(dest, catalogue.of(dests.get(0).id())).extract(entries, target, null))
                    .hasMessageContaining("points outside the target directory");
            try (Stream<Path> s = Files.list(target)) {
                assertThat(s).isEmpty();
            }
        }
        assertThat(tmp.resolve("escape")).doesNotExist();

        // a link already in the target does not lead the files out of it
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Path target = Files.createDirectories(tmp.resolve("target-with-link"));
        Files.createSymbolicLink(target.resolve("ab"), outside);
        assertThatThrownBy(() -> assembler(dest, catalogue.of(dests.get(0).id())).extract(b.entries(), target, null))
                .hasMessageContaining("points outside the target directory");
        try (Stream<Path> s = Files.list(outside)) {
            assertThat(s).isEmpty();
        }
    }

    static FilestoreIndex.Entry entry(Backup b, String path) {
        return b.entries().stream().filter(e -> e.path().equals(path)).findFirst().orElseThrow();
    }

    /** Relative path -> content (directories as "dir"). */
    static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(p -> !p.equals(root)).toList()) {
                out.put(root.relativize(p).toString(), Files.isDirectory(p) ? "dir"
                        : java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(Files.readAllBytes(p))));
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** name, size, mtime, mode, type and content digest of every entry. */
    static List<String> tarEntries(byte[] tar) throws Exception {
        List<String> out = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                out.add(e.getName() + " " + e.getSize() + " " + e.getLastModifiedTime() + " " + e.getMode() + " "
                        + e.isDirectory() + " " + java.util.HexFormat.of().formatHex(
                                java.security.MessageDigest.getInstance("SHA-256").digest(in.readAllBytes())));
            }
        }
        return out;
    }

    static UUID id(int i) {
        return UUID.fromString("00000000-0000-0000-0000-00000000000" + i);
    }
}
