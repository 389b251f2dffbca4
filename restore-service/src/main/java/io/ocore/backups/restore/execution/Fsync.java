package io.ocore.backups.restore.execution;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Makes what a restore wrote survive a power loss before the old copy is given up
 * (docs/restores.md "Durability"): a file's content with {@link FileChannel#force}, a directory's
 * entries (a file created or renamed in it) by opening the directory itself and forcing it, which
 * Linux supports (other systems may refuse to open a directory: then it is skipped).
 */
final class Fsync {

    private Fsync() {
    }

    /** How many files and directories {@link #tree} synced. */
    record Synced(long files, long directories) {
    }

    static void file(Path file) throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            c.force(true);
        }
    }

    static void directory(Path dir) throws IOException {
        FileChannel c;
        try {
            c = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException e) {
            if (System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
                throw e;
            }
            return; // a directory cannot be opened here: its entries are as durable as the system makes them
        }
        try (c) {
            c.force(true);
        }
    }

    /** Every regular file, then every directory (deepest first, the root last) under {@code root}. */
    static Synced tree(Path root) throws IOException {
        long[] n = {0, 0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                if (a.isRegularFile()) {
                    file(f);
                    n[0]++;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                directory(d);
                n[1]++;
                return FileVisitResult.CONTINUE;
            }
        });
        return new Synced(n[0], n[1]);
    }

    /** The directory holding {@code path}, after {@code path} was created or renamed in it. */
    static void parentOf(Path path) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            directory(parent);
        }
    }
}
