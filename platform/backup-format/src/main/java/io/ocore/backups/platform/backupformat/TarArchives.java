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
 * archive), regular files and directories only (symbolic links and special files are skipped, never
 * followed, and named in the notes).
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
        try (EntryWriter tar = new EntryWriter(out)) {
            TarVisitor visitor = new TarVisitor(tar);
            List<String> notes = walk(dir, hook, visitor);
            tar.finish();
            return new DirectoryArchive(visitor.files, notes);
        }
    }

    /** A listed entry's status: size, modification and change times, POSIX permission bits. */
    public record FileStat(long size, FileTime mtime, FileTime ctime, int mode) {
    }

    /**
     * What {@link #walk} hands each entry of the tree to: one walker (listing, sorting, rereads of
     * files that change, notes) serves the tar of a version-1 filestore and the blob store's writer.
     *
     * @param <R> what one read of a file gave
     */
    public interface WalkVisitor<R> {
        /** A directory (never the walked directory itself). */
        void directory(String name, Path path, FileStat stat) throws IOException;

        /** One read of a regular file whose status just before it was {@code before}. */
        R read(String name, Path path, FileStat before) throws IOException;

        /** How many bytes {@code read} gave. */
        long length(R read);

        /**
         * The read kept for the file: {@code stable} when two stats around it agreed with it, else
         * the last of {@code 1 + REREADS} reads; {@code after} is the status after it.
         */
        void file(String name, Path path, FileStat after, R read, boolean stable) throws IOException;

        /** A read not kept (the file changed, or vanished): free what it holds. */
        default void discard(R read) throws IOException {
        }
    }

    /**
     * Walks {@code dir} in sorted path order (a directory before what it holds): each directory
     * and regular file is handed to {@code visitor} (symbolic links and special files are skipped,
     * never followed, and named in the notes). A file deleted between the listing and its read is skipped and named in the
     * notes; a file whose size or modification time differ after it was read, or whose read gave
     * another number of bytes than its size, is read again (up to {@link #REREADS} times) and, if it
     * keeps changing, kept as last read and named in the notes. Answers the notes.
     */
    public static <R> List<String> walk(Path dir, ReadHook hook, WalkVisitor<R> visitor) throws IOException {
        List<String> notes = new java.util.ArrayList<>();
        boolean unix = dir.getFileSystem().supportedFileAttributeViews().contains("unix");
        for (Path p : list(dir, notes)) {
            String name = relative(dir, p);
            try {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    visitor.directory(name, p, stat(p, unix));
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    readFile(p, name, hook, visitor, notes, unix);
                }
            } catch (NoSuchFileException gone) {
                notes.add(name + ": deleted while the backup ran (not in the backup)");
            }
        }
        return List.copyOf(notes);
    }

    /** The status of {@code p}, not following links (ctime and mode where the file system has them). */
    public static FileStat stat(Path p) throws IOException {
        return stat(p, p.getFileSystem().supportedFileAttributeViews().contains("unix"));
    }

    private static FileStat stat(Path p, boolean unix) throws IOException {
        if (unix) {
            Map<String, Object> a = Files.readAttributes(p, "unix:size,lastModifiedTime,ctime,mode",
                    LinkOption.NOFOLLOW_LINKS);
            return new FileStat((Long) a.get("size"), (FileTime) a.get("lastModifiedTime"), (FileTime) a.get("ctime"),
                    ((Integer) a.get("mode")) & 07777);
        }
        java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(p,
                java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return new FileStat(a.size(), a.lastModifiedTime(), FileTime.fromMillis(0), a.isDirectory() ? 0755 : 0644);
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
                if (a.isSymbolicLink()) {
                    notes.add(relative(dir, f) + ": a symbolic link, not in the backup (links are never followed)");
                } else if (a.isOther()) {
                    notes.add(relative(dir, f) + ": not a regular file (a socket, FIFO or device), not in the backup");
                } else {
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
        notes.sort(null); // what the listing left out, in path order like the rest
        return paths;
    }

    /** Reads {@code p} until two stats around a read agree with it (or the rereads are used up). */
    private static <R> void readFile(Path p, String name, ReadHook hook, WalkVisitor<R> visitor, List<String> notes,
            boolean unix) throws IOException {
        for (int attempt = 0;; attempt++) {
            FileStat before = stat(p, unix);
            hook.beforeRead(p, attempt);
            R read = visitor.read(name, p, before);
            boolean kept = false;
            try {
                FileStat after = stat(p, unix);
                long length = visitor.length(read);
                boolean stable = length == before.size() && after.size() == before.size()
                        && after.mtime().equals(before.mtime());
                if (stable || attempt >= REREADS) {
                    if (!stable) {
                        notes.add(name + ": changed while it was read (" + (attempt + 1)
                                + " reads); stored as last read, " + length + " bytes");
                    }
                    kept = true;
                    visitor.file(name, p, after, read, stable);
                    return;
                }
            } finally {
                if (!kept) {
                    visitor.discard(read);
                }
            }
        }
    }

    /** A read of a file for the tar: in memory up to {@link #IN_MEMORY_BYTES}, else spooled to a temp file. */
    private record TarRead(byte[] inMemory, Path spool, long length) {
    }

    private static final class TarVisitor implements WalkVisitor<TarRead> {
        final EntryWriter tar;
        long files;

        TarVisitor(EntryWriter tar) {
            this.tar = tar;
        }

        @Override
        public void directory(String name, Path path, FileStat stat) throws IOException {
            tar.directory(name, stat.mtime());
        }

        @Override
        public TarRead read(String name, Path p, FileStat before) throws IOException {
            if (before.size() <= IN_MEMORY_BYTES) {
                byte[] inMemory;
                try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                    inMemory = in.readNBytes(IN_MEMORY_BYTES + 1);
                }
                if (inMemory.length <= IN_MEMORY_BYTES) {
                    return new TarRead(inMemory, null, inMemory.length);
                }
                // it grew past the memory bound: read it again through a file
            }
            Path spool = Files.createTempFile("ocore-tar-", ".part");
            try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                return new TarRead(null, spool, Files.copy(in, spool, StandardCopyOption.REPLACE_EXISTING));
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(spool);
                throw e;
            }
        }

        @Override
        public long length(TarRead read) {
            return read.length();
        }

        @Override
        public void file(String name, Path path, FileStat after, TarRead read, boolean stable) throws IOException {
            try {
                OutputStream body = tar.beginFile(name, read.length(), after.mtime());
                if (read.inMemory() != null) {
                    body.write(read.inMemory());
                } else {
                    Files.copy(read.spool(), body);
                }
                tar.endFile();
                files++;
            } finally {
                discard(read);
            }
        }

        @Override
        public void discard(TarRead read) throws IOException {
            if (read.spool() != null) {
                Files.deleteIfExists(read.spool());
            }
        }
    }

    /**
     * Writes tar entries exactly as a version-1 filestore tar has them (POSIX/PAX, directories as
     * {@code name/} with their mtime, files with mode 0644 and their mtime): the one entry writer
     * of {@link #writeDirectory} and of the blob store's download. Does not close {@code out}.
     */
    public static final class EntryWriter implements java.io.Closeable {
        private final TarArchiveOutputStream tar;

        public EntryWriter(OutputStream out) {
            this.tar = open(out);
        }

        public void directory(String name, FileTime mtime) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name + "/");
            e.setModTime(mtime);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
        }

        /** Starts a file entry; write exactly {@code size} bytes to the stream returned, then {@link #endFile}. */
        public OutputStream beginFile(String name, long size, FileTime mtime) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(size);
            e.setModTime(mtime);
            e.setMode(0100644);
            tar.putArchiveEntry(e);
            return new NonClosing(tar);
        }

        public void endFile() throws IOException {
            tar.closeArchiveEntry();
        }

        /** Writes the end-of-archive records. */
        public void finish() throws IOException {
            tar.finish();
        }

        @Override
        public void close() throws IOException {
            tar.close();
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
