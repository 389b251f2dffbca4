package io.ocore.backups.platform.backupformat.blobs;

import com.github.luben.zstd.ZstdCompressCtx;
import io.ocore.backups.platform.backupformat.ComponentWriter;
import io.ocore.backups.platform.backupformat.FanOut;
import io.ocore.backups.platform.backupformat.TarArchives;
import io.ocore.backups.platform.storage.BackupStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import javax.crypto.Mac;

/**
 * Writes a filestore into the environment's blob store (ADR 0015): walks the directory sorted by
 * path, reuses the blob ids of files unchanged since {@code previous} (path, size, mtime, ctime)
 * without reading them, reads, chunks and names the others, packs every blob a destination does
 * not hold yet (one pack stream per set of destinations lacking it: each byte compressed,
 * encrypted and hashed once), stores each pack then its index, tells the catalogue, and writes the
 * index's plaintext lines to {@code indexOut}. A destination whose upload fails is reported in
 * {@link Result#failures()} and gets nothing more; the others go on.
 *
 * <p>Stages run at once: the caller's thread walks, reads and names (HMAC) the chunks and writes
 * the index; {@value #ENCODERS} encoder threads compress and encrypt the blobs some destination
 * lacks; a packer thread appends them, in the walk's order, to the open packs;
 * each pack's {@link FanOut} uploads it to its destinations on their own threads, and a closer
 * thread finishes a full pack (waits for its uploads, stores its index, tells the catalogue)
 * while the next one fills. Memory: {@value #QUEUED_BLOBS} chunks (and their stored forms) between the first stages,
 * and per open or closing pack its fan-out's {@code (queue + 2)} MiB, whatever the filestore's size.
 */
public final class FilestoreWriter {

    /** Chunks waiting between the reader and the packer. */
    static final int QUEUED_BLOBS = 4;
    /**
     * Threads compressing and encrypting chunks: AES-GCM and zstd cost far more than reading and
     * naming, so two share that work (results packed in the walk's order).
     */
    static final int ENCODERS = 2;
    /**
     * Packs whose uploads are being finished while the next one fills. One: each closing pack holds
     * its fan-out's queue and an S3 part buffer (about 14 MiB), and with two the in-flight data of a
     * two-destination full backup came within a few MiB of backup-service's 96 MiB heap (its
     * collector ran most of the time; 2026-12-03, docs/adr/0016-jvm-memory-budget.md).
     */
    static final int CLOSING_PACKS = 1;
    private static final int FAN_CHUNK_BYTES = 1 << 20;
    private static final int FAN_QUEUE_CHUNKS = 4;

    /**
     * @param chunkBytes       the most bytes of a blob ({@link BlobLayout#CHUNK_BYTES})
     * @param packTargetBytes  a pack is closed at this size ({@link BlobLayout#PACK_TARGET_BYTES})
     * @param uploadStallAfter a destination that takes no data for this long is dropped
     */
    public record Options(int chunkBytes, int packTargetBytes, Duration uploadStallAfter) {
        public static Options defaults() {
            return new Options(BlobLayout.CHUNK_BYTES, BlobLayout.PACK_TARGET_BYTES, Duration.ofMinutes(5));
        }
    }

    /** A destination the filestore goes to. */
    public record Destination(UUID id, BackupStorage storage) {
    }

    /**
     * @param files            regular files listed in the index
     * @param rawBytes         their total size
     * @param unreadFiles      files whose blobs came from the change cache, unread
     * @param newBlobs         blobs packed by this backup (on at least one destination)
     * @param uploadedBytes    destination -> stored pack and pack-index bytes it received
     * @param failures         destination -> why it failed (it holds no usable copy)
     * @param referencedBlobs  every blob id the index names, encoded by {@link BlobRefs#encode}
     * @param notes            what changed under the walk (vanished, reread, skipped files)
     */
    public record Result(long files, long rawBytes, long unreadFiles, long newBlobs, Map<UUID, Long> uploadedBytes,
            Map<UUID, Throwable> failures, byte[] referencedBlobs, List<String> notes) {
    }

