package io.ocore.backups.platform.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ocore.backups.platform.storage.StorageException.Kind;
import io.ocore.backups.platform.storage.TestData.Hashed;
import io.ocore.backups.platform.storage.TestData.RandomStream;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The one behaviour every driver must have. A driver's test extends this and says how to open
 * its storage (against a real or faithfully faked server) and how to open it with wrong
 * credentials; everything else is shared.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
public abstract class BackupStorageConformance {

    /** 100 MiB by default; {@code -Dstorage.conformance.largeBytes=...} to change. */
    protected static final long LARGE = Long.getLong("storage.conformance.largeBytes", 100L * 1024 * 1024);

    private BackupStorage storage;
    /** A fresh folder per test, so tests never see each other's objects. */
    protected String run;

    /** Opens the driver under test (undecorated or decorated; the behaviour must be the same). */
    protected abstract BackupStorage openStorage() throws Exception;

    /** Opens the same destination with a wrong secret (or, without credentials, a missing container). */
    protected abstract BackupStorage openWithWrongCredentials() throws Exception;

    /** The wrong secret, which must not appear in any message; {@code null} when there is none. */
    protected abstract String wrongSecret();

    protected Kind wrongCredentialsKind() {
        return Kind.AUTHENTICATION;
    }

    /** Bytes a dying source delivers before it throws; above one part/chunk to exercise multipart paths. */
    protected long interruptAfterBytes() {
        return 1024 * 1024 + 17;
    }

    /**
     * The driver's transfer unit (upload part or chunk, read buffer): the large ranged read crosses
     * two of its boundaries.
     */
    protected long chunkBytes() {
        return 1024 * 1024;
    }

    protected final BackupStorage storage() throws Exception {
        if (storage == null) {
            storage = openStorage();
        }
        return storage;
    }

    @BeforeEach
    void newRun() {
        run = "conf-" + UUID.randomUUID().toString().substring(0, 8) + "/";
    }

    @AfterEach
    void cleanRun() throws Exception {
        if (storage != null) {
            storage.deletePrefix(run);
        }
    }

    @AfterAll
    void closeStorage() {
        if (storage != null) {
            storage.close();
        }
    }

    protected StoredObject putRandom(String key, long seed, long size, StringBuilder sha) throws Exception {
        RandomStream data = new RandomStream(seed, size);
        StoredObject stored = storage().put(key, data);
        if (sha != null) {
            sha.append(data.sha256());
        }
        return stored;
    }

    protected void assertRoundTrip(long size) throws Exception {
        String key = run + "round/trip-" + size + ".bin";
        StringBuilder sha = new StringBuilder();
        StoredObject stored = putRandom(key, size + 1, size, sha);
        assertThat(stored.key()).isEqualTo(key);
        assertThat(stored.sizeBytes()).isEqualTo(size);
        Hashed back = TestData.hash(storage().get(key));
        assertThat(back.size()).isEqualTo(size);
        assertThat(back.sha256()).isEqualTo(sha.toString());
        assertThat(storage().list(key)).singleElement().satisfies(o -> {
            assertThat(o.key()).isEqualTo(key);
            assertThat(o.sizeBytes()).isEqualTo(size);
        });
    }

    @Test
    void roundTripOfAnEmptyStream() throws Exception {
        assertRoundTrip(0);
    }

    @Test
    void roundTripOfOneByte() throws Exception {
        assertRoundTrip(1);
    }

    @Test
    void roundTripOfALargeStream() throws Exception {
        assertRoundTrip(LARGE);
    }

