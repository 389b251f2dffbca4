package io.ocore.backups.platform.storage.local;

import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.Capabilities;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.Keys;
import io.ocore.backups.platform.storage.Probe;
import io.ocore.backups.platform.storage.ProbeResult;
import io.ocore.backups.platform.storage.StorageException;
import io.ocore.backups.platform.storage.StorageException.Kind;
import io.ocore.backups.platform.storage.StoredObject;
import io.ocore.backups.platform.storage.UploadSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A folder on a filesystem of this machine (or a mount). Puts write a hidden temporary file in the
 * target folder, fsync it and rename it atomically over the key, then fsync the folder.
 */
public final class LocalStorage implements BackupStorage {

    static final String TEMP_PREFIX = ".ocore-tmp-";

    private final Path root;

    public LocalStorage(LocalConfig config) {
        this.root = config.path();
    }

    private Path resolve(String key) {
        Path p = root.resolve(Keys.check(key)).normalize();
        if (!p.startsWith(root)) {
            throw new StorageException(Kind.PERMANENT, "The key '" + key + "' leaves the destination folder.");
        }
        return p;
    }

    private void requireRoot() {
        if (!Files.isDirectory(root)) {
            throw new StorageException(Kind.CONTAINER_MISSING, "The folder " + root + " does not exist on this server.");
        }
    }

    @Override
    public StoredObject put(String key, InputStream data) {
        Path target = resolve(key);
        requireRoot();
        Path dir = target.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = dir.resolve(TEMP_PREFIX + UUID.randomUUID());
            long size;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(ch);
                size = new UploadSource(data).transferTo(out);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            fsyncDirectory(dir);
            return new StoredObject(key, size, Files.getLastModifiedTime(target).toInstant());
        } catch (IOException e) {
            throw map(e, key, "write");
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort; list() hides temporary names anyway
                }
            }
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // not every filesystem lets a directory be opened; the rename is still atomic
        }
    }

    @Override
    public InputStream get(String key) {
        Path p = resolve(key);
        try {
            if (Files.isDirectory(p)) {
                throw StorageException.notFound(key);
            }
            return Files.newInputStream(p);
        } catch (NoSuchFileException e) {
            requireRoot();
            throw StorageException.notFound(key);
        } catch (IOException e) {
            throw map(e, key, "read");
        }
    }

    @Override
    public InputStream get(String key, long offset, long length) {
        BackupStorage.checkRange(offset, length);
        Path p = resolve(key);
        try {
            if (Files.isDirectory(p)) {
                throw StorageException.notFound(key);
            }
            FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
            try {
                ch.position(offset); // past the end is allowed: reads then give end of stream
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            return new BoundedInputStream(Channels.newInputStream(ch), length);
        } catch (NoSuchFileException e) {
            requireRoot();
            throw StorageException.notFound(key);
        } catch (IOException e) {
            throw map(e, key, "read");
        }
    }

    @Override
    public List<StoredObject> list(String prefix) {
        String pre = Keys.checkPrefix(prefix);
        requireRoot();
        Path start = root.resolve(Keys.folderOf(pre));
        if (!Files.isDirectory(start)) {
            return List.of();
        }
        List<StoredObject> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(start)) {
            walk.forEach(p -> {
                if (p.getFileName().toString().startsWith(TEMP_PREFIX)) {
                    return;
                }
                String key = root.relativize(p).toString().replace('\\', '/');
                if (!key.startsWith(pre)) {
                    return;
                }
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    if (a.isRegularFile()) {
                        out.add(new StoredObject(key, a.size(), a.lastModifiedTime().toInstant()));
                    }
                } catch (IOException ignored) {
                    // deleted while walking
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            throw map(e instanceof IOException io ? io : ((java.io.UncheckedIOException) e).getCause(), pre, "list");
        }
        out.sort(Comparator.comparing(StoredObject::key));
        return out;
    }

    @Override
    public void delete(String key) {
        Path p = resolve(key);
        try {
            if (!Files.isDirectory(p)) {
                Files.deleteIfExists(p);
            }
            pruneEmptyParents(p.getParent());
        } catch (IOException e) {
            throw map(e, key, "delete");
        }
    }

    /** Removes folders a delete left empty, up to (not including) the destination folder. */
    private void pruneEmptyParents(Path dir) {
        while (dir != null && dir.startsWith(root) && !dir.equals(root)) {
            try {
                Files.delete(dir);
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                if (e instanceof DirectoryNotEmptyException) {
                    return;
                }
            } catch (IOException e) {
                return;
            }
            dir = dir.getParent();
        }
    }

    @Override
    public int deletePrefix(String prefix) {
        int n = BackupStorage.super.deletePrefix(prefix);
        removeInterruptedPuts(Keys.checkPrefix(prefix));
        return n;
    }

    /**
     * Temporary files of puts that a crash interrupted (the process died before its rename or
     * cleanup) in folders under the prefix: invisible to {@link #list}, removed with the prefix.
     */
    private void removeInterruptedPuts(String pre) {
        Path start = root.resolve(Keys.folderOf(pre));
        if (!Files.isDirectory(start)) {
            return;
        }
        List<Path> leftovers;
        try (Stream<Path> walk = Files.walk(start)) {
            leftovers = walk.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX))
                    .filter(p -> (root.relativize(p.getParent()).toString().replace('\\', '/') + "/").startsWith(pre))
                    .toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw map(e instanceof IOException io ? io : ((java.io.UncheckedIOException) e).getCause(), pre, "delete");
        }
        for (Path p : leftovers) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                throw map(e, pre, "delete");
            }
            pruneEmptyParents(p.getParent());
        }
    }

    @Override
    public ProbeResult probe() {
        return Probe.run(this, Map::of);
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, false, false, true, Long.MAX_VALUE);
    }

    @Override
    public DestinationType type() {
        return DestinationType.local;
    }

    @Override
    public void close() {
    }

    private StorageException map(IOException e, String key, String what) {
        if (e instanceof AccessDeniedException) {
            return new StorageException(Kind.PERMISSION,
                    "This server may not " + what + " '" + key + "' in " + root + " (permission denied).", e);
        }
        if (e instanceof NoSuchFileException) {
            return new StorageException(Kind.CONTAINER_MISSING, "The folder " + root + " does not exist on this server.", e);
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null
                && fse.getReason().toLowerCase().contains("no space")) {
            return new StorageException(Kind.PERMANENT, "The disk holding " + root + " is full.", e);
        }
        return new StorageException(Kind.PERMANENT, "Could not " + what + " '" + key + "' in " + root + ": "
                + e.getClass().getSimpleName() + ".", e);
    }
}