    private final BlobKeys keys;
    private final UUID orgId;
    private final UUID environmentId;
    private final Options options;

    public FilestoreWriter(BlobKeys keys, UUID orgId, UUID environmentId, Options options) {
        if (options.chunkBytes() < 1 || options.packTargetBytes() < 1) {
            throw new IllegalArgumentException("chunkBytes and packTargetBytes must be positive");
        }
        this.keys = keys;
        this.orgId = orgId;
        this.environmentId = environmentId;
        this.options = options;
    }

    /**
     * @param previous    the previous blob-store backup's entries by path (empty: read every file)
     * @param indexOut    receives the index's plaintext (the component pipeline compresses and encrypts it)
     * @param progress    called with the running count of filestore bytes handled (read or reused)
     * @throws IOException the filestore could not be read (every destination is then failed)
     */
    public Result write(Path dir, List<Destination> destinations, BlobCatalogue catalogue,
            Map<String, FilestoreIndex.Entry> previous, OutputStream indexOut, TarArchives.ReadHook hook,
            LongConsumer progress) throws IOException {
        Run run = new Run(destinations, catalogue, previous == null ? Map.of() : previous, indexOut,
                progress == null ? n -> { } : progress);
        return run.go(dir, hook == null ? TarArchives.ReadHook.NONE : hook);
    }

    /** A chunk to pack: its id, bytes and size. */
    private record Chunk(String id, byte[] data, int length) {
    }

    /** A chunk encoded: the destinations that lacked it and its stored bytes (null when none lacked it). */
    private record Encoded(String id, int rawLength, Set<UUID> lacking, byte[] stored) {
    }

    private static final Future<Encoded> END = CompletableFuture.completedFuture(null);

    /** One read of a file: its blob ids and bytes; {@code cached} when taken from the previous index unread. */
    private record FileRead(List<String> blobs, long length, boolean cached) {
    }

    /** One backup's write. */
    private final class Run implements TarArchives.WalkVisitor<FileRead> {
        final List<Destination> destinations;
        final Map<UUID, BackupStorage> storages = new LinkedHashMap<>();
        final BlobCatalogue catalogue;
        final Map<String, FilestoreIndex.Entry> previous;
        final FilestoreIndex.Writer index;
        final LongConsumer progress;
        final Set<UUID> alive = ConcurrentHashMap.newKeySet();
        final Map<UUID, Throwable> failures = new ConcurrentHashMap<>();
        final Map<UUID, AtomicLong> uploaded = new ConcurrentHashMap<>();
        /** Ids handed to the packer: never packed twice in one backup. */
        final Set<String> sent = new HashSet<>();
        /** Ids the index names. */
        final Set<String> referenced = new HashSet<>();
        /** Chunks being or to be encoded, in the walk's order: the packer takes them in that order. */
        final BlockingQueue<Future<Encoded>> queue = new ArrayBlockingQueue<>(QUEUED_BLOBS);
        final ExecutorService encoders = Executors.newFixedThreadPool(ENCODERS,
                Thread.ofPlatform().daemon().name("blob-encoder-", 0).factory());
        final BlockingQueue<ZstdCompressCtx> compressors = new ArrayBlockingQueue<>(ENCODERS);
        final Mac mac = keys.mac();
        final byte[] buffer = new byte[options.chunkBytes()];
        final Thread packer;
        final ExecutorService closer = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("blob-pack-closer").factory());
        final Semaphore closing = new Semaphore(CLOSING_PACKS);
        volatile Throwable packerFailure;
        volatile boolean aborted;
        final AtomicLong newBlobs = new AtomicLong();
        long files;
        long rawBytes;
        long unreadFiles;
        long handled;

