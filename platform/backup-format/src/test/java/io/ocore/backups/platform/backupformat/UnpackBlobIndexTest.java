package io.ocore.backups.platform.backupformat;

import static org.assertj.core.api.Assertions.assertThat;

import io.ocore.backups.platform.backupformat.blobs.BlobCatalogue;
import io.ocore.backups.platform.backupformat.blobs.BlobKeys;
import io.ocore.backups.platform.backupformat.blobs.BlobLayout;
import io.ocore.backups.platform.backupformat.blobs.FilestoreWriter;
import io.ocore.backups.platform.backupformat.blobs.PackIndex;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.local.LocalConfig;
import io.ocore.backups.platform.storage.local.LocalStorage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A manual restore of a filestore stored by content: the index, a copy of the blobs folder, the master key. */
class UnpackBlobIndexTest {

    static final String MASTER = Base64.getEncoder().encodeToString(new byte[32]);
    final EnvelopeCipher cipher = new EnvelopeCipher("k1", Map.of("k1", MASTER));
    final UUID org = UUID.randomUUID();
    final UUID env = UUID.randomUUID();
    final UUID backupId = UUID.randomUUID();

    /** A format 2 backup of a sample filestore, written into {@code tmp/dest}; answers the filestore. */
    Path backup(Path tmp, Path work) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("filestore"));
        Random r = new Random(5);
        for (int i = 0; i < 20; i++) {
            byte[] b = new byte[r.nextInt(200_000)];
            r.nextBytes(b);
            Files.write(Files.createDirectories(dir.resolve(String.format("%02x", i % 4))).resolve("f" + i), b);
        }
        Files.writeString(dir.resolve("00/text"), "lorem ipsum ".repeat(100_000));
        Path destRoot = Files.createDirectories(tmp.resolve("dest")).toRealPath();
        BackupStorage dest = new LocalStorage(new LocalConfig(destRoot));

        String sealed = BlobKeys.generateSealed(cipher, env);
        BlobKeys keys = BlobKeys.unseal(cipher, env, sealed);
        var dataKey = BackupKeys.newKey(cipher, backupId);
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        BlobCatalogue none = new BlobCatalogue() {
            @Override
            public boolean holds(UUID destinationId, String blobId) {
                return false;
            }

            @Override
            public void packStored(Set<UUID> destinationIds, PackIndex index, long packBytes) {
            }
        };
        FilestoreWriter writer = new FilestoreWriter(keys, org, env,
                new FilestoreWriter.Options(64 * 1024, 300 * 1024, Duration.ofSeconds(30)));
        ComponentWriter.Result c = new ComponentWriter().write(
                out -> writer.write(dir, List.of(new FilestoreWriter.Destination(UUID.randomUUID(), dest)), none,
                        Map.of(), out, null, null),
                dataKey.aead(), BackupKeys.associatedData(backupId, ComponentName.filestore),
                Map.of("a", in -> in.transferTo(stored)), null);
        BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT_VERSION, backupId, env, org, "full",
                Instant.parse("2026-12-01T00:00:00Z"), "15.8", null, List.of(new BackupManifest.Component("filestore",
                        BackupLayout.componentKey(org, env, backupId, ComponentName.filestore), c.storedBytes(),
                        c.rawBytes(), c.sha256(), BackupManifest.COMPRESSION_ZSTD, new BackupManifest.Encryption(
                                BackupManifest.ENCRYPTION_SCHEME, dataKey.masterKeyId(), dataKey.wrappedKey()),
                        BackupManifest.LAYOUT_BLOB_INDEX)), new BackupManifest.BlobStore(sealed));
        Files.createDirectories(work);
        Files.write(work.resolve("manifest.json"), manifest.toJson());
        Files.writeString(work.resolve("master.key"), MASTER + "\n");
        Files.write(work.resolve("filestore.index.zst.enc"), stored.toByteArray());
        return dir;
    }

    @Test
    void theIndexAndACopyOfTheBlobsFolderGiveTheVersionOneTar(@TempDir Path tmp) throws Exception {
        Path work = tmp.resolve("restore");
        Path dir = backup(tmp, work);
        Path destRoot = tmp.resolve("dest").toRealPath();
        // what `aws s3 cp --recursive s3://bucket/prefix/<org>/<env>/blobs/ blobs/` gives
        Path blobs = work.resolve("blobs");
        copyTree(destRoot.resolve(BlobLayout.blobsDir(org, env)), blobs);

        int code = unpack(work, blobs, work.resolve("filestore.tar"));
        assertThat(code).isZero();
        ByteArrayOutputStream v1 = new ByteArrayOutputStream();
        TarArchives.writeDirectory(dir, v1);
        assertThat(Files.readAllBytes(work.resolve("filestore.tar"))).isEqualTo(v1.toByteArray());

        assertThat(unpack(work, destRoot, work.resolve("from-root.tar"))).as("the destination's root works too")
                .isZero();
        assertThat(Files.readAllBytes(work.resolve("from-root.tar"))).isEqualTo(v1.toByteArray());

        assertThat(unpack(work, null, work.resolve("no-blobs.tar"))).as("--blobs is required").isEqualTo(2);

        try (Stream<Path> packs = Files.walk(blobs.resolve("packs"))) {
            Files.delete(packs.filter(Files::isRegularFile).findFirst().orElseThrow());
        }
        assertThat(unpack(work, blobs, work.resolve("broken.tar"))).isEqualTo(1);
        assertThat(work.resolve("broken.tar")).doesNotExist();
    }

    @Test
    void afterAMasterKeyRotationTheRewrappedManifestOpensTheBlobStoreWithOnlyTheNewKey(@TempDir Path tmp)
            throws Exception {
        Path work = tmp.resolve("restore");
        Path dir = backup(tmp, work);
        String newKey = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());
        EnvelopeCipher rotated = new EnvelopeCipher("k2", Map.of("k1", MASTER, "k2", newKey));
        BackupManifest before = BackupManifest.fromJson(Files.readAllBytes(work.resolve("manifest.json")));
        assertThat(BackupKeys.needsRewrap(rotated, before)).isTrue();

        BackupKeys.RewrappedManifest rewrapped = BackupKeys.rewrapManifest(rotated,
                Files.readAllBytes(work.resolve("manifest.json")));
        assertThat(rewrapped.rewrappedComponents()).as("the filestore component's key and the blob-store key")
                .isEqualTo(2);
        BackupManifest after = BackupManifest.fromJson(rewrapped.json());
        assertThat(EnvelopeCipher.keyIdOf(after.blobStore().sealedKey())).isEqualTo("k2");
        assertThat(BackupKeys.needsRewrap(rotated, after)).isFalse();
        Files.write(work.resolve("manifest.json"), rewrapped.json());
        Files.writeString(work.resolve("master.key"), newKey);

        assertThat(unpack(work, tmp.resolve("dest").toRealPath(), work.resolve("filestore.tar"))).isZero();
        ByteArrayOutputStream v1 = new ByteArrayOutputStream();
        TarArchives.writeDirectory(dir, v1);
        assertThat(Files.readAllBytes(work.resolve("filestore.tar"))).isEqualTo(v1.toByteArray());
    }

    static int unpack(Path work, Path blobs, Path out) {
        List<String> args = new java.util.ArrayList<>(List.of("--manifest", work.resolve("manifest.json").toString(),
                "--master-key-file", work.resolve("master.key").toString(), "--component", "filestore", "--in",
                work.resolve("filestore.index.zst.enc").toString(), "--out", out.toString()));
        if (blobs != null) {
            args.addAll(List.of("--blobs", blobs.toString()));
        }
        return Unpack.run(args.toArray(String[]::new));
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
    }
}