    @Test
    void putOverwritesAndTheObjectHasOnlyTheNewContent() throws Exception {
        String key = run + "over/written";
        putRandom(key, 1, 3000, null);
        StringBuilder sha = new StringBuilder();
        putRandom(key, 2, 1234, sha);
        Hashed back = TestData.hash(storage().get(key));
        assertThat(back.sha256()).isEqualTo(sha.toString());
        assertThat(storage().list(run + "over/")).extracting(StoredObject::key, StoredObject::sizeBytes)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(key, 1234L));
    }

    @Test
    void listReturnsExactlyTheKeysWithThePrefixInOrder() throws Exception {
        for (String k : List.of("a/x/1", "a/x/2", "a/xz", "a/y/3", "b/4", "a/x/deep/er/5")) {
            storage().put(run + k, new ByteArrayInputStream(k.getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(storage().list(run + "a/x/")).extracting(StoredObject::key)
                .containsExactly(run + "a/x/1", run + "a/x/2", run + "a/x/deep/er/5");
        assertThat(storage().list(run + "a/x")).extracting(StoredObject::key)
                .containsExactly(run + "a/x/1", run + "a/x/2", run + "a/x/deep/er/5", run + "a/xz");
        assertThat(storage().list(run)).hasSize(6);
        assertThat(storage().list(run + "nothing-here/")).isEmpty();
        List<StoredObject> one = storage().list(run + "b/4");
        assertThat(one).singleElement().satisfies(o -> {
            assertThat(o.sizeBytes()).isEqualTo(3);
            if (storage().capabilities().listHasLastModified()) {
                assertThat(o.lastModified()).isNotNull();
            }
        });
    }

    @Test
    void deleteRemovesTheObjectAndIsIdempotent() throws Exception {
        String key = run + "to/delete";
        putRandom(key, 3, 100, null);
        storage().delete(key);
        assertThat(storage().list(run)).isEmpty();
        assertThat(catchThrowableOfType(StorageException.class, () -> storage().get(key)).kind()).isEqualTo(Kind.NOT_FOUND);
        storage().delete(key);
        storage().delete(run + "never/existed");
    }

    @Test
    void deletePrefixRemovesOnlyThatPrefix() throws Exception {
        putRandom(run + "gone/1", 4, 10, null);
        putRandom(run + "gone/sub/2", 5, 10, null);
        putRandom(run + "gone/sub/3", 6, 10, null);
        putRandom(run + "kept/1", 7, 10, null);
        assertThat(storage().deletePrefix(run + "gone/")).isEqualTo(3);
        assertThat(storage().list(run)).extracting(StoredObject::key).containsExactly(run + "kept/1");
    }

    @Test
    void getOfAMissingKeyIsNotFound() throws Exception {
        StorageException e = catchThrowableOfType(StorageException.class, () -> storage().get(run + "missing/key"));
        assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
        assertThat(e.getMessage()).isNotBlank();
    }

    @Test
    void malformedKeysAreRefused() {
        for (String bad : List.of("../escape", "/absolute", "a//b", "a/./b", "trailing/")) {
            assertThatThrownBy(() -> storage().put(bad, new ByteArrayInputStream(new byte[1])))
                    .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PERMANENT));
        }
    }

    @Test
    void concurrentPutsOfDifferentKeysAllLand() throws Exception {
        int n = 4;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<String>> shas = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int seed = 100 + i;
                shas.add(pool.submit(() -> {
                    StringBuilder sha = new StringBuilder();
                    putRandom(run + "concurrent/obj-" + seed, seed, 300_000 + seed, sha);
                    return sha.toString();
                }));
            }
            for (int i = 0; i < n; i++) {
                String expected = shas.get(i).get(2, TimeUnit.MINUTES);
                Hashed back = TestData.hash(storage().get(run + "concurrent/obj-" + (100 + i)));
                assertThat(back.sha256()).isEqualTo(expected);
                assertThat(back.size()).isEqualTo(300_000 + 100 + i);
            }
            assertThat(storage().list(run + "concurrent/")).hasSize(n);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anInterruptedUploadLeavesNoVisibleObject() throws Exception {
        String key = run + "interrupted/object";
        InputStream dying = TestData.failingAfter(9, interruptAfterBytes());
        assertThatThrownBy(() -> storage().put(key, dying)).isInstanceOf(StorageException.class);
        assertThat(storage().list(run)).isEmpty();
        assertThat(catchThrowableOfType(StorageException.class, () -> storage().get(key)).kind()).isEqualTo(Kind.NOT_FOUND);
    }

    @Test
    void anInterruptedOverwriteKeepsThePreviousObject() throws Exception {
        String key = run + "interrupted/overwrite";
        StringBuilder sha = new StringBuilder();
        putRandom(key, 10, 5000, sha);
        assertThatThrownBy(() -> storage().put(key, TestData.failingAfter(11, interruptAfterBytes())))
                .isInstanceOf(StorageException.class);
        assertThat(TestData.hash(storage().get(key)).sha256()).isEqualTo(sha.toString());
        assertThat(storage().list(run)).hasSize(1);
    }

    // ---- ranged reads: get(key, offset, length) ----

    /** The {@code size} bytes {@code new RandomStream(seed, size)} delivers. */
    protected static byte[] randomBytes(long seed, int size) throws Exception {
        return new RandomStream(seed, size).readAllBytes();
    }

    private byte[] ranged(String key, long offset, long length) throws Exception {
        try (InputStream in = storage().get(key, offset, length)) {
            return in.readAllBytes();
        }
    }

    private String putBytes(String key, byte[] bytes) throws Exception {
        storage().put(key, new ByteArrayInputStream(bytes));
        return key;
    }

    @Test
    void rangedReadFromTheStartGivesTheFirstBytes() throws Exception {
        byte[] data = randomBytes(21, 5000);
        String key = putBytes(run + "range/start", data);
        assertThat(ranged(key, 0, 100)).isEqualTo(java.util.Arrays.copyOfRange(data, 0, 100));
        assertThat(ranged(key, 0, 5000)).isEqualTo(data);
    }

    @Test
    void rangedReadInTheMiddleGivesExactlyThoseBytes() throws Exception {
        byte[] data = randomBytes(22, 5000);
        String key = putBytes(run + "range/middle", data);
        assertThat(ranged(key, 1234, 777)).isEqualTo(java.util.Arrays.copyOfRange(data, 1234, 1234 + 777));
        assertThat(ranged(key, 4999, 1)).containsExactly(data[4999]);
    }

    @Test
    void rangedReadPastTheEndGivesTheBytesUpToTheEnd() throws Exception {
        byte[] data = randomBytes(23, 5000);
        String key = putBytes(run + "range/past-end", data);
        assertThat(ranged(key, 4000, 10_000)).isEqualTo(java.util.Arrays.copyOfRange(data, 4000, 5000));
        assertThat(ranged(key, 0, Long.MAX_VALUE)).isEqualTo(data);
    }

    @Test
    void rangedReadAtOrBeyondTheEndIsEmpty() throws Exception {
        String key = putBytes(run + "range/at-end", randomBytes(24, 5000));
        assertThat(ranged(key, 5000, 10)).isEmpty();
        assertThat(ranged(key, 6000, 10)).isEmpty();
        String empty = putBytes(run + "range/empty", new byte[0]);
        assertThat(ranged(empty, 0, 10)).isEmpty();
    }

    @Test
    void rangedReadOfLengthZeroIsEmpty() throws Exception {
        String key = putBytes(run + "range/zero", randomBytes(25, 5000));
        assertThat(ranged(key, 100, 0)).isEmpty();
        assertThat(ranged(key, 0, 0)).isEmpty();
    }

    @Test
    void rangedReadOfAMissingKeyIsNotFound() throws Exception {
        for (long length : new long[] {10, 0}) {
            StorageException e = catchThrowableOfType(StorageException.class,
                    () -> ranged(run + "missing/ranged", 5, length));
            assertThat(e).as("length %d", length).isNotNull();
            assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Test
    void rangedReadRefusesNegativeArguments() throws Exception {
        String key = putBytes(run + "range/negative", randomBytes(26, 10));
        assertThatThrownBy(() -> storage().get(key, -1, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage().get(key, 0, -5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rangedReadsOfALargeObjectCrossTheDriversChunks() throws Exception {
        long chunk = chunkBytes();
        long size = 3 * chunk + 12_345;
        String key = run + "range/large.bin";
        putRandom(key, 27, size, null);
        assertRange(key, 27, size, chunk - 1000, chunk + 2000);
        assertRange(key, 27, size, 2 * chunk + 5, chunk);
        assertRange(key, 27, size, 0, size);
    }

    /** Reads {@code [offset, offset + length)} and compares it with the same bytes of the generator. */
    private void assertRange(String key, long seed, long size, long offset, long length) throws Exception {
        RandomStream source = new RandomStream(seed, size);
        source.skipNBytes(offset);
        Hashed expected = TestData.hash(new BackupStorage.BoundedInputStream(source, length));
        Hashed back = TestData.hash(storage().get(key, offset, length));
        assertThat(back.size()).as("bytes from %d", offset).isEqualTo(expected.size());
        assertThat(back.sha256()).as("bytes from %d", offset).isEqualTo(expected.sha256());
    }

    @Test
    void probeSucceedsAndLeavesNothingBehind() throws Exception {
        ProbeResult result = storage().probe();
        assertThat(result.ok()).as("probe: %s", result).isTrue();
        assertThat(result.failureKind()).isNull();
        assertThat(result.latencyMs()).isNotNegative();
        assertThat(storage().list(Probe.PROBE_PREFIX)).isEmpty();
    }

    @Test
    void probeWithWrongCredentialsFailsInPlainWordsWithoutTheSecret() throws Exception {
        try (BackupStorage wrong = openWithWrongCredentials()) {
            ProbeResult result = wrong.probe();
            assertThat(result.ok()).isFalse();
            assertThat(result.failureKind()).as("probe: %s", result).isEqualTo(wrongCredentialsKind());
            assertThat(result.message()).isNotBlank();
            if (wrongSecret() != null) {
                assertThat(result.message()).doesNotContain(wrongSecret());
                assertThat(result.toString()).doesNotContain(wrongSecret());
            }
        }
    }
}
