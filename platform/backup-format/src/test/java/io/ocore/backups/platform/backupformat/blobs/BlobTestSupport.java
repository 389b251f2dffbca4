package io.ocore.backups.platform.backupformat.blobs;

import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.Capabilities;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.ProbeResult;
import io.ocore.backups.platform.storage.StorageException;
import io.ocore.backups.platform.storage.StoredObject;
import io.ocore.backups.platform.storage.local.LocalConfig;
import io.ocore.backups.platform.storage.local.LocalStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** Real local destinations, a catalogue over a map, and sample filestores for the blob-store tests. */
final class BlobTestSupport {

    static final UUID ORG = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
    static final UUID ENV = UUID.fromString("00000000-0000-0000-0000-0000000000e1");

    private BlobTestSupport() {
    }

    static BlobKeys keys() {
        byte[] material = new byte[BlobKeys.KEY_BYTES];
        new Random(7).nextBytes(material);
        return BlobKeys.of(material);
    }

    static BackupStorage local(Path dir) throws IOException {
        return new LocalStorage(new LocalConfig(Files.createDirectories(dir).toRealPath()));
    }

    /** The catalogue backup-service keeps, over a map: destination -> blob id -> location. */
    static final class MapCatalogue implements BlobCatalogue {
        final Map<UUID, Map<String, BlobLocation>> located = new ConcurrentHashMap<>();
        final List<PackIndex> packs = new CopyOnWriteArrayList<>();

        @Override
        public boolean holds(UUID destinationId, String blobId) {
            return located.getOrDefault(destinationId, Map.of()).containsKey(blobId);
        }

        @Override
        public void packStored(Set<UUID> destinationIds, PackIndex index, long packBytes) {
            packs.add(index);
            for (UUID d : destinationIds) {
                Map<String, BlobLocation> m = located.computeIfAbsent(d, k -> new ConcurrentHashMap<>());
                index.blobs().forEach(b -> m.put(b.blobId(), b));
            }
        }

        Map<String, BlobLocation> of(UUID destination) {
            return located.getOrDefault(destination, Map.of());
        }
    }

    /** A destination whose puts of keys matching {@code failing} throw; records every key put. */
    static final class Flaky implements BackupStorage {
        final BackupStorage delegate;
        volatile Predicate<String> failing;
        final List<String> puts = new CopyOnWriteArrayList<>();

        Flaky(BackupStorage delegate, Predicate<String> failing) {
            this.delegate = delegate;
            this.failing = failing;
        }

        @Override
        public StoredObject put(String key, InputStream data) {
            if (failing.test(key)) {
                try {
                    data.readNBytes(1000);
                } catch (IOException ignored) {
                    // failing anyway
                }
                throw new StorageException(StorageException.Kind.TRANSIENT, "injected failure storing " + key);
            }
            puts.add(key);
            return delegate.put(key, data);
        }

        @Override
        public InputStream get(String key) {
            return delegate.get(key);
        }

        @Override
        public InputStream get(String key, long offset, long length) {
            return delegate.get(key, offset, length);
        }

        @Override
        public List<StoredObject> list(String prefix) {
            return delegate.list(prefix);
        }

        @Override
        public void delete(String key) {
            delegate.delete(key);
        }

        @Override
        public ProbeResult probe() {
            return delegate.probe();
        }

        @Override
        public Capabilities capabilities() {
            return delegate.capabilities();
        }

        @Override
        public DestinationType type() {
            return delegate.type();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /**
     * A filestore like Odoo's ({@code <2 hex>/<sha1>}) plus edge cases: compressible text, random
     * bytes over several chunks, an empty file, the same content twice, an empty directory.
     */
    static Path sampleFilestore(Path tmp, int chunkBytes) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("filestore"));
        Random r = new Random(42);
        Files.createDirectories(dir.resolve("ab"));
        Files.createDirectories(dir.resolve("cd"));
        Files.createDirectories(dir.resolve("empty-dir"));
        Files.writeString(dir.resolve("ab/ab01"), "invoice line\n".repeat(5000));
        byte[] random = new byte[chunkBytes * 2 + 123];
        r.nextBytes(random);
        Files.write(dir.resolve("ab/ab02"), random);
        Files.write(dir.resolve("cd/cd01"), new byte[0]);
        Files.write(dir.resolve("cd/cd02-same-as-ab02"), random);
        byte[] exact = new byte[chunkBytes];
        r.nextBytes(exact);
        Files.write(dir.resolve("cd/cd03-exactly-one-chunk"), exact);
        Files.writeString(dir.resolve("cd/ünï cödé name"), "odd name");
        return dir;
    }

    static List<FilestoreWriter.Destination> destinations(BackupStorage... storages) {
        List<FilestoreWriter.Destination> out = new ArrayList<>();
        for (int i = 0; i < storages.length; i++) {
            out.add(new FilestoreWriter.Destination(UUID.fromString("00000000-0000-0000-0000-00000000000" + (i + 1)),
                    storages[i]));
        }
        return out;
    }
}
