package io.ocore.backups.platform.backupformat;

import io.ocore.backups.platform.backupformat.blobs.BlobKeys;
import io.ocore.backups.platform.backupformat.blobs.BlobLayout;
import io.ocore.backups.platform.backupformat.blobs.BlobLocation;
import io.ocore.backups.platform.backupformat.blobs.FilestoreAssembler;
import io.ocore.backups.platform.backupformat.blobs.FilestoreIndex;
import io.ocore.backups.platform.backupformat.wal.WalObject;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.Capabilities;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.ProbeResult;
import io.ocore.backups.platform.storage.StoredObject;
import io.ocore.backups.platform.storage.local.LocalConfig;
import io.ocore.backups.platform.storage.local.LocalStorage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Restores a component by hand, with no service running: verifies, decrypts and decompresses one
 * downloaded component file using its manifest and the master key.
 *
 * <pre>
 * java -cp platform-backup-format.jar:... io.ocore.backups.platform.backupformat.Unpack \
 *     --manifest manifest.json --master-key-file master.key --component database \
 *     --in database.dump.zst.enc --out database.dump
 * </pre>
 *
 * A filestore stored by content (manifest format 2, layout {@code blob-index}) needs the blobs too:
 * {@code --blobs DIR} is a local copy of the destination's {@code <orgId>/<envId>/blobs/} folder
 * (or of the destination's root holding it); the output is then the filestore as a POSIX tar, the
 * same as a version-1 filestore component gives:
 *
 * <pre>
 * ... Unpack --manifest manifest.json --master-key-file master.key --component filestore \
 *     --in filestore.index.zst.enc --blobs blobs/ --out filestore.tar
 * </pre>
 *
 * An archived WAL file (docs/backup-format.md "WAL files") needs no manifest: its header names
 * the environment, the file and the wrapped data key; the output is the WAL file as PostgreSQL
 * wrote it, its size and SHA-256 checked against the header:
 *
 * <pre>
 * ... Unpack --wal 000000010000000000000002 --master-key-file master.key --out 000000010000000000000002
 * </pre>
 *
 * {@code --master-key-file} holds the base64 master key (as {@code OCORE_MASTER_KEY}); its id
 * is taken from the manifest unless {@code --master-key-id} says otherwise. Exit 0 on success,
 * 1 on a checksum mismatch, decryption failure, missing or corrupt blob (the output is then
 * deleted), 2 on bad usage.
 */
public final class Unpack {

    private Unpack() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line; answers the exit status (main exits with it). */
    public static int run(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                return usage("Unexpected argument " + args[i]);
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        if (opts.containsKey("wal")) {
            return unpackWal(opts);
        }
        for (String required : new String[] {"manifest", "master-key-file", "component", "in", "out"}) {
            if (!opts.containsKey(required)) {
                return usage("Missing --" + required);
            }
        }
        Path out = Path.of(opts.get("out"));
        try {
            BackupManifest manifest = BackupManifest.fromJson(Files.readAllBytes(Path.of(opts.get("manifest"))));
            ComponentName name = ComponentName.of(opts.get("component"));
            BackupManifest.Component c = manifest.component(name).orElseThrow(
                    () -> new IllegalArgumentException("The manifest lists no " + name + " component"));
            String keyId = opts.getOrDefault("master-key-id", c.encryption().masterKeyId());
            String key = Files.readString(Path.of(opts.get("master-key-file"))).trim();
            EnvelopeCipher cipher = new EnvelopeCipher(keyId, Map.of(keyId, key));
            if (c.isBlobIndex()) {
                if (!opts.containsKey("blobs")) {
                    return usage("The " + name + " component is stored by content: give --blobs DIR (a copy of the"
                            + " destination's " + BlobLayout.blobsDir(manifest.orgId(), manifest.environmentId())
                            + " folder)");
                }
                // The blob-store key was sealed at the environment's first blob-store backup: by the
                // master key its sealed form names, unless --master-key-id says otherwise.
                String sealed = manifest.blobStore() == null ? null : manifest.blobStore().sealedKey();
                String blobKeyId = opts.getOrDefault("master-key-id",
                        sealed == null || EnvelopeCipher.keyIdOf(sealed) == null ? keyId : EnvelopeCipher.keyIdOf(sealed));
                unpackBlobIndex(manifest, c, cipher, new EnvelopeCipher(blobKeyId, Map.of(blobKeyId, key)),
                        Path.of(opts.get("in")), Path.of(opts.get("blobs")), out);
                return 0;
            }
            try (InputStream in = ComponentReader.open(Files.newInputStream(Path.of(opts.get("in"))), cipher,
                    manifest, name); OutputStream o = Files.newOutputStream(out)) {
                long n = in.transferTo(o);
                System.err.printf("%s: %d bytes written to %s (checksum verified)%n", name, n, out);
            }
            return 0;
        } catch (Exception e) {
            try {
                Files.deleteIfExists(out);
            } catch (java.io.IOException ignored) {
                // best effort
            }
            System.err.println("unpack failed: " + e.getMessage());
            return 1;
        }
    }

    /** The index decrypted and checked, every blob located by the pack indexes under {@code blobs}, written as a tar. */
    private static void unpackBlobIndex(BackupManifest manifest, BackupManifest.Component c, EnvelopeCipher cipher,
            EnvelopeCipher blobKeyCipher, Path in, Path blobs, Path out) throws IOException {
        if (manifest.blobStore() == null || manifest.blobStore().sealedKey() == null) {
            throw new IOException("The manifest has no blobStore.sealedKey: it cannot be read by content");
        }
        ComponentName name = ComponentName.of(c.name());
        FilestoreIndex.Contents index;
        try (InputStream plain = ComponentReader.open(Files.newInputStream(in), cipher, manifest, name)) {
            index = FilestoreIndex.read(plain);
        }
        BlobKeys keys = BlobKeys.unseal(blobKeyCipher, manifest.environmentId(), manifest.blobStore().sealedKey());
        try (BackupStorage folder = new BlobsFolder(blobs, manifest)) {
            Map<String, BlobLocation> locations = FilestoreAssembler.readPackIndexes(folder, keys, manifest.orgId(),
                    manifest.environmentId());
            FilestoreAssembler assembler = new FilestoreAssembler(keys, manifest.orgId(), manifest.environmentId(),
                    folder, locations::get);
            long size;
            try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16)) {
                size = assembler.writeTar(index.entries(), o, null);
            }
            System.err.printf("%s: %d entries, %d bytes of tar written to %s (every blob checked)%n", name,
                    index.entries().size(), size, out);
        }
    }

    /**
     * A local copy of a destination's blobs folder, read as the destination: keys under
     * {@code <orgId>/<envId>/blobs/} map to files under the folder. Read only.
     */
    private static final class BlobsFolder implements BackupStorage {
        private final String prefix;
        private final LocalStorage local;

        BlobsFolder(Path dir, BackupManifest manifest) throws IOException {
            this.prefix = BlobLayout.blobsDir(manifest.orgId(), manifest.environmentId());
            Path root = dir.toAbsolutePath().normalize();
            if (Files.isDirectory(root.resolve(prefix))) { // the destination's root was given
                root = root.resolve(prefix);
            }
            if (!Files.isDirectory(root.resolve("index")) || !Files.isDirectory(root.resolve("packs"))) {
                throw new IOException(dir + " has no index/ and packs/ folders: give a copy of the destination's "
                        + prefix + " folder");
            }
            this.local = new LocalStorage(new LocalConfig(root.toRealPath()));
        }

        private String strip(String key) {
            if (!key.startsWith(prefix)) {
                throw io.ocore.backups.platform.storage.StorageException.notFound(key);
            }
            return key.substring(prefix.length());
        }

        @Override
        public StoredObject put(String key, InputStream data) {
            throw new UnsupportedOperationException("read only");
        }

        @Override
        public InputStream get(String key) {
            return local.get(strip(key));
        }

        @Override
        public InputStream get(String key, long offset, long length) {
            return local.get(strip(key), offset, length);
        }

        @Override
        public List<StoredObject> list(String p) {
            if (!p.startsWith(prefix)) {
                return List.of();
            }
            return local.list(p.substring(prefix.length())).stream()
                    .map(o -> new StoredObject(prefix + o.key(), o.sizeBytes(), o.lastModified())).toList();
        }

        @Override
        public void delete(String key) {
            throw new UnsupportedOperationException("read only");
        }

        @Override
        public ProbeResult probe() {
            return local.probe();
        }

        @Override
        public Capabilities capabilities() {
            return local.capabilities();
        }

        @Override
        public DestinationType type() {
            return local.type();
        }

        @Override
        public void close() {
            local.close();
        }
    }

    /** {@code --wal FILE --master-key-file FILE --out FILE [--master-key-id ID]}: one archived WAL file. */
    private static int unpackWal(Map<String, String> opts) {
        for (String required : new String[] {"wal", "master-key-file", "out"}) {
            if (!opts.containsKey(required)) {
                return usage("Missing --" + required);
            }
        }
        Path in = Path.of(opts.get("wal"));
        Path out = Path.of(opts.get("out"));
        try {
            WalObject.Header header;
            try (InputStream s = Files.newInputStream(in)) {
                header = WalObject.readHeader(s);
            }
            String keyId = opts.getOrDefault("master-key-id", header.encryption().masterKeyId());
            String key = Files.readString(Path.of(opts.get("master-key-file"))).trim();
            EnvelopeCipher cipher = new EnvelopeCipher(keyId, Map.of(keyId, key));
            try (InputStream s = Files.newInputStream(in);
                    InputStream plain = WalObject.open(s, cipher, null, null, null).plaintext();
                    OutputStream o = Files.newOutputStream(out)) {
                long n = plain.transferTo(o);
                System.err.printf("%s: %d bytes written to %s (SHA-256 %s verified)%n", header.fileName(), n, out,
                        header.sha256());
            }
            return 0;
        } catch (Exception e) {
            try {
                Files.deleteIfExists(out);
            } catch (IOException ignored) {
                // best effort
            }
            System.err.println("unpack failed: " + e.getMessage());
            return 1;
        }
    }

    private static int usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: Unpack --manifest FILE --master-key-file FILE --component database|filestore|config"
                + " --in FILE --out FILE [--blobs DIR] [--master-key-id ID]");
        System.err.println("       Unpack --wal FILE --master-key-file FILE --out FILE [--master-key-id ID]");
        return 2;
    }
}
