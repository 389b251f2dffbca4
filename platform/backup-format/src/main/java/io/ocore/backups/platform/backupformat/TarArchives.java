package io.ocore.backups.platform.backupformat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
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
        return writeDirectory(dir, out, ReadHook.NONE).files();
    }

    /** What {@link #writeDirectory(Path, OutputStream, ReadHook)} wrote, and what it could not write as it was listed. */
    public record DirectoryArchive(long files, List<String> notes) {
    }

    /**
     * Called before each read of a listed file ({@code attempt} 0, then 1 and 2 when it is read
     * again): the tests' stand-in for another process (Odoo's garbage collection, a writer) acting
     * between the listing and the read. {@link #NONE} in production.
     */
    @FunctionalInterface
    public interface ReadHook {
        ReadHook NONE = (file, attempt) -> {
        };

        void beforeRead(Path file, int attempt) throws IOException;
    }

    /** How many times a file that changed while it was read is read again before it is stored as read. */
    public static final int REREADS = 2;

    /** Files up to this size are read into memory to check they did not change; larger ones go through a temp file. */
    static final int IN_MEMORY_BYTES = 8 * 1024 * 1024;

    /**
     * Writes every file under {@code dir} like {@link #writeDirectory(Path, OutputStream)}, for a
     * directory that changes while it is archived (an Odoo filestore): a file deleted between the
     * listing and its read is skipped and named in the notes; a file whose size or modification
     * time differ after it was read, or whose read gave another number of bytes than its size, is
     * read again (up to {@link #REREADS} times) and, if it keeps changing, stored as last read and
     * named in the notes. Every entry's header matches the bytes stored, so the archive is always
     * well formed.
     */
    public static DirectoryArchive writeDirectory(Path dir, OutputStream out, ReadHook hook) throws IOException {
        List<String> notes = new java.util.ArrayList<>();
        try (TarArchiveOutputStream tar = open(out)) {
            long files = 0;
            List<Path> paths = list(dir, notes);
            for (Path p : paths) {
                String name = relative(dir, p);
                try {
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        TarArchiveEntry e = new TarArchiveEntry(name + "/");
                        e.setModTime(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
                        tar.putArchiveEntry(e);
                        tar.closeArchiveEntry();
                    } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        if (writeFile(tar, p, name, hook, notes)) {
                            files++;
                        }
                    }
                } catch (NoSuchFileException gone) {
                    notes.add(name + ": deleted while the backup ran (not in the backup)");
                }
            }
            tar.finish();
            return new DirectoryArchive(files, List.copyOf(notes));
        }
    }

    /** The tree, sorted; entries that vanish while it is walked are left out (and named in the notes). */
    private static List<Path> list(Path dir, List<String> notes) throws IOException {
        List<Path> paths = new java.util.ArrayList<>();
        Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path d, java.nio.file.attribute.BasicFileAttributes a) {
                if (!d.equals(dir)) {
                    paths.add(d);
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a) {
                if (!a.isSymbolicLink()) {
                    paths.add(f);
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                if (e instanceof NoSuchFileException && !f.equals(dir)) {
                    notes.add(relative(dir, f) + ": deleted while the backup ran (not in the backup)");
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        paths.sort((a, b) -> relative(dir, a).compareTo(relative(dir, b)));
        return paths;
    }

    /** Reads {@code p} until two stats around a read agree with it (or the rereads are used up); false when it vanished. */
    private static boolean writeFile(TarArchiveOutputStream tar, Path p, String name, ReadHook hook, List<String> notes)
            throws IOException {
        Path spool = null;
        try {
            for (int attempt = 0;; attempt++) {
                java.nio.file.attribute.BasicFileAttributes before = Files.readAttributes(p,
                        java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                hook.beforeRead(p, attempt);
                byte[] inMemory = null;
                long read;
                if (before.size() <= IN_MEMORY_BYTES) {
                    try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                        inMemory = in.readNBytes(IN_MEMORY_BYTES + 1);
                    }
                    read = inMemory.length;
                    if (read > IN_MEMORY_BYTES) { // it grew past the memory bound: read it again through a file
                        inMemory = null;
                        read = -1;
                    }
                } else {
                    read = -1;
                }
                if (inMemory == null) {
                    if (spool == null) {
                        spool = Files.createTempFile("ocore-tar-", ".part");
                    }
                    try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                        read = Files.copy(in, spool, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                java.nio.file.attribute.BasicFileAttributes after = Files.readAttributes(p,
                        java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                boolean stable = read == before.size() && after.size() == before.size()
                        && after.lastModifiedTime().equals(before.lastModifiedTime());
                if (stable || attempt >= REREADS) {
                    if (!stable) {
                        notes.add(name + ": changed while it was read (" + (attempt + 1)
                                + " reads); stored as last read, " + read + " bytes");
                    }
                    TarArchiveEntry e = new TarArchiveEntry(name);
                    e.setSize(read);
                    e.setModTime(after.lastModifiedTime());
                    e.setMode(0100644);
                    tar.putArchiveEntry(e);
                    if (inMemory != null) {
                        tar.write(inMemory);
                    } else {
                        Files.copy(spool, tar);
                    }
                    tar.closeArchiveEntry();
                    return true;
                }
            }
        } catch (NoSuchFileException gone) {
            notes.add(name + ": deleted while the backup ran (not in the backup)");
            return false;
        } finally {
            if (spool != null) {
                Files.deleteIfExists(spool);
            }
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
