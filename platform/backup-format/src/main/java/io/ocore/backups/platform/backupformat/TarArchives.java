package io.ocore.backups.platform.backupformat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The tar flavour of the filestore and config components: POSIX (PAX headers for long names and
 * big files), relative paths with '/', entries in sorted order (so the same tree gives the same
 * archive), regular files and directories only (symbolic links are skipped, never followed).
 */
public final class TarArchives {

    private TarArchives() {
    }

    /** Writes every file under {@code dir} as {@code <relative path>}; answers the number of files. */
    public static long writeDirectory(Path dir, OutputStream out) throws IOException {
        try (TarArchiveOutputStream tar = open(out)) {
            long files = 0;
            List<Path> paths;
            try (Stream<Path> walk = Files.walk(dir)) {
                paths = walk.filter(p -> !p.equals(dir))
                        .filter(p -> !Files.isSymbolicLink(p))
                        .sorted((a, b) -> relative(dir, a).compareTo(relative(dir, b)))
                        .toList();
            }
            for (Path p : paths) {
                String name = relative(dir, p);
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    TarArchiveEntry e = new TarArchiveEntry(name + "/");
                    e.setModTime(Files.getLastModifiedTime(p));
                    tar.putArchiveEntry(e);
                    tar.closeArchiveEntry();
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    TarArchiveEntry e = new TarArchiveEntry(name);
                    e.setSize(Files.size(p));
                    e.setModTime(Files.getLastModifiedTime(p));
                    e.setMode(0100644);
                    tar.putArchiveEntry(e);
                    Files.copy(p, tar);
                    tar.closeArchiveEntry();
                    files++;
                }
            }
            tar.finish();
            return files;
        }
    }

    /** Writes in-memory files (name -> content), in sorted order. */
    public static void writeFiles(Map<String, byte[]> files, OutputStream out) throws IOException {
        try (TarArchiveOutputStream tar = open(out)) {
            for (String name : files.keySet().stream().sorted().toList()) {
                byte[] content = files.get(name);
                TarArchiveEntry e = new TarArchiveEntry(name);
                e.setSize(content.length);
                e.setMode(0100600);
                e.setModTime(FileTime.fromMillis(0));
                tar.putArchiveEntry(e);
                tar.write(content);
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
    }

    /**
     * Unpacks into {@code target} (created if needed); refuses entries that would land outside it.
     * Answers the number of files written.
     */
    public static long extract(InputStream in, Path target, LongConsumer bytesProgress) throws IOException {
        Path root = Files.createDirectories(target).toRealPath();
        long files = 0;
        long bytes = 0;
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            Path dest = root.resolve(e.getName()).normalize();
            if (!dest.startsWith(root) || e.getName().startsWith("/")) {
                throw new IOException("Archive entry '" + e.getName() + "' points outside the target directory");
            }
            if (e.isDirectory()) {
                Files.createDirectories(dest);
            } else if (e.isFile()) {
                Files.createDirectories(dest.getParent());
                bytes += Files.copy(tar, dest, StandardCopyOption.REPLACE_EXISTING);
                files++;
                if (bytesProgress != null) {
                    bytesProgress.accept(bytes);
                }
            }
            // links and devices are never written
        }
        return files;
    }

    private static TarArchiveOutputStream open(OutputStream out) {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new NonClosing(out));
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        return tar;
    }

    private static String relative(Path dir, Path p) {
        return dir.relativize(p).toString().replace('\\', '/');
    }

    /** The caller owns the stream it gave us. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
