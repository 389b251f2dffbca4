package io.ocore.backups.platform.backupformat.blobs;

import com.github.luben.zstd.Zstd;
import io.ocore.backups.platform.backupformat.TarArchives;
import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.StorageException;
import io.ocore.backups.platform.storage.StoredObject;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongConsumer;
import javax.crypto.Mac;

/**
 * Reads a blob-store filestore back from one destination (ADR 0015): the entries of its index,
 * each blob located (catalogue or pack indexes), read with ranged reads (adjacent blobs of a pack
 * coalesced), its GCM tag and HMAC checked. One reader for a restore ({@link #extract}), a download
 * ({@link #writeTar}) and a verification ({@link #verify}).
 *
 * <p>A reader thread fetches the blobs a few ahead of the caller, {@value #DECODERS} threads check
 * them, the caller writes them: memory is {@value #QUEUED_BLOBS} stored and decoded chunks plus
 * the one being read, whatever the size.
 *
 * <p>Failures: {@link BlobMissingException} (a location, pack or range not there),
 * {@link BlobCorruptException} (a blob that does not decrypt, decode or hash to its id), any
 * other {@link IOException} for a destination that could not be read.
 */
public final class FilestoreAssembler {

    /** Decoded chunks waiting between the reader thread and the writer. */
    static final int QUEUED_BLOBS = 4;
    /** Threads decrypting and checking blobs. */
    static final int DECODERS = 2;
    /** The most bytes one coalesced ranged read asks for. */
    static final long MAX_RANGE_BYTES = 64L << 20;
    /** No chunk is larger (the writer's chunks are 1 MiB): a bound on what a location can make us allocate. */
    static final int MAX_CHUNK_BYTES = 64 << 20;

    /** What {@link #verify} read. */
    public record Checked(long blobs, long storedBytes, long rawBytes) {
    }

    private final BlobKeys keys;
    private final UUID orgId;
    private final UUID environmentId;
    private final BackupStorage storage;
    private final Function<String, BlobLocation> locations;

    /**
     * @param locations blob id -> where it is on this destination, or null when unknown
     */
    public FilestoreAssembler(BlobKeys keys, UUID orgId, UUID environmentId, BackupStorage storage,
            Function<String, BlobLocation> locations) {
        this.keys = keys;
        this.orgId = orgId;
        this.environmentId = environmentId;
        this.storage = storage;
        this.locations = locations;
    }

    /**
     * Writes a POSIX tar of the entries to {@code out}: the same entries, order and format as a
     * version-1 filestore tar ({@code TarArchives.writeDirectory}). Returns the tar's size.
     */
    public long writeTar(List<FilestoreIndex.Entry> entries, OutputStream out, LongConsumer progress)
            throws IOException {
        List<Ref> refs = locate(entries);
        Counting counted = new Counting(out);
        long raw = 0;
        try (Reader reader = new Reader(refs); TarArchives.EntryWriter tar = new TarArchives.EntryWriter(counted)) {
            for (FilestoreIndex.Entry e : entries) {
                FileTime mtime = FileTime.from(e.mtime(), TimeUnit.NANOSECONDS);
                if (e.type() == FilestoreIndex.Type.dir) {
                    tar.directory(e.path(), mtime);
                    continue;
                }
                OutputStream body = tar.beginFile(e.path(), e.size(), mtime);
                long written = 0;
                for (String id : e.blobs()) {
                    byte[] chunk = reader.next();
                    written = checkedLength(e, written, chunk.length);
                    body.write(chunk);
                    raw += chunk.length;
                    report(progress, raw);
                }
                checkComplete(e, written);
                tar.endFile();
            }
            tar.finish();
        }
        return counted.count;
    }

