package io.ocore.backups.platform.storage.gdrive;

import static org.assertj.core.api.Assertions.assertThat;

import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.BackupStorageConformance;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.StorageException.Kind;
import io.ocore.backups.platform.storage.StorageFactory;
import io.ocore.backups.platform.storage.StorageOptions;
import io.ocore.backups.platform.storage.StoredObject;
import io.ocore.backups.platform.storage.TestData;
import io.ocore.backups.platform.storage.TestData.RandomStream;
import io.ocore.backups.platform.testing.fakes.FakeDriveServer;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code gdrive} against the fake Drive v3 (resumable uploads, 308 + Range, folders by id). */
class GoogleDriveStorageTest extends BackupStorageConformance {

    FakeDriveServer drive;
    Path dir;
    String folderId;

    @BeforeAll
    void startServer() throws Exception {
        dir = Files.createTempDirectory("ocore-drive-");
        drive = new FakeDriveServer(dir, "client-g", "client-secret-g", "refresh-g");
        folderId = drive.createFolder("oCore Backups", "root");
    }

    @AfterAll
    void stopServer() throws Exception {
        drive.close();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    StorageOptions options() {
        return StorageOptions.builder()
                .driveBaseUrl(drive.baseUrl())
                .googleTokenUrl(drive.tokenUrl())
                .allowPrivateEndpoints(true)
                .uploadChunkBytes(4 * 256 * 1024)
                .build();
    }

    Map<String, Object> config(String refreshToken, String folder) {
        Map<String, Object> c = new HashMap<>();
        c.put("clientId", "client-g");
        c.put("clientSecret", "client-secret-g");
        c.put("refreshToken", refreshToken);
        c.put("folderId", folder);
        return c;
    }

    @Override
    protected BackupStorage openStorage() {
        return StorageFactory.open(DestinationType.gdrive, config("refresh-g", folderId), options());
    }

    @Override
    protected BackupStorage openWithWrongCredentials() {
        return StorageFactory.open(DestinationType.gdrive, config(wrongSecret(), folderId), options());
    }

    @Override
    protected long chunkBytes() {
        return 4 * 256 * 1024; // the upload chunk configured above
    }

    @Override
    protected String wrongSecret() {
        return "1//0g-wrong-refresh-token";
    }

    @Test
    void aRangedReadDownloadsOnlyTheRange() throws Exception {
        String key = run + "ranged/only";
        storage().put(key, new RandomStream(31, 3L * 1024 * 1024));
        long before = drive.downloadedBytes();
        try (java.io.InputStream in = storage().get(key, 2L * 1024 * 1024, 100)) {
            assertThat(in.readAllBytes()).hasSize(100);
        }
        assertThat(drive.downloadedBytes() - before).as("bytes the server sent").isEqualTo(100);
    }

    @Test
    void anAccessTokenThatExpiresMidUploadIsRefreshedAndTheUploadResumes() throws Exception {
        int grantsBefore = drive.oauth.grants();
        drive.onChunk(n -> {
            if (n % 3 == 0) {
                drive.oauth.expireAccessTokens();
            }
        });
        try {
            RandomStream data = new RandomStream(7, 6L * 1024 * 1024 + 5);
            storage().put(run + "expiring", data);
            assertThat(TestData.hash(storage().get(run + "expiring")).sha256()).isEqualTo(data.sha256());
        } finally {
            drive.onChunk(n -> { });
        }
        assertThat(drive.oauth.grants()).isGreaterThan(grantsBefore);
    }

    @Test
    void aPartlyStoredChunkResumesFromTheRangeTheSessionReports() throws Exception {
        int queries = drive.statusQueries();
        drive.injectPartialChunk(0.5);
        drive.inject("chunk", 503, 0);
        RandomStream data = new RandomStream(8, 5L * 1024 * 1024 + 1);
        storage().put(run + "resumed", data);
        assertThat(drive.faultsConsumed()).isTrue();
        assertThat(drive.statusQueries()).isGreaterThan(queries);
        assertThat(TestData.hash(storage().get(run + "resumed")).sha256()).isEqualTo(data.sha256());
    }

    @Test
    void throttlingIsWaitedOutAsRetryAfterSays() throws Exception {
        drive.inject("api", 429, 1);
        storage().put(run + "throttled", new ByteArrayInputStream(new byte[] {1}));
        assertThat(drive.faultsConsumed()).isTrue();
        assertThat(Duration.ofNanos(drive.waitAfterThrottleNanos())).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        drive.inject("chunk", 429, 1);
        storage().put(run + "throttled2", new ByteArrayInputStream(new byte[] {2}));
        assertThat(drive.faultsConsumed()).isTrue();
        assertThat(storage().list(run)).hasSize(2);
    }

    @Test
    void concurrentPutsIntoANewFolderCreateItOnceAndOverwriteKeepsOneFile() throws Exception {
        String folder = "shared-" + run.substring(5, 13);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            var futures = new java.util.ArrayList<Future<?>>();
            for (int i = 0; i < 4; i++) {
                int n = i;
                futures.add(pool.submit(() -> storage().put(run + folder + "/deep/f" + n,
                        new ByteArrayInputStream(new byte[] {(byte) n}))));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(drive.idsNamed(folder)).hasSize(1);
        assertThat(drive.idsNamed("deep")).hasSizeGreaterThanOrEqualTo(1);
        storage().put(run + folder + "/deep/f0", new ByteArrayInputStream(new byte[] {9, 9}));
        assertThat(drive.idsNamed("f0")).hasSize(1);
        assertThat(storage().list(run + folder + "/deep/f0")).extracting(StoredObject::sizeBytes).containsExactly(2L);
    }

    @Test
    void listingFollowsPageTokens() throws Exception {
        drive.maxPageSize(2);
        try {
            for (int i = 0; i < 5; i++) {
                storage().put(run + "paged/f" + i, new ByteArrayInputStream(new byte[] {(byte) i}));
            }
            assertThat(storage().list(run + "paged/")).hasSize(5);
        } finally {
            drive.maxPageSize(1000);
        }
    }

    @Test
    void aMissingFolderIdIsReportedAsSuch() {
        try (BackupStorage s = StorageFactory.open(DestinationType.gdrive, config("refresh-g", "doesNotExist"), options())) {
            assertThat(s.probe().failureKind()).isEqualTo(Kind.CONTAINER_MISSING);
        }
    }
}
