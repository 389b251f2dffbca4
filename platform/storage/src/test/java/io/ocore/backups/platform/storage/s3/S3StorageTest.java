package io.ocore.backups.platform.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.BackupStorageConformance;
import io.ocore.backups.platform.storage.ScriptedResolver;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.StorageException;
import io.ocore.backups.platform.storage.StorageException.Kind;
import io.ocore.backups.platform.storage.StorageOptions;
import io.ocore.backups.platform.storage.TestData;
import io.ocore.backups.platform.testing.s3.S3ProxyServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code s3} with a custom endpoint (s3proxy in this JVM). */
class S3StorageTest extends BackupStorageConformance {

    static final String BUCKET = "ocore-conformance";
    S3ProxyServer server;

    @BeforeAll
    void startServer() throws Exception {
        server = S3ProxyServer.onDisk(java.nio.file.Files.createTempDirectory("ocore-s3-")).start();
        server.createBucket(BUCKET);
    }

    @AfterAll
    void stopServer() {
        server.close();
    }

    protected DestinationType type() {
        return DestinationType.s3;
    }

    protected Map<String, Object> config() {
        Map<String, Object> c = new HashMap<>();
        c.put("bucket", BUCKET);
        c.put("region", server.region());
        c.put("accessKeyId", server.accessKey());
        c.put("secretAccessKey", server.secretKey());
        c.put("endpoint", server.endpoint().toString());
        c.put("pathPrefix", "tenant-a/backups");
        return c;
    }

    protected static StorageOptions options() {
        return StorageOptions.builder().allowPrivateEndpoints(true).build();
    }

    @Override
    protected BackupStorage openStorage() {
        return new S3Driver().open(type(), config(), options());
    }

    @Override
    protected BackupStorage openWithWrongCredentials() {
        Map<String, Object> c = config();
        c.put("secretAccessKey", wrongSecret());
        return new S3Driver().open(type(), c, options());
    }

    @Override
    protected String wrongSecret() {
        return "wrong-secret-0123456789abcdef";
    }

    @Override
    protected long chunkBytes() {
        return 8L * 1024 * 1024; // the upload part
    }

    @Override
    protected long interruptAfterBytes() {
        return 20L * 1024 * 1024 + 5; // into the third 8 MiB part: a multipart upload is under way
    }

