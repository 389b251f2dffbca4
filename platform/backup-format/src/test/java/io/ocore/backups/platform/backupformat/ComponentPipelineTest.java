package io.ocore.backups.platform.backupformat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ocore.backups.platform.security.EnvelopeCipher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComponentPipelineTest {

    static final String MASTER = Base64.getEncoder().encodeToString(new byte[32]);
    final EnvelopeCipher cipher = new EnvelopeCipher("k1", Map.of("k1", MASTER));
    final UUID backupId = UUID.randomUUID();

    static byte[] data(int size, long seed) {
        // half compressible text, half random: exercises zstd and several cipher segments
        byte[] b = new byte[size];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) {
            b[i] = (i / 4096) % 2 == 0 ? (byte) ('a' + (i % 26)) : (byte) r.nextInt(256);
        }
        return b;
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void aComponentRoundTripsThroughTwoSinksWithTheRecordedChecksum() throws Exception {
        byte[] raw = data(5 * 1024 * 1024 + 17, 1);
        var key = BackupKeys.newKey(cipher, backupId);
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Map<String, ComponentWriter.Sink> sinks = new LinkedHashMap<>();
        sinks.put("a", in -> in.transferTo(a));
        sinks.put("b", in -> in.transferTo(b));
        AtomicLong progress = new AtomicLong();
        ComponentWriter.Result r = new ComponentWriter(64 * 1024, 3).write(out -> out.write(raw), key.aead(),
                BackupKeys.associatedData(backupId, ComponentName.database), sinks, progress::set);

        assertThat(r.succeeded()).containsExactly("a", "b");
        assertThat(r.failures()).isEmpty();
        assertThat(r.rawBytes()).isEqualTo(raw.length).isEqualTo(progress.get());
        assertThat(a.toByteArray()).isEqualTo(b.toByteArray());
        assertThat(r.storedBytes()).isEqualTo(a.size()).isLessThan(raw.length);
        assertThat(r.sha256()).isEqualTo(sha256(a.toByteArray()));

        BackupManifest manifest = manifest(key, r);
        BackupManifest reread = BackupManifest.fromJson(manifest.toJson());
        assertThat(reread).isEqualTo(manifest);
        try (InputStream in = ComponentReader.open(new ByteArrayInputStream(a.toByteArray()), cipher, reread,
                ComponentName.database)) {
            assertThat(in.readAllBytes()).isEqualTo(raw);
        }
    }

    @Test
    void aFlippedByteOrAWrongChecksumOrTheWrongComponentNameFails() throws Exception {
        byte[] raw = data(300_000, 2);
        var key = BackupKeys.newKey(cipher, backupId);
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ComponentWriter.Result r = new ComponentWriter().write(out -> out.write(raw), key.aead(),
                BackupKeys.associatedData(backupId, ComponentName.database), Map.of("a", in -> in.transferTo(a)), null);
        BackupManifest manifest = manifest(key, r);

        byte[] tampered = a.toByteArray();
        tampered[tampered.length / 2] ^= 1;
        assertThatThrownBy(() -> readAll(ComponentReader.open(new ByteArrayInputStream(tampered), cipher, manifest,
                ComponentName.database))).isInstanceOf(IOException.class);

        // Bytes intact, manifest checksum wrong: decryption succeeds but the end of stream is refused.
        String wrong = "0".repeat(64);
        assertThatThrownBy(() -> readAll(ComponentReader.open(new ByteArrayInputStream(a.toByteArray()), key.aead(),
                BackupKeys.associatedData(backupId, ComponentName.database), wrong)))
                .isInstanceOf(ChecksumMismatchException.class);

        // The database ciphertext presented as the filestore: associated data differs.
        assertThatThrownBy(() -> readAll(ComponentReader.open(new ByteArrayInputStream(a.toByteArray()), key.aead(),
                BackupKeys.associatedData(backupId, ComponentName.filestore), null))).isInstanceOf(IOException.class);
    }

    @Test
    void aFailingSinkIsDroppedAndTheOthersComplete() throws Exception {
        byte[] raw = data(3 * 1024 * 1024, 3);
        var key = BackupKeys.newKey(cipher, backupId);
        ByteArrayOutputStream good = new ByteArrayOutputStream();
        Map<String, ComponentWriter.Sink> sinks = new LinkedHashMap<>();
        sinks.put("good", in -> in.transferTo(good));
        sinks.put("bad", in -> {
            in.readNBytes(100_000);
            throw new IOException("connection reset");
        });
        sinks.put("quitter", in -> in.readNBytes(10)); // returns without reading to the end
        ComponentWriter.Result r = new ComponentWriter(32 * 1024, 2).write(out -> out.write(raw), key.aead(),
                BackupKeys.associatedData(backupId, ComponentName.database), sinks, null);
        assertThat(r.succeeded()).containsExactly("good");
        assertThat(r.failures()).containsOnlyKeys("bad", "quitter");
        assertThat(r.failures().get("bad")).hasMessage("connection reset");
        try (InputStream in = ComponentReader.open(new ByteArrayInputStream(good.toByteArray()), key.aead(),
                BackupKeys.associatedData(backupId, ComponentName.database), r.sha256())) {
            assertThat(in.readAllBytes()).isEqualTo(raw);
        }
    }

    @Test
    void aSinkThatStopsTakingDataIsDroppedAsStalledWhileTheOthersComplete() throws Exception {
        byte[] raw = data(3 * 1024 * 1024, 4);
        var key = BackupKeys.newKey(cipher, backupId);
        ByteArrayOutputStream good = new ByteArrayOutputStream();
        java.util.concurrent.CountDownLatch endOfTest = new java.util.concurrent.CountDownLatch(1);
        Map<String, ComponentWriter.Sink> sinks = new LinkedHashMap<>();
        sinks.put("good", in -> in.transferTo(good));
        // an endpoint that accepted the upload, took a little and stopped reading: a blocked socket
        // write that no interrupt wakes
        sinks.put("stuck", in -> {
            in.readNBytes(40_000);
            while (true) {
                try {
                    if (endOfTest.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
                        return;
                    }
                } catch (InterruptedException ignored) {
                    // like a socket write: not woken by an interrupt
                }
            }
        });
        try {
            // bounded: without the stall detection the write waits for the stuck sink for ever
            ComponentWriter.Result r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                    java.time.Duration.ofSeconds(20), () -> new ComponentWriter(32 * 1024, 2,
                            java.time.Duration.ofMillis(500)).write(out -> out.write(raw), key.aead(),
                                    BackupKeys.associatedData(backupId, ComponentName.database), sinks, null));
            assertThat(r.succeeded()).containsExactly("good");
            assertThat(r.failures()).containsOnlyKeys("stuck");
            assertThat(r.failures().get("stuck")).hasMessage("upload stalled: the destination took no data for 500ms");
            try (InputStream in = ComponentReader.open(new ByteArrayInputStream(good.toByteArray()), key.aead(),
                    BackupKeys.associatedData(backupId, ComponentName.database), r.sha256())) {
                assertThat(in.readAllBytes()).isEqualTo(raw);
            }
        } finally {
            endOfTest.countDown();
        }
    }

    @Test
    void whenEverySinkFailsTheProducerStopsAndAllFailuresAreReported() throws Exception {
        var key = BackupKeys.newKey(cipher, backupId);
        AtomicLong produced = new AtomicLong();
        ComponentWriter.Result r = new ComponentWriter(16 * 1024, 2).write(out -> {
            byte[] block = new byte[64 * 1024];
            SplittableRandom random = new SplittableRandom(4);
            for (int i = 0; i < 10_000; i++) { // 640 MiB of incompressible data if nobody stopped us
                random.nextBytes(block);
                out.write(block);
                produced.addAndGet(block.length);
            }
        }, key.aead(), BackupKeys.associatedData(backupId, ComponentName.database),
                Map.of("x", in -> { throw new IOException("unreachable"); }), null);
        assertThat(r.succeeded()).isEmpty();
        assertThat(r.failures()).containsOnlyKeys("x");
        assertThat(produced.get()).isLessThan(64L * 1024 * 1024);
    }

    @Test
    void aComponentSmallerThanAChunkWhoseEverySinkFailsReportsEachFailureInsteadOfThrowing() throws Exception {
        // a 16 KiB WAL-sized write fits in the fan-out's buffer: every sink fails only at the last chunk
        var key = BackupKeys.newKey(cipher, backupId);
        ComponentWriter.Result r = new ComponentWriter(1024 * 1024, 2).write(out -> out.write(new byte[16 * 1024]),
                key.aead(), BackupKeys.associatedData(backupId, ComponentName.database),
                Map.of("a", in -> { throw new IOException("not a folder"); },
                        "b", in -> { throw new IOException("disk full"); }), null);
        assertThat(r.succeeded()).isEmpty();
        assertThat(r.failures()).containsOnlyKeys("a", "b");
        assertThat(r.failures().get("a")).hasMessage("not a folder");
    }

    @Test
    void aFailingProducerFailsEverySinkSoNothingLooksComplete() {
        var key = BackupKeys.newKey(cipher, backupId);
        List<Throwable> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        assertThatThrownBy(() -> new ComponentWriter(16 * 1024, 2).write(out -> {
            out.write(data(200_000, 5));
            throw new IOException("pg_dump exited with code 1");
        }, key.aead(), BackupKeys.associatedData(backupId, ComponentName.database), Map.of("a", in -> {
            try {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                seen.add(e);
                throw e;
            }
        }), null)).hasMessage("pg_dump exited with code 1");
        assertThat(seen).hasSize(1);
    }

    @Test
    void aSlowSinkHoldsBackTheProducerWithinTheQueueBound() throws Exception {
        // 64 MiB of incompressible data; the slow sink reads 64 KiB at a time with pauses. At every
        // moment the bytes produced but not yet consumed by the slow sink stay within the bound.
        int chunk = 256 * 1024;
        ComponentWriter writer = new ComponentWriter(chunk, 4);
        var key = BackupKeys.newKey(cipher, backupId);
        AtomicLong stored = new AtomicLong();
        AtomicLong slowRead = new AtomicLong();
        AtomicLong maxLag = new AtomicLong();
        Map<String, ComponentWriter.Sink> sinks = new LinkedHashMap<>();
        sinks.put("fast", in -> in.transferTo(OutputStream.nullOutputStream()));
        sinks.put("slow", in -> {
            byte[] buf = new byte[64 * 1024];
            int n;
            int reads = 0;
            while ((n = in.read(buf)) >= 0) {
                slowRead.addAndGet(n);
                if (++reads % 64 == 0) {
                    // a slow destination by construction (pacing the reads), not a wait for async work
                    Thread.sleep(5);
                }
            }
        });
        SplittableRandom random = new SplittableRandom(6);
        ComponentWriter.Result r = writer.write(out -> {
            byte[] block = new byte[1024 * 1024];
            for (int i = 0; i < 64; i++) {
                random.nextBytes(block);
                out.write(block);
            }
        }, key.aead(), BackupKeys.associatedData(backupId, ComponentName.filestore), sinks, raw -> {
            // stored bytes ~ raw bytes for random data; sample the lag on every write
            long lag = raw - slowRead.get();
            maxLag.accumulateAndGet(lag, Math::max);
            stored.set(raw);
        });
        assertThat(r.succeeded()).containsExactlyInAnyOrder("fast", "slow");
        // raw and stored differ by the zstd frame and cipher overheads (< 1 segment + 1 block each)
        long slack = 1024 * 1024 + 2L * 1024 * 1024;
        assertThat(maxLag.get()).isLessThan(writer.maxBufferedBytes() + slack);
    }

    @Test
    void tarsKeepTheFilestoreLayoutInSortedOrderAndRefuseEscapes(@TempDir Path tmp) throws Exception {
        Path fs = tmp.resolve("fs");
        Files.createDirectories(fs.resolve("ab"));
        Files.createDirectories(fs.resolve("0f"));
        Files.writeString(fs.resolve("ab/ab" + "1".repeat(38)), "one");
        Files.writeString(fs.resolve("0f/0f" + "2".repeat(38)), "two");
        ByteArrayOutputStream tar1 = new ByteArrayOutputStream();
        ByteArrayOutputStream tar2 = new ByteArrayOutputStream();
        assertThat(TarArchives.writeDirectory(fs, tar1)).isEqualTo(2);
        TarArchives.writeDirectory(fs, tar2);
        assertThat(tar1.toByteArray()).isEqualTo(tar2.toByteArray());
        Path out = tmp.resolve("out");
        assertThat(TarArchives.extract(new ByteArrayInputStream(tar1.toByteArray()), out, null)).isEqualTo(2);
        assertThat(Files.readString(out.resolve("ab/ab" + "1".repeat(38)))).isEqualTo("one");
        assertThat(Files.readString(out.resolve("0f/0f" + "2".repeat(38)))).isEqualTo("two");

        ByteArrayOutputStream evil = new ByteArrayOutputStream();
        TarArchives.writeFiles(Map.of("../escape", new byte[] {1}), evil);
        assertThatThrownBy(() -> TarArchives.extract(new ByteArrayInputStream(evil.toByteArray()), tmp.resolve("o2"),
                null)).hasMessageContaining("outside");
    }

    @Test
    void unpackRestoresAComponentByHand(@TempDir Path tmp) throws Exception {
        byte[] raw = data(700_000, 7);
        var key = BackupKeys.newKey(cipher, backupId);
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ComponentWriter.Result r = new ComponentWriter().write(out -> out.write(raw), key.aead(),
                BackupKeys.associatedData(backupId, ComponentName.database), Map.of("a", in -> in.transferTo(a)), null);
        Files.write(tmp.resolve("manifest.json"), manifest(key, r).toJson());
        Files.writeString(tmp.resolve("master.key"), MASTER + "\n");
        Files.write(tmp.resolve("database.dump.zst.enc"), a.toByteArray());
        int code = Unpack.run(new String[] {"--manifest", tmp.resolve("manifest.json").toString(), "--master-key-file",
                tmp.resolve("master.key").toString(), "--component", "database", "--in",
                tmp.resolve("database.dump.zst.enc").toString(), "--out", tmp.resolve("database.dump").toString()});
        assertThat(code).isZero();
        assertThat(Files.readAllBytes(tmp.resolve("database.dump"))).isEqualTo(raw);

        Files.writeString(tmp.resolve("other.key"), Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'B'));
        code = Unpack.run(new String[] {"--manifest", tmp.resolve("manifest.json").toString(), "--master-key-file",
                tmp.resolve("other.key").toString(), "--component", "database", "--in",
                tmp.resolve("database.dump.zst.enc").toString(), "--out", tmp.resolve("x.dump").toString()});
        assertThat(code).isEqualTo(1);
        assertThat(tmp.resolve("x.dump")).doesNotExist();
    }

    @Test
    void aManifestRewrappedUnderANewMasterKeyOpensItsComponentsWithOnlyThatKey() throws Exception {
        byte[] raw = data(2 * 1024 * 1024 + 5, 4);
        var key = BackupKeys.newKey(cipher, backupId);
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        ComponentWriter.Result r = new ComponentWriter().write(out -> out.write(raw), key.aead(),
                BackupKeys.associatedData(backupId, ComponentName.database), Map.of("a", in -> in.transferTo(stored)),
                null);
        // a field this reader does not know must survive the rewrite
        String original = new String(manifest(key, r).toJson(), java.nio.charset.StandardCharsets.UTF_8)
                .replaceFirst("\\{", "{\"writtenBy\":\"a newer oCore\",");

        byte[] fresh = new byte[32];
        new java.security.SecureRandom().nextBytes(fresh);
        String k2 = Base64.getEncoder().encodeToString(fresh);
        EnvelopeCipher rotating = new EnvelopeCipher("k2", Map.of("k1", MASTER, "k2", k2));
        assertThat(BackupKeys.needsRewrap(rotating, BackupManifest.fromJson(original.getBytes()))).isTrue();
        BackupKeys.RewrappedManifest rewrapped = BackupKeys.rewrapManifest(rotating, original.getBytes());
        assertThat(rewrapped.rewrappedComponents()).isEqualTo(1);
        assertThat(new String(rewrapped.json())).contains("\"writtenBy\" : \"a newer oCore\"");
        BackupManifest after = BackupManifest.fromJson(rewrapped.json());
        assertThat(after.components().getFirst().sha256()).isEqualTo(r.sha256());
        assertThat(after.components().getFirst().encryption().masterKeyId()).isEqualTo("k2");
        assertThat(BackupKeys.needsRewrap(rotating, after)).isFalse();
        assertThat(BackupKeys.rewrapManifest(rotating, rewrapped.json()).changed()).isFalse();

        EnvelopeCipher onlyNew = new EnvelopeCipher("k2", Map.of("k2", k2));
        try (InputStream in = ComponentReader.open(new ByteArrayInputStream(stored.toByteArray()), onlyNew, after,
                ComponentName.database)) {
            assertThat(in.readAllBytes()).isEqualTo(raw);
        }
        assertThatThrownBy(() -> ComponentReader.open(new ByteArrayInputStream(stored.toByteArray()), onlyNew,
                BackupManifest.fromJson(original.getBytes()), ComponentName.database))
                .hasMessageContaining("'k1'");
    }

    private BackupManifest manifest(EnvelopeCipher.StreamingKey key, ComponentWriter.Result r) {
        UUID env = UUID.randomUUID();
        UUID org = UUID.randomUUID();
        return new BackupManifest(BackupManifest.FORMAT_VERSION_TAR, backupId, env, org, "db",
                Instant.parse("2026-03-15T14:30:00Z"), "15.8", null, List.of(new BackupManifest.Component("database",
                        BackupLayout.componentKey(org, env, backupId, ComponentName.database), r.storedBytes(),
                        r.rawBytes(), r.sha256(), BackupManifest.COMPRESSION_ZSTD, new BackupManifest.Encryption(
                                BackupManifest.ENCRYPTION_SCHEME, key.masterKeyId(), key.wrappedKey()))));
    }

    private static void readAll(InputStream in) throws IOException {
        try (in) {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }
}