        Run(List<Destination> destinations, BlobCatalogue catalogue, Map<String, FilestoreIndex.Entry> previous,
                OutputStream indexOut, LongConsumer progress) throws IOException {
            this.destinations = List.copyOf(destinations);
            for (Destination d : destinations) {
                storages.put(d.id(), d.storage());
                alive.add(d.id());
                uploaded.put(d.id(), new AtomicLong());
            }
            this.catalogue = catalogue;
            this.previous = previous;
            this.index = new FilestoreIndex.Writer(indexOut, options.chunkBytes());
            this.progress = progress;
            this.packer = Thread.ofPlatform().daemon().name("blob-packer").unstarted(new Packer());
            for (int i = 0; i < ENCODERS; i++) {
                ZstdCompressCtx z = new ZstdCompressCtx();
                z.setLevel(ComponentWriter.ZSTD_LEVEL);
                compressors.add(z);
            }
        }

        Result go(Path dir, TarArchives.ReadHook hook) throws IOException {
            packer.start();
            List<String> notes;
            try {
                notes = TarArchives.walk(dir, hook, this);
                index.finish();
                enqueue(END);
                join();
            } catch (IOException | RuntimeException | Error e) {
                aborted = true;
                queue.clear();
                queue.offer(END);
                join();
                throw e;
            } finally {
                encoders.shutdownNow();
                try {
                    encoders.awaitTermination(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                compressors.forEach(ZstdCompressCtx::close);
            }
            if (packerFailure != null) {
                throw new IOException("Packing the filestore failed: " + packerFailure.getMessage(), packerFailure);
            }
            Map<UUID, Long> bytes = new LinkedHashMap<>();
            Map<UUID, Throwable> failed = new LinkedHashMap<>();
            for (Destination d : destinations) {
                bytes.put(d.id(), uploaded.get(d.id()).get());
                if (failures.containsKey(d.id())) {
                    failed.put(d.id(), failures.get(d.id()));
                }
            }
            return new Result(files, rawBytes, unreadFiles, newBlobs.get(), bytes, failed,
                    BlobRefs.encode(referenced), notes);
        }

        /** Waits for the packer, then for every pack being closed. */
        private void join() throws InterruptedIOException {
            try {
                packer.join();
                closer.shutdown();
                while (!closer.awaitTermination(1, TimeUnit.SECONDS)) {
                    // a pack's uploads are finishing; FanOut drops a stalled one
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                packer.interrupt();
                closer.shutdownNow();
                throw new InterruptedIOException("Interrupted while the filestore's packs were stored");
            }
        }

        /** Queues the chunk to be encoded (waiting while {@value #QUEUED_BLOBS} are queued), then starts encoding it. */
        private void put(Chunk c) throws IOException {
            FutureTask<Encoded> task = new FutureTask<>(() -> encode(c));
            enqueue(task);
            encoders.execute(task);
        }

        private void enqueue(Future<Encoded> f) throws IOException {
            try {
                while (!queue.offer(f, 50, TimeUnit.MILLISECONDS)) {
                    if (packerFailure != null || !packer.isAlive()) {
                        throw new IOException("Packing the filestore failed: "
                                + (packerFailure == null ? "the packer stopped" : packerFailure.getMessage()),
                                packerFailure);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("Interrupted while reading the filestore");
            }
        }

        void fail(UUID destination, Throwable why) {
            failures.putIfAbsent(destination, why);
            alive.remove(destination);
        }

        // ---- the walk (caller's thread): read, chunk, name, index ----

        @Override
        public void directory(String name, Path path, TarArchives.FileStat stat) throws IOException {
            index.add(new FilestoreIndex.Entry(name, FilestoreIndex.Type.dir, stat.mode(), 0, nanos(stat.mtime()),
                    0, List.of()));
        }

        @Override
        public FileRead read(String name, Path path, TarArchives.FileStat before) throws IOException {
            FilestoreIndex.Entry prev = previous.get(name);
            if (prev != null && prev.type() == FilestoreIndex.Type.file && prev.size() == before.size()
                    && prev.mtime() == nanos(before.mtime()) && prev.ctime() != 0
                    && prev.ctime() == nanos(before.ctime()) && heldEverywhere(prev.blobs())) {
                return new FileRead(prev.blobs(), before.size(), true);
            }
            List<String> ids = new ArrayList<>();
            long length = 0;
            int chunkBytes = buffer.length;
            try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
                while (true) {
                    int n = in.readNBytes(buffer, 0, chunkBytes);
                    if (n == 0) {
                        break;
                    }
                    mac.update(buffer, 0, n);
                    String id = HexFormat.of().formatHex(mac.doFinal());
                    ids.add(id);
                    length += n;
                    if (!referenced.contains(id) && sent.add(id)) {
                        put(new Chunk(id, Arrays.copyOf(buffer, n), n));
                    }
                    handled += n;
                    progress.accept(handled);
                    if (n < chunkBytes) {
                        break;
                    }
                }
            }
            return new FileRead(ids, length, false);
        }

        /** Whether every live destination holds every blob (or this backup packs it): the change cache may be used. */
        private boolean heldEverywhere(List<String> blobs) {
            for (String id : blobs) {
                if (sent.contains(id)) {
                    continue;
                }
                for (UUID d : alive) {
                    if (!catalogue.holds(d, id)) {
                        return false;
                    }
                }
            }
            return true;
        }

        @Override
        public long length(FileRead read) {
            return read.length();
        }

        @Override
        public void file(String name, Path path, TarArchives.FileStat after, FileRead read, boolean stable)
                throws IOException {
            // A file stored as last read while it changed gets no ctime: the next backup reads it again.
            index.add(new FilestoreIndex.Entry(name, FilestoreIndex.Type.file, after.mode(), read.length(),
                    nanos(after.mtime()), stable ? nanos(after.ctime()) : 0, read.blobs()));
            referenced.addAll(read.blobs());
            files++;
            rawBytes += read.length();
            if (read.cached()) {
                unreadFiles++;
                handled += read.length();
                progress.accept(handled);
            }
        }

        // ---- the packer thread: compress, encrypt, pack ----

        /** On an encoder thread: which live destinations lack the chunk, and if any, its stored bytes. */
        private Encoded encode(Chunk c) throws InterruptedException {
            Set<UUID> lacking = new LinkedHashSet<>();
            for (Destination d : destinations) {
                if (alive.contains(d.id()) && !catalogue.holds(d.id(), c.id())) {
                    lacking.add(d.id());
                }
            }
            if (lacking.isEmpty()) {
                return new Encoded(c.id(), c.length(), lacking, null);
            }
            byte[] plain;
            ZstdCompressCtx zstd = compressors.take();
            try {
                byte[] compressed = zstd.compress(c.data()); // exactly the chunk: read() copied it
                if (compressed.length < c.length()) { // codec 1: one zstd frame
                    plain = new byte[compressed.length + 1];
                    plain[0] = 1;
                    System.arraycopy(compressed, 0, plain, 1, compressed.length);
                } else { // codec 0: the chunk as is
                    plain = new byte[c.length() + 1];
                    System.arraycopy(c.data(), 0, plain, 1, c.length());
                }
            } finally {
                compressors.add(zstd);
            }
            return new Encoded(c.id(), c.length(), lacking, keys.encryptBlob(c.id(), plain));
        }

        // ---- the packer thread: pack in the walk's order ----

        private final class Packer implements Runnable {
            final Map<Set<UUID>, Pack> open = new HashMap<>();

            @Override
            public void run() {
                try {
                    while (true) {
                        Future<Encoded> f = queue.take();
                        if (f == END) {
                            break;
                        }
                        Encoded e;
                        try {
                            e = f.get();
                        } catch (ExecutionException ex) {
                            throw ex.getCause();
                        }
                        if (e.stored() != null) {
                            pack(e);
                        }
                    }
                    if (aborted) {
                        open.values().forEach(p -> p.fan.abort(new IOException("The filestore could not be read")));
                    } else {
                        for (Pack p : open.values()) {
                            close(p);
                        }
                    }
                } catch (Throwable t) {
                    if (!aborted) {
                        packerFailure = t;
                    }
                    open.values().forEach(p -> p.fan.abort(t));
                } finally {
                    open.clear();
                }
            }

            private void pack(Encoded c) throws InterruptedException {
                Set<UUID> lacking = new LinkedHashSet<>(c.lacking());
                lacking.retainAll(alive);
                if (lacking.isEmpty()) {
                    return;
                }
                Pack pack = open.computeIfAbsent(lacking, Pack::new);
                try {
                    pack.add(c.id(), c.stored(), c.rawLength());
                } catch (IOException e) { // every destination of the pack failed
                    open.remove(lacking);
                    pack.fan.abort(e);
                    pack.fan.failures().forEach((d, why) -> fail(UUID.fromString(d), why));
                    lacking.forEach(d -> fail(d, e));
                    return;
                }
                newBlobs.incrementAndGet();
                pack.fan.failures().forEach((d, why) -> fail(UUID.fromString(d), why));
                if (pack.bytes >= options.packTargetBytes()) {
                    open.remove(lacking);
                    close(pack);
                }
            }

            private void close(Pack pack) throws InterruptedException {
                closing.acquire();
                closer.execute(() -> {
                    try {
                        pack.close();
                    } finally {
                        closing.release();
                    }
                });
            }
        }

        /** One pack being written to one set of destinations. */
        private final class Pack {
            final String packId = BlobLayout.newPackId();
            final Set<UUID> targets;
            final FanOut fan;
            final List<BlobLocation> blobs = new ArrayList<>();
            long bytes;

            Pack(Set<UUID> targets) {
                this.targets = Set.copyOf(targets);
                String key = BlobLayout.packKey(orgId, environmentId, packId);
                Map<String, FanOut.Consumer> consumers = new LinkedHashMap<>();
                for (UUID d : targets) {
                    BackupStorage storage = storages.get(d);
                    consumers.put(d.toString(), in -> storage.put(key, in));
                }
                this.fan = new FanOut(FAN_CHUNK_BYTES, FAN_QUEUE_CHUNKS, consumers, options.uploadStallAfter());
            }

            void add(String id, byte[] stored, int rawLength) throws IOException {
                fan.write(stored);
                blobs.add(new BlobLocation(id, packId, bytes, stored.length, rawLength));
                bytes += stored.length;
            }

            /** Ends the uploads; stores the index where the pack is whole; tells the catalogue. */
            void close() {
                try {
                    fan.finish();
                } catch (IOException | RuntimeException e) {
                    fan.abort(e);
                    targets.forEach(d -> fail(d, e));
                    return;
                }
                fan.failures().forEach((d, why) -> fail(UUID.fromString(d), why));
                PackIndex packIndex = new PackIndex(packId, blobs);
                byte[] encrypted = keys.encryptPackIndex(packId, packIndex.toJson());
                String packKey = BlobLayout.packKey(orgId, environmentId, packId);
                String indexKey = BlobLayout.packIndexKey(orgId, environmentId, packId);
                Set<UUID> stored = new LinkedHashSet<>();
                for (String s : fan.succeeded()) {
                    UUID d = UUID.fromString(s);
                    BackupStorage storage = storages.get(d);
                    if (!alive.contains(d)) { // failed elsewhere meanwhile: it gets nothing more
                        deleteQuietly(storage, packKey);
                        continue;
                    }
                    uploaded.get(d).addAndGet(bytes);
                    try {
                        storage.put(indexKey, BackupStorage.StreamSource.ofBytes(encrypted));
                        uploaded.get(d).addAndGet(encrypted.length);
                        stored.add(d);
                    } catch (RuntimeException e) {
                        fail(d, e);
                        deleteQuietly(storage, packKey);
                    }
                }
                if (stored.isEmpty()) {
                    return;
                }
                try {
                    catalogue.packStored(Set.copyOf(stored), packIndex, bytes);
                } catch (RuntimeException e) {
                    stored.forEach(d -> fail(d, e));
                }
            }
        }
    }

    private static void deleteQuietly(BackupStorage storage, String key) {
        try {
            storage.delete(key);
        } catch (RuntimeException ignored) {
            // the destination is failed already; an unrecorded pack is only wasted space
        }
    }

    static long nanos(java.nio.file.attribute.FileTime t) {
        if (t == null) {
            return 0;
        }
        java.time.Instant i = t.toInstant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
