package io.ocore.backups.platform.storage.onedrive;

import static org.assertj.core.api.Assertions.assertThat;

import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.BackupStorageConformance;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.StorageFactory;
import io.ocore.backups.platform.storage.StorageOptions;
import io.ocore.backups.platform.storage.StoredObject;
import io.ocore.backups.platform.storage.TestData;
import io.ocore.backups.platform.storage.TestData.RandomStream;
import io.ocore.backups.platform.testing.fakes.FakeGraphServer;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code onedrive} against the fake Microsoft Graph (upload sessions, token rotation, throttling). */
class OneDriveStorageTest extends BackupStorageConformance {

    FakeGraphServer graph;
    Path dir;
    final AtomicReference<String> rotated = new AtomicReference<>();

    @BeforeAll
    void startServer() throws Exception {
        dir = Files.createTempDirectory("ocore-graph-");
        graph = new FakeGraphServer(dir, "client-1", "client-secret-1", "refresh-1");
    }

    @AfterAll
    void stopServer() throws Exception {
        graph.close();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    StorageOptions options() {
        return StorageOptions.builder()
                .graphBaseUrl(graph.graphUrl())
                .microsoftAuthority(graph.baseUrl())
                .allowPrivateEndpoints(true)
                .uploadChunkBytes(8 * 320 * 1024)
                .spoolDirectory(dir)
                .credentialListener((field, value) -> rotated.set(field + "=" + value))
                .build();
    }

    Map<String, Object> config(String refreshToken) {
        Map<String, Object> c = new HashMap<>();
        c.put("clientId", "client-1");
        c.put("clientSecret", "client-secret-1");
        c.put("refreshToken", refreshToken);
        c.put("tenant", "contoso.onmicrosoft.com");
        c.put("driveId", FakeGraphServer.DRIVE_ID);
        c.put("folderPath", "Backups/oCore");
        return c;
    }

    BackupStorage open(String refreshToken) {
        return StorageFactory.open(DestinationType.onedrive, config(refreshToken), options());
    }

    @Override
    protected BackupStorage openStorage() {
        return open(graph.oauth.currentRefreshToken());
    }

    @Override
    protected BackupStorage openWithWrongCredentials() {
        return open(wrongSecret());
    }

    @Override
    protected long chunkBytes() {
        return 8 * 320 * 1024; // the upload chunk configured above
    }

    @Override
    protected String wrongSecret() {
        return "M.C507_BAY.-wrong-refresh-token";
    }

    @Test
    void aRangedReadDownloadsOnlyTheRange() throws Exception {
        String key = run + "ranged/only";
        storage().put(key, new RandomStream(31, 3L * 1024 * 1024));
        long before = graph.downloadedBytes();
        try (java.io.InputStream in = storage().get(key, 2L * 1024 * 1024, 100)) {
            assertThat(in.readAllBytes()).hasSize(100);
        }
        assertThat(graph.downloadedBytes() - before).as("bytes the server sent").isEqualTo(100);
    }

    @Test
    void aRotatedRefreshTokenIsHandedToTheService() throws Exception {
        try (BackupStorage s = open(graph.oauth.currentRefreshToken())) {
            s.list(run);
            assertThat(rotated.get()).isEqualTo("refreshToken=" + graph.oauth.currentRefreshToken());
        }
    }

    @Test
    void anAccessTokenThatExpiresMidUploadIsRefreshedOnce() throws Exception {
        int grantsBefore = graph.oauth.grants();
        storage().list(run); // signed in
        graph.onChunk(n -> graph.oauth.expireAccessTokens());
        try {
            RandomStream data = new RandomStream(42, 7L * 1024 * 1024 + 3);
            storage().put(run + "expiring", data);
            assertThat(TestData.hash(storage().get(run + "expiring")).sha256()).isEqualTo(data.sha256());
        } finally {
            graph.onChunk(n -> { });
        }
        assertThat(graph.oauth.grants()).isGreaterThan(grantsBefore);
    }

    @Test
    void throttlingIsWaitedOutAsRetryAfterSays() throws Exception {
        graph.inject("api", 429, 1);
        storage().put(run + "throttled", new ByteArrayInputStream(new byte[] {7}));
        assertThat(graph.faultsConsumed()).isTrue();
        assertThat(Duration.ofNanos(graph.waitAfterThrottleNanos())).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(storage().list(run)).extracting(StoredObject::key).containsExactly(run + "throttled");
    }

    @Test
    void failedChunksResumeFromTheSessionsNextExpectedRanges() throws Exception {
        int queries = graph.statusQueries();
        graph.injectAcceptedThenFailed(500); // stored, but the answer is lost
        graph.inject("chunk", 503, 0);
        RandomStream data = new RandomStream(43, 9L * 1024 * 1024 + 11);
        storage().put(run + "resumed", data);
        assertThat(graph.faultsConsumed()).isTrue();
        assertThat(graph.statusQueries()).isGreaterThan(queries);
        assertThat(TestData.hash(storage().get(run + "resumed")).sha256()).isEqualTo(data.sha256());
        assertThat(graph.openSessions()).isZero();
    }

    @Test
    void listingFollowsNextLinks() throws Exception {
        graph.maxPageSize(2);
        try {
            for (int i = 0; i < 5; i++) {
                storage().put(run + "paged/f" + i, new ByteArrayInputStream(new byte[] {(byte) i}));
            }
            assertThat(storage().list(run + "paged/")).hasSize(5);
        } finally {
            graph.maxPageSize(200);
        }
    }

    @Test
    void objectsLiveUnderTheFolderPath() throws Exception {
        storage().put(run + "here", new ByteArrayInputStream(new byte[] {1}));
        assertThat(graph.exists("Backups/oCore/" + run + "here")).isTrue();
    }
}