    /**
     * Writes the entries under {@code target} (created if absent), refusing any path that would
     * leave it, with their modes and mtimes. Returns the bytes written. Nothing is fsynced here, as
     * {@link io.ocore.backups.platform.backupformat.TarArchives#extract} does not: a caller that
     * gives up an older copy once this one is written syncs the tree afterwards (restore-service
     * does, after either layout), so the kernel writes back while the rest is still being written
     * instead of one file at a time.
     */
    public long extract(List<FilestoreIndex.Entry> entries, Path target, LongConsumer progress) throws IOException {
        Path root = Files.createDirectories(target).toRealPath();
        List<Path> dests = new ArrayList<>(entries.size());
        for (FilestoreIndex.Entry e : entries) { // every path checked before anything is written
            dests.add(confined(root, e.path()));
        }
        List<Ref> refs = locate(entries);
        boolean posix = root.getFileSystem().supportedFileAttributeViews().contains("posix");
        long bytes = 0;
        List<Integer> dirs = new ArrayList<>();
        try (Reader reader = new Reader(refs)) {
            for (int i = 0; i < entries.size(); i++) {
                FilestoreIndex.Entry e = entries.get(i);
                Path dest = dests.get(i);
                if (e.type() == FilestoreIndex.Type.dir) {
                    createDirectory(dest);
                    dirs.add(i);
                    continue;
                }
                Files.createDirectories(dest.getParent());
                if (!dest.getParent().toRealPath().startsWith(root)) { // a link already in the target
                    throw new IOException("Index entry '" + e.path() + "' points outside the target directory");
                }
                if (Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException("Cannot restore the file " + e.path() + ": a directory is in its place");
                }
                long written = 0;
                try (FileChannel ch = FileChannel.open(dest, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
                    for (String id : e.blobs()) {
                        byte[] chunk = reader.next();
                        written = checkedLength(e, written, chunk.length);
                        ByteBuffer buf = ByteBuffer.wrap(chunk);
                        while (buf.hasRemaining()) {
                            ch.write(buf);
                        }
                        bytes += chunk.length;
                        report(progress, bytes);
                    }
                    checkComplete(e, written);
                }
                setModeAndTime(dest, e, posix);
            }
        }
        // Directories last, deepest first: writing into a directory changes its mtime.
        for (int k = dirs.size() - 1; k >= 0; k--) {
            setModeAndTime(dests.get(dirs.get(k)), entries.get(dirs.get(k)), posix);
        }
        return bytes;
    }

    /**
     * Reads and checks every distinct blob the entries name, pack by pack; nothing is written.
     * {@code progress} gets the running count of raw (decoded) bytes checked.
     */
    public Checked verify(List<FilestoreIndex.Entry> entries, LongConsumer progress) throws IOException {
        Map<String, Ref> distinct = new LinkedHashMap<>();
        for (FilestoreIndex.Entry e : entries) {
            for (String id : e.blobs()) {
                if (!distinct.containsKey(id)) {
                    distinct.put(id, new Ref(location(id, e.path()), e.path()));
                }
            }
        }
        List<Ref> refs = new ArrayList<>(distinct.values());
        refs.sort(Comparator.comparing((Ref r) -> r.location().packId())
                .thenComparingLong(r -> r.location().offset()));
        long stored = 0;
        long raw = 0;
        try (Reader reader = new Reader(refs)) {
            for (Ref r : refs) {
                raw += reader.next().length;
                stored += r.location().length();
                report(progress, raw);
            }
        }
        return new Checked(refs.size(), stored, raw);
    }

    /** Every blob location the destination's pack indexes give (manual restores, no catalogue). */
    public static Map<String, BlobLocation> readPackIndexes(BackupStorage storage, BlobKeys keys, UUID orgId,
            UUID environmentId) throws IOException {
        String indexDir = BlobLayout.packIndexDir(orgId, environmentId);
        Set<String> packs = new HashSet<>();
        Map<String, BlobLocation> out = new HashMap<>();
        try {
            for (StoredObject o : storage.list(BlobLayout.blobsDir(orgId, environmentId) + "packs/")) {
                packs.add(o.key().substring(o.key().lastIndexOf('/') + 1));
            }
            for (StoredObject o : storage.list(indexDir)) {
                String name = o.key().substring(indexDir.length());
                if (!name.endsWith(".json.enc")) {
                    continue;
                }
                String packId = name.substring(0, name.length() - ".json.enc".length());
                if (!packId.matches("[0-9a-f]{32}") || !packs.contains(packId)) {
                    continue; // not a pack index, or its pack is gone (being collected)
                }
                byte[] stored;
                try (InputStream in = storage.get(o.key())) {
                    stored = in.readAllBytes();
                }
                PackIndex index;
                try {
                    index = PackIndex.fromJson(keys.decryptPackIndex(packId, stored));
                } catch (GeneralSecurityException | IllegalArgumentException e) {
                    throw new BlobCorruptException("The pack index " + o.key() + " does not decrypt or parse: "
                            + e.getMessage(), e);
                }
                if (!index.packId().equals(packId)) {
                    throw new BlobCorruptException("The pack index " + o.key() + " describes pack " + index.packId());
                }
                index.blobs().forEach(b -> out.putIfAbsent(b.blobId(), b));
            }
        } catch (StorageException e) {
            throw new IOException("Could not read the pack indexes: " + e.getMessage(), e);
        }
        return out;
    }

    // ---- locating and checking ----

    /** A blob to read and the file that names it (for the messages). */
    private record Ref(BlobLocation location, String path) {
    }

    private List<Ref> locate(List<FilestoreIndex.Entry> entries) throws IOException {
        List<Ref> refs = new ArrayList<>();
        for (FilestoreIndex.Entry e : entries) {
            for (String id : e.blobs()) {
                refs.add(new Ref(location(id, e.path()), e.path()));
            }
        }
        return refs;
    }

    private BlobLocation location(String id, String path) throws BlobMissingException {
        BlobLocation l = locations.apply(id);
        if (l == null) {
            throw new BlobMissingException("Blob " + id + " of file " + path + " has no location on this destination");
        }
        if (!l.blobId().equals(id)) {
            throw new BlobMissingException("Blob " + id + " of file " + path + " is located as " + l.blobId());
        }
        return l;
    }

    private static long checkedLength(FilestoreIndex.Entry e, long written, int chunk) throws BlobCorruptException {
        long n = written + chunk;
        if (n > e.size()) {
            throw new BlobCorruptException("The blobs of file " + e.path() + " hold more than its " + e.size()
                    + " bytes");
        }
        return n;
    }

    private static void checkComplete(FilestoreIndex.Entry e, long written) throws BlobCorruptException {
        if (written != e.size()) {
            throw new BlobCorruptException("The blobs of file " + e.path() + " hold " + written + " bytes, not "
                    + e.size());
        }
    }

    /** Decrypts (GCM tag), decodes (codec) and checks the HMAC of one stored blob. */
    static byte[] decode(BlobKeys keys, Mac mac, BlobLocation l, byte[] stored, String path)
            throws BlobCorruptException {
        String where = "Blob " + l.blobId() + " of file " + path + " (pack " + l.packId() + ")";
        byte[] plain;
        try {
            plain = keys.decryptBlob(l.blobId(), stored);
        } catch (GeneralSecurityException e) {
            throw new BlobCorruptException(where + " does not decrypt: its bytes were changed", e);
        }
        if (plain.length < 1) {
            throw new BlobCorruptException(where + " is empty");
        }
        byte[] chunk;
        if (plain[0] == 0) {
            chunk = Arrays.copyOfRange(plain, 1, plain.length);
        } else if (plain[0] == 1) {
            long size = Zstd.getFrameContentSize(plain, 1, plain.length - 1);
            if (size < 0 || size > MAX_CHUNK_BYTES) {
                throw new BlobCorruptException(where + " is not one zstd frame with its size");
            }
            chunk = new byte[(int) size];
            long n;
            try {
                n = Zstd.decompressByteArray(chunk, 0, chunk.length, plain, 1, plain.length - 1);
            } catch (RuntimeException e) {
                throw new BlobCorruptException(where + " does not decompress: " + e.getMessage(), e);
            }
            if (Zstd.isError(n) || n != size) {
                throw new BlobCorruptException(where + " does not decompress to the size its frame says");
            }
        } else {
            throw new BlobCorruptException(where + " has an unknown codec " + plain[0]);
        }
        mac.update(chunk);
        if (!HexFormat.of().formatHex(mac.doFinal()).equals(l.blobId())) {
            throw new BlobCorruptException(where + " does not hash to its id");
        }
        return chunk;
    }

    // ---- writing ----

    private static Path confined(Path root, String path) throws IOException {
        boolean bad = path.isEmpty() || path.startsWith("/") || path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0;
        if (!bad) {
            for (String segment : path.split("/", -1)) {
                if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                    bad = true;
                    break;
                }
            }
        }
        Path dest = bad ? null : root.resolve(path).normalize();
        if (dest == null || !dest.startsWith(root) || dest.equals(root)) {
            throw new IOException("Index entry '" + path + "' points outside the target directory");
        }
        return dest;
    }

