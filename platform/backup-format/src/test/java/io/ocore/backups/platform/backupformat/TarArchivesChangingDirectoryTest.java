package io.ocore.backups.platform.backupformat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An Odoo filestore changes while it is archived: its garbage collection deletes files between
 * the listing and the read, and a file may be written to while it is read. The hook runs between
 * the listing (and the size/mtime taken before the read) and the read itself, like another process.
 */
class TarArchivesChangingDirectoryTest {

    static Path filestore(Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("filestore"));
        Files.createDirectories(dir.resolve("ab"));
        Files.createDirectories(dir.resolve("cd"));
        Files.writeString(dir.resolve("ab/ab01"), "first attachment");
        Files.writeString(dir.resolve("ab/ab02"), "garbage collected");
        Files.writeString(dir.resolve("cd/cd01"), "growing log");
        Files.writeString(dir.resolve("cd/cd02"), "last attachment");
        return dir;
    }

    static Map<String, String> unpack(byte[] tar, Path into) throws Exception {
        TarArchives.extract(new ByteArrayInputStream(tar), into, null);
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(into)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(into.relativize(p).toString(), Files.readString(p));
            }
        }
        return files;
    }

    @Test
    void aFileDeletedBetweenListingAndReadIsSkippedAndNamedNotAFailure(@TempDir Path tmp) throws Exception {
        Path dir = filestore(tmp);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarArchives.DirectoryArchive a = TarArchives.writeDirectory(dir, out, (file, attempt) -> {
            if (file.endsWith("ab/ab02")) {
                Files.delete(file); // Odoo's GC, after the listing
            }
        });
        assertThat(a.files()).isEqualTo(3);
        assertThat(a.notes()).containsExactly("ab/ab02: deleted while the backup ran (not in the backup)");
        assertThat(unpack(out.toByteArray(), tmp.resolve("out"))).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "ab/ab01", "first attachment", "cd/cd01", "growing log", "cd/cd02", "last attachment")));
    }

    @Test
    void aSymbolicLinkAndASocketAreLeftOutAndNamedInTheNotes(@TempDir Path tmp) throws Exception {
        Path dir = filestore(tmp);
        Files.createSymbolicLink(dir.resolve("ab/link"), Path.of("/etc/passwd"));
        try (java.nio.channels.ServerSocketChannel socket = java.nio.channels.ServerSocketChannel.open(
                java.net.StandardProtocolFamily.UNIX)) {
            socket.bind(java.net.UnixDomainSocketAddress.of(dir.resolve("cd/odoo.sock")));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            TarArchives.DirectoryArchive a = TarArchives.writeDirectory(dir, out, (file, attempt) -> {
            });
            assertThat(a.files()).isEqualTo(4);
            assertThat(a.notes()).containsExactly(
                    "ab/link: a symbolic link, not in the backup (links are never followed)",
                    "cd/odoo.sock: not a regular file (a socket, FIFO or device), not in the backup");
            assertThat(unpack(out.toByteArray(), tmp.resolve("out"))).containsOnlyKeys("ab/ab01", "ab/ab02",
                    "cd/cd01", "cd/cd02");
        }
    }

    @Test
    void aFileThatGrowsOnceWhileReadIsReadAgainAndStoredWhole(@TempDir Path tmp) throws Exception {
        Path dir = filestore(tmp);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Integer> attempts = new java.util.ArrayList<>();
        TarArchives.DirectoryArchive a = TarArchives.writeDirectory(dir, out, (file, attempt) -> {
            if (file.endsWith("cd/cd01")) {
                attempts.add(attempt);
                if (attempt == 0) {
                    Files.writeString(file, " and more", StandardOpenOption.APPEND);
                }
            }
        });
        assertThat(attempts).as("read again once, then stable").containsExactly(0, 1);
        assertThat(a.files()).isEqualTo(4);
        assertThat(a.notes()).isEmpty();
        assertThat(unpack(out.toByteArray(), tmp.resolve("out"))).containsEntry("cd/cd01", "growing log and more")
                .containsEntry("cd/cd02", "last attachment");
    }

    @Test
    void aFileThatKeepsChangingIsStoredAsLastReadAndFlaggedTheArchiveStaysWellFormed(@TempDir Path tmp)
            throws Exception {
        Path dir = filestore(tmp);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] reads = {0};
        TarArchives.DirectoryArchive a = TarArchives.writeDirectory(dir, out, (file, attempt) -> {
            if (file.endsWith("cd/cd01")) {
                reads[0]++;
                Files.writeString(file, "+", StandardOpenOption.APPEND);
            }
        });
        assertThat(reads[0]).isEqualTo(1 + TarArchives.REREADS);
        assertThat(a.files()).isEqualTo(4);
        assertThat(a.notes()).singleElement().asString().startsWith("cd/cd01: changed while it was read (3 reads)")
                .contains("stored as last read");
        // every entry's header matches its bytes: the following entry is intact
        Map<String, String> files = unpack(out.toByteArray(), tmp.resolve("out"));
        assertThat(files).containsEntry("cd/cd01", "growing log+++").containsEntry("cd/cd02", "last attachment")
                .containsEntry("ab/ab02", "garbage collected");
    }

    @Test
    void aLargeFileThatChangesIsCheckedThroughATempFileToo(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("big"));
        byte[] big = new byte[TarArchives.IN_MEMORY_BYTES + 1000];
        java.util.Arrays.fill(big, (byte) 'x');
        Files.write(dir.resolve("big.bin"), big);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarArchives.DirectoryArchive a = TarArchives.writeDirectory(dir, out, (file, attempt) -> {
            if (attempt == 0) {
                Files.write(file, new byte[] {'y'}, StandardOpenOption.APPEND);
            }
        });
        assertThat(a.notes()).isEmpty();
        TarArchives.extract(new ByteArrayInputStream(out.toByteArray()), tmp.resolve("out"), null);
        assertThat(Files.size(tmp.resolve("out/big.bin"))).isEqualTo(big.length + 1L);
        try (Stream<Path> left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("ocore-tar-")).toList())
                    .as("the temp copy is removed").isEqualTo(List.of());
        }
    }
}