    @Test
    void anInterruptedMultipartUploadIsAbortedLeavingNoParts() throws Exception {
        S3Storage s3 = (S3Storage) storage();
        assertThatThrownBy(() -> s3.put(run + "big/interrupted", TestData.failingAfter(3, 20L * 1024 * 1024 + 5)))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PERMANENT));
        assertThat(s3.client().listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
        assertThat(server.blobStore().listMultipartUploads(BUCKET)).isEmpty();
        assertThat(server.blobStore().list(BUCKET, org.jclouds.blobstore.options.ListContainerOptions.Builder.recursive()))
                .isEmpty();
        assertThat(s3.list(run)).isEmpty();
    }

    @Test
    void deletePrefixAbortsMultipartUploadsACrashLeftUnderIt() throws Exception {
        S3Storage s3 = (S3Storage) storage();
        Object pathPrefix = config().get("pathPrefix");
        String base = pathPrefix == null ? "" : pathPrefix + "/";
        // What a process killed mid-upload leaves: a started multipart upload with a part, never completed.
        String key = base + run + "backup/filestore";
        String uploadId = s3.client().createMultipartUpload(b -> b.bucket(BUCKET).key(key)).uploadId();
        s3.client().uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(1),
                software.amazon.awssdk.core.sync.RequestBody.fromBytes(new byte[1024]));
        String elsewhere = base + run + "other/x";
        String otherId = s3.client().createMultipartUpload(b -> b.bucket(BUCKET).key(elsewhere)).uploadId();

        try {
            s3.deletePrefix(run + "backup/");
            assertThat(s3.client().listMultipartUploads(b -> b.bucket(BUCKET)).uploads())
                    .extracting(u -> u.uploadId()).containsExactly(otherId);
        } finally {
            s3.client().abortMultipartUpload(b -> b.bucket(BUCKET).key(elsewhere).uploadId(otherId));
        }
    }

    @Test
    void objectsLiveUnderThePathPrefix() throws Exception {
        storage().put(run + "k", new java.io.ByteArrayInputStream(new byte[] {1, 2, 3}));
        assertThat(server.blobStore().blobExists(BUCKET, "tenant-a/backups/" + run + "k")).isTrue();
    }

    @Test
    void aMissingBucketIsReportedAsSuch() {
        Map<String, Object> c = config();
        c.put("bucket", "no-such-bucket");
        try (BackupStorage s = new S3Driver().open(type(), c, options())) {
            assertThat(s.probe().failureKind()).isEqualTo(Kind.CONTAINER_MISSING);
        }
    }

    @Test
    void aWrongAccessKeyIdIsAnAuthenticationFailure() {
        Map<String, Object> c = config();
        c.put("accessKeyId", "AKIAWRONGWRONGWRONG");
        try (BackupStorage s = new S3Driver().open(type(), c, options())) {
            var result = s.probe();
            assertThat(result.failureKind()).isEqualTo(Kind.AUTHENTICATION);
            assertThat(result.message()).doesNotContain(server.secretKey());
        }
    }

    @Test
    void anUnresolvableEndpointIsRefusedAndAtConnectTimeANameResolutionFailure() {
        Map<String, Object> c = config();
        c.put("endpoint", "http://no-such-host.invalid:9000");
        assertThat(new S3Driver().validate(type(), c, options()))
                .containsExactly(new io.ocore.backups.platform.storage.ConfigError("endpoint", "does not resolve"));
        // a stored config whose name stopped resolving: opened, then a clear failure when connecting
        try (BackupStorage s = new S3Driver().open(type(), c, options())) {
            var r = s.probe();
            assertThat(r.failureKind()).isEqualTo(Kind.NAME_RESOLUTION);
            assertThat(r.message()).contains("no-such-host.invalid").contains("could not be resolved");
        }
    }

    @Test
    void everyConnectionGoesToTheAddressResolvedOnceEvenWhenTheNameRebinds() throws Exception {
        // answers the s3proxy's loopback address first, then the metadata address to every later lookup
        ScriptedResolver dns = new ScriptedResolver().answer("s3.rebind.test", "127.0.0.1", "169.254.169.254");
        Map<String, Object> c = config();
        c.put("endpoint", "http://s3.rebind.test:" + server.endpoint().getPort());
        StorageOptions options = options().toBuilder().resolver(dns).build();
        try (BackupStorage s = new S3Driver().open(type(), c, options)) {
            // parallel puts need several connections, each of which would look the name up again
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
            try {
                List<java.util.concurrent.Future<?>> puts = new java.util.ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    String key = run + "rebind/" + i;
                    puts.add(pool.submit(() -> s.put(key, new java.io.ByteArrayInputStream(new byte[1024]))));
                }
                for (var f : puts) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(s.list(run + "rebind/")).hasSize(12);
        }
        assertThat(dns.lookups("s3.rebind.test")).isEqualTo(1);
    }

    @Test
    void anEndpointThatResolvesToAMetadataAddressWhenConnectingIsRefused() {
        ScriptedResolver dns = new ScriptedResolver().answer("s3.rebind.test", "169.254.169.254");
        Map<String, Object> c = config();
        c.put("endpoint", "http://s3.rebind.test:" + server.endpoint().getPort());
        try (BackupStorage s = new S3Driver().open(type(), c, options().toBuilder().resolver(dns).build())) {
            var r = s.probe();
            assertThat(r.ok()).isFalse();
            assertThat(r.failureKind()).isEqualTo(Kind.PERMANENT);
            assertThat(r.message()).contains("link-local");
        }
    }

    @Test
    void concurrentMultipartUploadsShareTheProcessPartBudgetAndGiveItBackEvenWhenOneFails() throws Exception {
        // a backup's database dump and filestore packs going to the same destination at once, one
        // of them dying midway: all the others complete intact, and the process-wide budget of extra
        // part buffers is whole again afterwards (a leaked permit would serialise every later upload)
        int before = PartBuffer.EXTRA_PARTS.availablePermits();
        S3Storage s3 = (S3Storage) storage();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<String>> puts = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                long seed = 100 + i;
                String key = run + "budget/" + i;
                puts.add(pool.submit(() -> {
                    TestData.RandomStream data = new TestData.RandomStream(seed, 20L * 1024 * 1024 + 7);
                    s3.put(key, data);
                    return data.sha256();
                }));
            }
            java.util.concurrent.Future<?> failing = pool.submit(() -> s3.put(run + "budget/failing",
                    TestData.failingAfter(9, 17L * 1024 * 1024)));
            for (int i = 0; i < 3; i++) {
                String expected = puts.get(i).get();
                assertThat(TestData.hash(s3.get(run + "budget/" + i)).sha256()).isEqualTo(expected);
            }
            assertThatThrownBy(failing::get).hasCauseInstanceOf(StorageException.class);
        } finally {
            pool.shutdownNow();
        }
        assertThat(PartBuffer.EXTRA_PARTS.availablePermits()).isEqualTo(before);
        assertThat(s3.list(run + "budget/")).hasSize(3);
    }
}