    private static void createDirectory(Path dest) throws IOException {
        try {
            Files.createDirectories(dest);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("Cannot restore the directory " + dest.getFileName() + ": a file is in its place", e);
        }
    }

    private static void setModeAndTime(Path dest, FilestoreIndex.Entry e, boolean posix) throws IOException {
        if (posix) {
            Files.setPosixFilePermissions(dest, permissions(e.mode()));
        }
        Files.setLastModifiedTime(dest, FileTime.from(e.mtime(), TimeUnit.NANOSECONDS));
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                out.add(order[bit]);
            }
        }
        return out;
    }

    private static void report(LongConsumer progress, long n) {
        if (progress != null) {
            progress.accept(n);
        }
    }

    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            flush(); // the caller owns the stream
        }
    }

    // ---- the reader thread ----

    /**
     * Reads {@code refs} in order on its own thread, coalescing runs of adjacent blobs of a pack into
     * one ranged read; {@value #DECODERS} threads decrypt, decode and check them (AES-GCM costs more
     * than the read), and the chunks are handed over, in order, through a small queue.
     */
    private final class Reader implements AutoCloseable {
        final List<Ref> refs;
        final BlockingQueue<Future<byte[]>> queue = new ArrayBlockingQueue<>(QUEUED_BLOBS);
        final ExecutorService decoders = Executors.newFixedThreadPool(DECODERS,
                Thread.ofPlatform().daemon().name("blob-decoder-", 0).factory());
        final Thread thread;
        volatile boolean closed;

        Reader(List<Ref> refs) {
            this.refs = refs;
            this.thread = Thread.ofPlatform().daemon().name("blob-reader").start(this::run);
        }

        byte[] next() throws IOException {
            try {
                return queue.take().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("Interrupted while reading the filestore's blobs");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IOException("Could not read the filestore's blobs: " + e.getCause().getMessage(),
                        e.getCause());
            }
        }

        private void run() {
            InputStream in = null;
            String pack = null;
            long pos = 0;
            long end = 0;
            try {
                for (int i = 0; i < refs.size() && !closed; i++) {
                    Ref r = refs.get(i);
                    BlobLocation l = r.location();
                    if (l.length() < 1 || l.length() > MAX_CHUNK_BYTES + 1024 || l.offset() < 0) {
                        throw new BlobCorruptException("Blob " + l.blobId() + " of file " + r.path()
                                + " has an impossible location");
                    }
                    if (in == null || !l.packId().equals(pack) || l.offset() != pos || l.offset() + l.length() > end) {
                        closeQuietly(in);
                        in = null;
                        long start = l.offset();
                        end = start + l.length();
                        for (int j = i + 1; j < refs.size(); j++) {
                            BlobLocation n = refs.get(j).location();
                            if (!n.packId().equals(l.packId()) || n.offset() != end
                                    || end + n.length() - start > MAX_RANGE_BYTES) {
                                break;
                            }
                            end += n.length();
                        }
                        pack = l.packId();
                        pos = start;
                        in = open(BlobLayout.packKey(orgId, environmentId, pack), start, end - start, r);
                    }
                    byte[] stored = read(in, l, r);
                    pos += l.length();
                    FutureTask<byte[]> task = new FutureTask<>(() -> decode(keys, keys.mac(), l, stored, r.path()));
                    put(task);
                    decoders.execute(task);
                }
            } catch (IOException e) {
                offerFailure(e);
            } catch (StorageException e) {
                offerFailure(new IOException("Could not read pack " + pack + ": " + e.getMessage(), e));
            } catch (InterruptedException e) {
                // closed
            } catch (RuntimeException e) {
                offerFailure(new IOException("Could not read the filestore's blobs: " + e.getMessage(), e));
            } finally {
                closeQuietly(in);
            }
        }

        private InputStream open(String key, long offset, long length, Ref r) throws IOException {
            try {
                return storage.get(key, offset, length);
            } catch (StorageException e) {
                if (StorageException.isNotFound(e)) {
                    throw new BlobMissingException("Pack " + r.location().packId() + " holding blob "
                            + r.location().blobId() + " of file " + r.path() + " is not on the destination", e);
                }
                throw new IOException("Could not read pack " + r.location().packId() + ": " + e.getMessage(), e);
            }
        }

        private byte[] read(InputStream in, BlobLocation l, Ref r) throws IOException {
            byte[] stored;
            try {
                stored = in.readNBytes(l.length());
            } catch (StorageException e) {
                if (StorageException.isNotFound(e)) {
                    throw new BlobMissingException("Pack " + l.packId() + " holding blob " + l.blobId() + " of file "
                            + r.path() + " is not on the destination", e);
                }
                throw e;
            }
            if (stored.length < l.length()) {
                throw new BlobMissingException("Pack " + l.packId() + " ends before blob " + l.blobId() + " of file "
                        + r.path() + " (" + stored.length + " of its " + l.length() + " bytes)");
            }
            return stored;
        }

        private void put(Future<byte[]> item) throws InterruptedException {
            while (!closed) {
                if (queue.offer(item, 50, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        }

        private void offerFailure(IOException e) {
            try {
                put(CompletableFuture.failedFuture(e));
            } catch (InterruptedException ignored) {
                // closed
            }
        }

        @Override
        public void close() {
            closed = true;
            thread.interrupt();
            queue.clear();
            decoders.shutdownNow();
            try {
                // A read stuck in the network may not heed the interrupt: it is a daemon, left to end alone.
                thread.join(java.time.Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException | RuntimeException ignored) {
                // reading is over
            }
        }
    }
}
