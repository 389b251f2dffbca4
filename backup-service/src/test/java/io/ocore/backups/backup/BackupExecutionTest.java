package io.ocore.backups.backup;

import io.ocore.backups.platform.testing.fakes.DestinationStub;

import static io.ocore.backups.backup.Fixtures.manager;
import static io.ocore.backups.backup.Fixtures.viewer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.oneOf;

import io.ocore.backups.backup.backup.Phase;
import io.ocore.backups.backup.execution.BackupExecution;
import io.ocore.backups.backup.execution.BackupWorker;
import io.ocore.backups.platform.destinations.Destinations;
import io.ocore.backups.backup.blobs.BlobStoreCatalogue;
import io.ocore.backups.platform.backupformat.blobs.BlobKeys;
import io.ocore.backups.platform.backupformat.blobs.BlobLayout;
import io.ocore.backups.platform.backupformat.blobs.BlobRefs;
import io.ocore.backups.platform.backupformat.blobs.FilestoreAssembler;
import io.ocore.backups.platform.backupformat.blobs.FilestoreIndex;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.backupformat.BackupManifest;
import io.ocore.backups.platform.backupformat.ComponentName;
import io.ocore.backups.platform.backupformat.ComponentReader;
import io.ocore.backups.platform.backupformat.TarArchives;
import io.ocore.backups.platform.events.EventTypes;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.ocore.backups.platform.testing.s3.S3ProxyServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Backups executed for real: a generated Odoo-shaped environment in its own PostgreSQL cluster,
 * pg_dump, s3proxy and a local folder as destinations, Kafka for the events.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
@QuarkusTestResource(EnvironmentPolicyResource.class)
class BackupExecutionTest {

    static final String BUCKET = "backups";
    static final String PREFIX = "ocore";
    static SourceEnvironment src;
    static S3ProxyServer s3;
    static S3Client s3Client;
    static KafkaTestClient kafka;

    @Inject
    EnvelopeCipher cipher;

    @Inject
    BackupWorker worker;

    @Inject
    Pool pool;

    @Inject
    BlobStoreCatalogue blobStore;

    @Inject
    Destinations destinations;

    @BeforeAll
    static void start() throws Exception {
        src = SourceEnvironment.get();
        // like AWS S3 and MinIO, it takes upload checksums (S3Storage's fallback for servers that
        // refuse them is platform/storage's, tested there)
        s3 = S3ProxyServer.inMemory().ignoringUnknownHeaders().start();
        s3.createBucket(BUCKET);
        s3Client = S3Client.builder().endpointOverride(s3.endpoint()).region(Region.of(s3.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClient(ApacheHttpClient.create())
                // a listing that hangs behind an interrupted upload fails and is asked again, within the test's deadline
                .overrideConfiguration(c -> c.apiCallAttemptTimeout(Duration.ofSeconds(5))
                        .apiCallTimeout(Duration.ofSeconds(12)))
                .build();
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @AfterAll
    static void stop() {
        kafka.close();
        s3Client.close();
        s3.close();
    }

    static UUID s3Destination(UUID org) {
        UUID id = UUID.randomUUID();
        DestinationStub.register(org, id, "S3 " + id.toString().substring(0, 4), "s3", Map.of("bucket", BUCKET,
                "region", s3.region(), "accessKeyId", s3.accessKey(), "secretAccessKey", s3.secretKey(),
                "endpoint", s3.endpoint().toString(), "pathPrefix", PREFIX));
        return id;
    }

    static UUID localDestination(UUID org, Path dir) {
        UUID id = UUID.randomUUID();
        DestinationStub.register(org, id, "Local disk", "local", Map.of("path", dir.toString()));
        return id;
    }

    static UUID unreachableDestination(UUID org) {
        UUID id = UUID.randomUUID();
        DestinationStub.register(org, id, "Dead S3", "s3", Map.of("bucket", BUCKET, "region", "us-east-1",
                "accessKeyId", "x", "secretAccessKey", "y", "endpoint", "http://127.0.0.1:9"));
        return id;
    }

    static String requestBackup(UUID org, UUID env, String type, UUID... dests) {
        return given().auth().oauth2(manager(org)).contentType(ContentType.JSON)
                .body(Map.of("backupType", type, "destinationIds", Stream.of(dests).map(UUID::toString).toList()))
                .post("/api/environments/" + env + "/backups").then().statusCode(202)
                .body("status", equalTo("pending")).extract().path("id");
    }

    static JsonPath awaitFinished(UUID org, String id) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> given().auth().oauth2(viewer(org)).get("/api/backups/" + id).then()
                        .body("status", is(oneOf("completed", "failed"))));
        return given().auth().oauth2(viewer(org)).get("/api/backups/" + id).then().extract().jsonPath();
    }

    static byte[] s3Object(String key) {
        return s3Client.getObjectAsBytes(b -> b.bucket(BUCKET).key(PREFIX + "/" + key)).asByteArray();
    }

    static List<String> s3Keys(String prefix) {
        return s3Client.listObjectsV2(b -> b.bucket(BUCKET).prefix(PREFIX + "/" + prefix)).contents().stream()
                .map(o -> o.key()).toList();
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @io.quarkus.test.common.http.TestHTTPResource(value = "/metrics", management = true)
    java.net.URL metrics;

    double sample(String name, String... labels) {
        return io.ocore.backups.platform.testing.Metrics.sample(metrics, name, labels);
    }

    @Test
    void finishedBackupsAreCountedByOutcomeAndTheEnvironmentsLastSuccessIsExposed() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.register(org, src);
        String completed = "status=\"completed\"";
        String failed = "status=\"failed\"";
        String db = "backup_type=\"db\"";
        double completedBefore = sample("ocore_backups_total", db, completed);
        double failedBefore = sample("ocore_backups_total", db, failed);
        double sizesBefore = sample("ocore_backup_size_bytes_count", db);
        String localPut = "destination_type=\"local\"";
        double localBytesBefore = sample("ocore_destination_bytes_total", localPut, "operation=\"put\"");

        JsonPath ok = awaitFinished(org, requestBackup(org, env, "db",
                localDestination(org, Files.createTempDirectory("ocore-local-"))));
        assertThat(ok.getString("status")).as(ok.prettify()).isEqualTo("completed");
        JsonPath bad = awaitFinished(org, requestBackup(org, env, "db", unreachableDestination(org)));
        assertThat(bad.getString("status")).as(bad.prettify()).isEqualTo("failed");

        long completedAt = java.time.Instant.parse(ok.getString("completedAt")).getEpochSecond();
        String environment = "environment=\"" + env + "\"";
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            assertThat(sample("ocore_backups_total", db, completed)).isEqualTo(completedBefore + 1);
            assertThat(sample("ocore_backups_total", db, failed)).isEqualTo(failedBefore + 1);
            assertThat(sample("ocore_backup_size_bytes_count", db)).isEqualTo(sizesBefore + 1);
            assertThat(sample("ocore_last_successful_backup_timestamp_seconds", environment))
                    .isEqualTo((double) completedAt);
        });
        assertThat(sample("ocore_backup_duration_seconds_count", db)).isPositive();
        // what went to each type of destination (at least the database dump, stored on the local one)
        assertThat(sample("ocore_destination_bytes_total", localPut, "operation=\"put\""))
                .isGreaterThanOrEqualTo(localBytesBefore + ok.getLong("sizeBytes"));
        assertThat(sample("ocore_outbox_pending_events")).isGreaterThanOrEqualTo(0);
        assertThat(io.ocore.backups.platform.testing.Metrics.scrape(metrics)).contains("ocore_outbox_pending_events ");
    }

    @Test
    void aFullBackupToTwoDestinationsRestoresToTheSameDatabaseAndFilestore() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.register(org, src);
        Path localDir = Files.createTempDirectory("ocore-local-");
        UUID s3Dest = s3Destination(org);
        UUID localDest = localDestination(org, localDir);
        String id = requestBackup(org, env, "full", s3Dest, localDest);

        JsonPath b = awaitFinished(org, id);
        assertThat(b.getString("status")).as(b.prettify()).isEqualTo("completed");
        assertThat(b.getList("failedDestinations")).isEmpty();
        assertThat(b.getMap("remotePaths")).containsOnlyKeys(s3Dest.toString(), localDest.toString());
        assertThat(b.getLong("sizeBytes")).isPositive();
        assertThat(b.getString("startedAt")).isNotNull();
        assertThat(b.getString("completedAt")).isNotNull();

        String dir = BackupLayout.backupDir(org, env, UUID.fromString(id));
        assertThat(s3Keys(dir)).containsExactlyInAnyOrder(PREFIX + "/" + dir + "database.dump.zst.enc",
                PREFIX + "/" + dir + BlobLayout.FILESTORE_INDEX, PREFIX + "/" + dir + "config.tar.zst.enc",
                PREFIX + "/" + dir + "manifest.json");
        BackupManifest manifest = BackupManifest.fromJson(s3Object(dir + "manifest.json"));
        assertThat(manifest.backupId()).isEqualTo(UUID.fromString(id));
        assertThat(manifest.postgresVersion()).startsWith("15");
        assertThat(manifest.components()).hasSize(3);
        assertThat(manifest.formatVersion()).isEqualTo(BackupManifest.FORMAT_VERSION);
        assertThat(manifest.component(ComponentName.filestore).orElseThrow().isBlobIndex()).isTrue();

        // Independent client: the stored bytes hash to the recorded checksums, on both destinations.
        for (ComponentName c : List.of(ComponentName.database, ComponentName.filestore, ComponentName.config)) {
            String key = manifest.component(c).orElseThrow().objectKey();
            byte[] stored = s3Object(key);
            assertThat(sha256(stored)).isEqualTo(b.getString("checksums." + c.name()))
                    .isEqualTo(manifest.component(c).orElseThrow().sha256());
            assertThat(Files.readAllBytes(localDir.resolve(key))).isEqualTo(stored);
        }

        // Database: decrypt + decompress, pg_restore into a fresh database, same rows per table.
        Path dump = Files.createTempFile("ocore-restore-", ".dump");
        try (InputStream in = ComponentReader.open(new java.io.ByteArrayInputStream(
                s3Object(dir + "database.dump.zst.enc")), cipher, manifest, ComponentName.database)) {
            Files.copy(in, dump, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        String fresh = "restored_" + UUID.randomUUID().toString().substring(0, 8);
        src.cluster.createDatabase(fresh);
        Process p = new ProcessBuilder(src.cluster.bin().resolve("pg_restore").toString(), "--no-owner",
                "-h", "127.0.0.1", "-p", Integer.toString(src.cluster.port()), "-U", "postgres", "-d", fresh,
                dump.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(rowCounts(fresh)).isEqualTo(rowCounts(SourceEnvironment.DATABASE)).isNotEmpty();

        // Filestore: file for file, assembled from the blobs on the local destination.
        Path unpacked = Files.createTempDirectory("ocore-fs-");
        assemble(org, env, localDest, localDir, manifest, unpacked);
        assertThat(tree(unpacked)).isEqualTo(tree(src.filestore)).hasSize((int) src.summary.fileCount());
        // Config: odoo.conf and the environment's metadata.
        Path conf = Files.createTempDirectory("ocore-conf-");
        try (InputStream in = ComponentReader.open(Files.newInputStream(localDir.resolve(dir + "config.tar.zst.enc")),
                cipher, manifest, ComponentName.config)) {
            TarArchives.extract(in, conf, null);
        }
        assertThat(Files.readAllBytes(conf.resolve("odoo.conf"))).isEqualTo(Files.readAllBytes(src.config));
        assertThat(Files.readString(conf.resolve("environment.json"))).contains(env.toString())
                .doesNotContain("s3cret-pw");

        KafkaTestClient.Received completed = kafka.awaitRecord(Topics.BACKUP,
                r -> r.data().contains(id) && r.type().equals(EventTypes.typeOf(Events.BackupCompleted.class)),
                Duration.ofSeconds(30));
        Events.BackupCompleted event = completed.as(Events.BackupCompleted.class);
        assertThat(event.remotePaths()).containsOnlyKeys(s3Dest, localDest);
        assertThat(event.sizeBytes()).isEqualTo(b.getLong("sizeBytes"));

        // Deleting removes it from every destination: 202 and deleting, then 404 once every copy is gone.
        given().auth().oauth2(manager(org)).delete("/api/backups/" + id).then().statusCode(202)
                .body("status", equalTo("deleting"));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> given()
                .auth().oauth2(viewer(org)).get("/api/backups/" + id).then().statusCode(404));
        assertThat(s3Keys(dir)).isEmpty();
        assertThat(Files.exists(localDir.resolve(dir + "manifest.json"))).isFalse();
        kafka.awaitRecord(Topics.BACKUP, r -> r.data().contains(id)
                && r.type().equals(EventTypes.typeOf(Events.BackupDeleted.class)), Duration.ofSeconds(30));
    }

    @Test
    void aFilestoreFileDeletedDuringTheBackupIsSkippedAndNamedInItsNotes() throws Exception {
        // a filestore of its own (a copy of the source's), so the deletion touches no other test
        Path filestore = copyOfSourceFilestore("gc");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(filestore)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(2);
        Path collected = files.get(1);
        String collectedName = filestore.relativize(collected).toString();
        UUID org = UUID.randomUUID();
        UUID env = registerWithFilestore(org, filestore);
        Path localDir = Files.createTempDirectory("ocore-local-");
        UUID localDest = localDestination(org, localDir);
        // Odoo's garbage collection removes an attachment after the backup listed the filestore
        BackupExecution.filestoreHook((file, attempt) -> {
            if (file.equals(collected)) {
                Files.delete(file);
            }
        });
        String id;
        JsonPath b;
        try {
            id = requestBackup(org, env, "full", localDest);
            b = awaitFinished(org, id);
        } finally {
            BackupExecution.filestoreHook(null);
        }
        assertThat(b.getString("status")).as(b.prettify()).isEqualTo("completed");
        assertThat(b.getList("notes", String.class)).containsExactly(
                "filestore " + collectedName + ": deleted while the backup ran (not in the backup)");

        // the stored filestore holds every other file, and not the collected one
        String dir = BackupLayout.backupDir(org, env, UUID.fromString(id));
        BackupManifest manifest = BackupManifest.fromJson(Files.readAllBytes(localDir.resolve(dir + "manifest.json")));
        Path out = Files.createTempDirectory("ocore-unpacked-");
        assemble(org, env, localDest, localDir, manifest, out);
        try (Stream<Path> walk = Files.walk(out)) {
            assertThat(walk.filter(Files::isRegularFile).map(p -> out.relativize(p).toString()).sorted().toList())
                    .isEqualTo(files.stream().filter(p -> !p.equals(collected))
                            .map(p -> filestore.relativize(p).toString()).sorted().toList());
        }

        // a backup with nothing to say has empty notes
        String plain = requestBackup(org, env, "db", localDest);
        assertThat(awaitFinished(org, plain).getList("notes")).isEmpty();
    }

    @Test
    void anUnreachableDestinationIsReportedWhileTheOtherCompletes() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.register(org, src);
        Path localDir = Files.createTempDirectory("ocore-local-");
        UUID localDest = localDestination(org, localDir);
        UUID dead = unreachableDestination(org);
        String id = requestBackup(org, env, "db", dead, localDest);

        JsonPath b = awaitFinished(org, id);
        assertThat(b.getString("status")).as(b.prettify()).isEqualTo("completed");
        assertThat(b.getMap("remotePaths")).containsOnlyKeys(localDest.toString());
        assertThat(b.getString("failedDestinations[0].destinationId")).isEqualTo(dead.toString());
        assertThat(b.getString("failedDestinations[0].reason")).isNotBlank();
        assertThat(b.getString("checksums.database")).hasSize(64);
        assertThat(b.getString("checksums.filestore")).isNull();
        String dir = BackupLayout.backupDir(org, env, UUID.fromString(id));
        assertThat(localDir.resolve(dir + "manifest.json")).exists();
        assertThat(localDir.resolve(dir + "filestore.tar.zst.enc")).doesNotExist();

        KafkaTestClient.Received failed = kafka.awaitRecord(Topics.DESTINATION,
                r -> r.data().contains(id) && r.data().contains(dead.toString()), Duration.ofSeconds(30));
        Events.DestinationFailed e = failed.as(Events.DestinationFailed.class);
        assertThat(e.destinationName()).isEqualTo("Dead S3");
        assertThat(e.environmentId()).isEqualTo(env);
        kafka.awaitRecord(Topics.BACKUP, r -> r.data().contains(id)
                && r.type().equals(EventTypes.typeOf(Events.BackupCompleted.class)), Duration.ofSeconds(30));
    }

    @Test
    void aBackupWhoseOnlyDestinationIsUnreachableFails() {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.register(org, src);
        UUID dead = unreachableDestination(org);
        String id = requestBackup(org, env, "db", dead);
        JsonPath b = awaitFinished(org, id);
        assertThat(b.getString("status")).isEqualTo("failed");
        assertThat(b.getString("error")).contains("every destination failed");
        assertThat(b.getMap("remotePaths")).isEmpty();
        KafkaTestClient.Received failed = kafka.awaitRecord(Topics.BACKUP, r -> r.data().contains(id)
                && r.type().equals(EventTypes.typeOf(Events.BackupFailed.class)), Duration.ofSeconds(30));
        assertThat(failed.as(Events.BackupFailed.class).reason()).contains("every destination failed");
    }

    @Test
    void aBackupInterruptedByACrashIsFailedAndLeavesNoObjectsAfterRestart() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.register(org, src);
        Path localDir = Files.createTempDirectory("ocore-local-");
        UUID s3Dest = s3Destination(org);
        UUID localDest = localDestination(org, localDir);
        String id;
        String dir;
        BackupExecution.simulateCrashAt(Phase.archiving_filestore);
        try {
            id = requestBackup(org, env, "full", s3Dest, localDest);
            dir = BackupLayout.backupDir(org, env, UUID.fromString(id));
            // The database component was stored on both destinations, then the process "died".
            // List only once the run has stopped: s3proxy's in-memory store may answer a listing that
            // races an in-flight multipart upload with a 400, which says nothing about the service.
            // s3proxy may also leave a listing hanging behind the interrupted upload: timed out, asked again
            await().atMost(Duration.ofSeconds(60)).ignoreExceptionsInstanceOf(SdkException.class)
                    .until(() -> !worker.runningHere().contains(UUID.fromString(id)) && !s3Keys(dir).isEmpty());
        } finally {
            BackupExecution.simulateCrashAt(null);
        }
        given().auth().oauth2(viewer(org)).get("/api/backups/" + id).then().body("status", equalTo("in_progress"));
        // the filestore ran beside the dump: its index may be stored too; never the manifest
        assertThat(s3Keys(dir)).contains(PREFIX + "/" + dir + "database.dump.zst.enc")
                .doesNotContain(PREFIX + "/" + dir + "manifest.json");
        assertThat(localDir.resolve(dir + "database.dump.zst.enc")).exists();

        // What the service does when it starts again.
        worker.recoverInterrupted();

        JsonPath b = awaitFinished(org, id);
        assertThat(b.getString("status")).isEqualTo("failed");
        assertThat(b.getString("error")).isEqualTo("interrupted: the backup service stopped while this backup ran");
        assertThat(b.getMap("remotePaths")).isEmpty();
        assertThat(s3Keys(dir)).isEmpty();
        // the backup's directory is gone; packs stored meanwhile stay in the blob store (the collector's)
        try (Stream<Path> left = Files.walk(localDir)) {
            assertThat(left.filter(Files::isRegularFile).filter(f -> f.toString().contains("/backups/")).toList())
                    .isEmpty();
        }
        kafka.awaitRecord(Topics.BACKUP, r -> r.data().contains(id) && r.data().contains("interrupted"),
                Duration.ofSeconds(30));
        given().auth().oauth2(viewer(org)).get("/api/backups/" + id).then().body("error", containsString("interrupted"));
    }

    @Test
    void theDumpStartsWithinAFractionOfASecondOfTheRequest() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.register(org, src);
        UUID s3Dest = s3Destination(org);
        UUID localDest = localDestination(org, Files.createTempDirectory("ocore-local-"));
        // warm-up: the first backup of the process loads the drivers' classes
        awaitFinished(org, requestBackup(org, env, "db", s3Dest, localDest));
        Map<String, java.time.Instant> started = new java.util.concurrent.ConcurrentHashMap<>();
        Map<String, java.time.Instant> firstByte = new java.util.concurrent.ConcurrentHashMap<>();
        BackupExecution.marks((id, mark) -> {
            if (mark.equals("database.started")) {
                started.put(id.toString(), java.time.Instant.now());
            } else if (mark.equals("database.firstByte")) {
                firstByte.put(id.toString(), java.time.Instant.now());
            }
        });
        List<Long> toStart = new ArrayList<>();
        List<Long> toFirstByte = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                String id = requestBackup(org, env, "full", s3Dest, localDest);
                JsonPath b = awaitFinished(org, id);
                assertThat(b.getString("status")).isEqualTo("completed");
                // from the request's record (createdAt, stamped while it is handled): what the service does
                java.time.Instant requested = java.time.Instant.parse(b.getString("createdAt"));
                toStart.add(Duration.between(requested, started.get(id)).toMillis());
                toFirstByte.add(Duration.between(requested, firstByte.get(id)).toMillis());
            }
        } finally {
            BackupExecution.marks(null);
        }
        System.out.println("request to pg_dump started, ms: " + toStart + "; to the dump's first byte, ms: "
                + toFirstByte);
        // pg_dump starts reading at once; what it takes to read the catalogue before its first byte is its own
        assertThat(toStart.stream().mapToLong(Long::longValue).min().orElseThrow()).as("ms: %s", toStart)
                .isLessThan(300);
    }

    @Test
    void aSecondFullBackupUploadsOnlyNewAttachmentsAndANewDestinationGetsEveryBlob() throws Exception {
        UUID org = UUID.randomUUID();
        Path filestore = copyOfSourceFilestore("dedup");
        UUID env = registerWithFilestore(org, filestore);
        Path localDir = Files.createTempDirectory("ocore-local-");
        UUID localDest = localDestination(org, localDir);
        UUID s3Dest = s3Destination(org);

        // 1. the first full backup: a blob index, and packs under blobs/ on both destinations
        String first = requestBackup(org, env, "full", localDest, s3Dest);
        JsonPath b1 = awaitFinished(org, first);
        assertThat(b1.getString("status")).as(b1.prettify()).isEqualTo("completed");
        assertThat(b1.getList("failedDestinations")).isEmpty();
        String dir1 = BackupLayout.backupDir(org, env, UUID.fromString(first));
        BackupManifest m1 = BackupManifest.fromJson(Files.readAllBytes(localDir.resolve(dir1 + "manifest.json")));
        assertThat(m1.formatVersion()).isEqualTo(2);
        BackupManifest.Component fs = m1.component(ComponentName.filestore).orElseThrow();
        assertThat(fs.layout()).isEqualTo(BackupManifest.LAYOUT_BLOB_INDEX);
        assertThat(fs.objectKey()).isEqualTo(dir1 + BlobLayout.FILESTORE_INDEX);
        assertThat(m1.blobStore().sealedKey()).isEqualTo(sql("select sealed_key from blob_store_key "
                + "where environment_id = $1", env).getString(0));
        FilestoreIndex.Contents index = FilestoreIndex.read(ComponentReader.open(
                Files.newInputStream(localDir.resolve(fs.objectKey())), cipher, m1, ComponentName.filestore));
        Map<String, Long> sizes = new TreeMap<>();
        index.entries().stream().filter(e -> e.type() == FilestoreIndex.Type.file)
                .forEach(e -> sizes.put(e.path(), e.size()));
        assertThat(sizes).isEqualTo(sizes(filestore)).hasSize((int) src.summary.fileCount());
        Set<String> refs1 = refs(first);
        assertThat(refs1).isEqualTo(index.entries().stream().flatMap(e -> e.blobs().stream())
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new))).isNotEmpty();
        String blobs = BlobLayout.blobsDir(org, env);
        List<String> localPacks1 = files(localDir.resolve(blobs + "packs"));
        assertThat(localPacks1).isNotEmpty();
        assertThat(files(localDir.resolve(blobs + "index"))).hasSameSizeAs(localPacks1);
        List<String> s3Packs1 = s3Keys(blobs + "packs/");
        assertThat(s3Packs1).hasSameSizeAs(localPacks1);
        assertThat(liveBlobs(localDest, env)).containsAll(refs1);
        assertThat(liveBlobs(s3Dest, env)).containsAll(refs1);

        // 2. unchanged: no pack anywhere, the same blobs referenced
        String second = requestBackup(org, env, "full", localDest, s3Dest);
        JsonPath b2 = awaitFinished(org, second);
        assertThat(b2.getString("status")).as(b2.prettify()).isEqualTo("completed");
        assertThat(files(localDir.resolve(blobs + "packs"))).isEqualTo(localPacks1);
        assertThat(s3Keys(blobs + "packs/")).isEqualTo(s3Packs1);
        assertThat(refs(second)).isEqualTo(refs1);
        assertThat(b2.getLong("sizeBytes")).isLessThan(b1.getLong("sizeBytes"));

        // 3. three new attachments and a new destination: only they are uploaded where the blobs are
        //    held, and the new destination receives every blob
        Map<String, byte[]> added = new TreeMap<>();
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 3; i++) {
            byte[] content = new byte[20_000 + i];
            random.nextBytes(content);
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(content));
            added.put(sha.substring(0, 2) + "/" + sha, content);
        }
        for (Map.Entry<String, byte[]> e : added.entrySet()) {
            Files.createDirectories(filestore.resolve(e.getKey()).getParent());
            Files.write(filestore.resolve(e.getKey()), e.getValue());
        }
        Path otherDir = Files.createTempDirectory("ocore-local-");
        UUID otherDest = localDestination(org, otherDir);
        long localBlobsBefore = liveBlobs(localDest, env).size();
        String third = requestBackup(org, env, "full", localDest, s3Dest, otherDest);
        JsonPath b3 = awaitFinished(org, third);
        assertThat(b3.getString("status")).as(b3.prettify()).isEqualTo("completed");
        assertThat(b3.getList("failedDestinations")).isEmpty();
        Set<String> refs3 = refs(third);
        assertThat(refs3).hasSize(refs1.size() + 3).containsAll(refs1);
        List<String> newPacks = new ArrayList<>(files(localDir.resolve(blobs + "packs")));
        newPacks.removeAll(localPacks1);
        assertThat(newPacks).hasSize(1);
        long newPackBytes = Files.size(localDir.resolve(blobs + "packs").resolve(newPacks.get(0)));
        long addedBytes = added.values().stream().mapToLong(c -> c.length).sum();
        assertThat(newPackBytes).isBetween(addedBytes, addedBytes + 3 * 64L);
        assertThat(liveBlobs(localDest, env)).hasSize((int) localBlobsBefore + 3);
        assertThat(s3Keys(blobs + "packs/")).hasSize(s3Packs1.size() + 1);
        assertThat(liveBlobs(otherDest, env)).containsAll(refs3);
        assertThat(files(otherDir.resolve(blobs + "packs"))).isNotEmpty();
        // the new destination alone restores the filestore
        String dir3 = BackupLayout.backupDir(org, env, UUID.fromString(third));
        BackupManifest m3 = BackupManifest.fromJson(Files.readAllBytes(otherDir.resolve(dir3 + "manifest.json")));
        Path restored = Files.createTempDirectory("ocore-fs-");
        assemble(org, env, otherDest, otherDir, m3, restored);
        assertThat(tree(restored)).isEqualTo(tree(filestore));
    }

    @Test
    void aDbBackupIsUnchangedAndDeletingABlobStoreBackupLeavesItsBlobsToTheCollector() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.register(org, src);
        Path localDir = Files.createTempDirectory("ocore-local-");
        UUID localDest = localDestination(org, localDir);

        String db = requestBackup(org, env, "db", localDest);
        assertThat(awaitFinished(org, db).getString("status")).isEqualTo("completed");
        String dbDir = BackupLayout.backupDir(org, env, UUID.fromString(db));
        BackupManifest m = BackupManifest.fromJson(Files.readAllBytes(localDir.resolve(dbDir + "manifest.json")));
        assertThat(m.formatVersion()).isEqualTo(BackupManifest.FORMAT_VERSION_TAR);
        assertThat(m.blobStore()).isNull();
        assertThat(m.components()).extracting(BackupManifest.Component::name).containsExactly("database");
        assertThat(m.components().get(0).layout()).isNull();
        assertThat(m.components().get(0).objectKey()).isEqualTo(dbDir + "database.dump.zst.enc");
        assertThat(sqlCount("select count(*) from backup_blob_ref where backup_id = $1", UUID.fromString(db)))
                .isZero();

        String full = requestBackup(org, env, "full", localDest);
        assertThat(awaitFinished(org, full).getString("status")).isEqualTo("completed");
        assertThat(sqlCount("select count(*) from backup_blob_ref where backup_id = $1", UUID.fromString(full)))
                .isOne();
        Path packs = localDir.resolve(BlobLayout.blobsDir(org, env) + "packs");
        List<String> packFiles = files(packs);
        assertThat(packFiles).isNotEmpty();

        // the version-1 backup and the blob-store backup both delete; the blobs stay for the collector
        for (String id : List.of(db, full)) {
            given().auth().oauth2(manager(org)).delete("/api/backups/" + id).then().statusCode(202);
        }
        for (String id : List.of(db, full)) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> given()
                    .auth().oauth2(viewer(org)).get("/api/backups/" + id).then().statusCode(404));
            assertThat(localDir.resolve(BackupLayout.backupDir(org, env, UUID.fromString(id)))).doesNotExist();
        }
        assertThat(sqlCount("select count(*) from backup_blob_ref where backup_id = $1", UUID.fromString(full)))
                .isZero();
        assertThat(files(packs)).isEqualTo(packFiles);
    }

    @Test
    void theFinishFailsADestinationWhoseReferencedBlobWasCollectedMeanwhile() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = registerWithFilestore(org, copyOfSourceFilestore("doomed"));
        Path localDir = Files.createTempDirectory("ocore-local-");
        UUID localDest = localDestination(org, localDir);
        Path otherDir = Files.createTempDirectory("ocore-local-");
        UUID otherDest = localDestination(org, otherDir);
        // after the filestore was stored, before the finish: the collector marks one blob of the first
        // copy (not swept yet) and sweeps one of the other copy
        BackupExecution.beforeComponent(c -> {
            if (c == ComponentName.config) {
                pool.preparedQuery("update blob_location set doomed_at = now() where destination_id = $1 "
                        + "and environment_id = $2 and blob_id = (select min(blob_id) from blob_location "
                        + "where destination_id = $1 and environment_id = $2)")
                        .execute(Tuple.of(localDest, env)).await().atMost(Duration.ofSeconds(10));
                pool.preparedQuery("delete from blob_location where destination_id = $1 "
                        + "and environment_id = $2 and blob_id = (select min(blob_id) from blob_location "
                        + "where destination_id = $1 and environment_id = $2)")
                        .execute(Tuple.of(otherDest, env)).await().atMost(Duration.ofSeconds(10));
            }
        });
        String id;
        JsonPath b;
        try {
            id = requestBackup(org, env, "full", localDest, otherDest);
            b = awaitFinished(org, id);
        } finally {
            BackupExecution.beforeComponent(null);
        }
        assertThat(b.getString("status")).as(b.prettify()).isEqualTo("completed");
        assertThat(b.getMap("remotePaths")).containsOnlyKeys(localDest.toString());
        assertThat(b.getString("failedDestinations[0].destinationId")).isEqualTo(otherDest.toString());
        assertThat(b.getString("failedDestinations[0].reason"))
                .isEqualTo("1 blob(s) of the filestore are no longer stored on this destination (collected while the"
                        + " backup ran)");
        String dir = BackupLayout.backupDir(org, env, UUID.fromString(id));
        assertThat(otherDir.resolve(dir)).doesNotExist();
        assertThat(localDir.resolve(dir + "manifest.json")).exists();
        assertThat(refs(id)).isNotEmpty();
        // the marked blob is referenced again: live, the collector keeps it
        assertThat(pool.preparedQuery("select count(*) from blob_location where destination_id = $1 "
                + "and environment_id = $2 and doomed_at is not null").execute(Tuple.of(localDest, env))
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0)).isZero();
        Events.DestinationFailed e = kafka.awaitRecord(Topics.DESTINATION,
                r -> r.data().contains(id) && r.data().contains(otherDest.toString()), Duration.ofSeconds(30))
                .as(Events.DestinationFailed.class);
        assertThat(e.message()).contains("no longer stored");
    }

    @Test
    void theFilestoreWalkRunsWhileTheDatabaseIsDumped() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.register(org, src);
        UUID localDest = localDestination(org, Files.createTempDirectory("ocore-local-"));
        List<String> marks = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CountDownLatch walking = new java.util.concurrent.CountDownLatch(1);
        BackupExecution.marks((id, mark) -> {
            marks.add(mark);
            if (mark.equals("filestore.walk")) {
                walking.countDown();
            }
        });
        // the dump starts only once the walk has (a backup that ran them one after the other waits in vain)
        BackupExecution.beforeComponent(c -> {
            if (c == ComponentName.database) {
                try {
                    walking.await(20, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        JsonPath b;
        try {
            b = awaitFinished(org, requestBackup(org, env, "full", localDest));
        } finally {
            BackupExecution.beforeComponent(null);
            BackupExecution.marks(null);
        }
        assertThat(b.getString("status")).as(b.prettify()).isEqualTo("completed");
        assertThat(marks).contains("filestore.walk", "database.done");
        assertThat(marks.indexOf("filestore.walk")).as("%s", marks).isLessThan(marks.indexOf("database.firstByte"));
    }

    /** A copy of the source's filestore of its own, inside the test's filestore root. */
    static Path copyOfSourceFilestore(String prefix) throws Exception {
        Path filestore = Path.of(Fixtures.filestore(prefix + "_" + UUID.randomUUID().toString().substring(0, 8)));
        try (Stream<Path> walk = Files.walk(src.filestore)) {
            for (Path p : walk.toList()) {
                Path to = filestore.resolve(src.filestore.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        return filestore;
    }

    static UUID registerWithFilestore(UUID org, Path filestore) {
        String id = given().auth().oauth2(Fixtures.platform(org)).contentType(ContentType.JSON)
                .body(Fixtures.environmentBody(UUID.randomUUID(), src.cluster.port(), SourceEnvironment.DATABASE,
                        filestore.toString(), src.config.toString()))
                .post("/api/environments").then().statusCode(201).extract().path("id");
        return UUID.fromString(id);
    }

    /** Writes a blob-store backup's filestore under {@code target}, read from one local destination. */
    void assemble(UUID org, UUID env, UUID dest, Path localDir, BackupManifest manifest, Path target)
            throws Exception {
        BackupManifest.Component c = manifest.component(ComponentName.filestore).orElseThrow();
        FilestoreIndex.Contents index;
        try (InputStream in = ComponentReader.open(Files.newInputStream(localDir.resolve(c.objectKey())), cipher,
                manifest, ComponentName.filestore)) {
            index = FilestoreIndex.read(in);
        }
        Map<String, io.ocore.backups.platform.backupformat.blobs.BlobLocation> locations = blobStore
                .liveLocations(dest, env);
        Destinations.Opened d = destinations.open(org, dest);
        try (var storage = d.storage()) {
            new FilestoreAssembler(BlobKeys.unseal(cipher, env, manifest.blobStore().sealedKey()), org, env, storage,
                    locations::get).extract(index.entries(), target, null);
        }
    }

    Set<String> refs(String backupId) {
        Row r = sql("select blob_ids from backup_blob_ref where backup_id = $1", UUID.fromString(backupId));
        return BlobRefs.decode(r.getBuffer(0).getBytes());
    }

    Set<String> liveBlobs(UUID dest, UUID env) {
        return new java.util.TreeSet<>(blobStore.liveLocations(dest, env).keySet());
    }

    Row sql(String query, Object... args) {
        return pool.preparedQuery(query).execute(Tuple.from(args)).await().atMost(Duration.ofSeconds(10)).iterator()
                .next();
    }

    long sqlCount(String query, Object... args) {
        return sql(query, args).getLong(0);
    }

    /** Regular files under {@code root}, relative, sorted; empty when it does not exist. */
    static List<String> files(Path root) throws Exception {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    static Map<String, Long> sizes(Path root) throws Exception {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(p).toString(), Files.size(p));
            }
        }
        return out;
    }

    static Map<String, Long> rowCounts(String database) throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection c = src.cluster.connect(database); var st = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(
                    "select tablename from pg_tables where schemaname = 'public' order by tablename")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String t : tables) {
                try (ResultSet rs = st.executeQuery("select count(*) from \"" + t + "\"")) {
                    rs.next();
                    counts.put(t, rs.getLong(1));
                }
            }
        }
        return counts;
    }

    static Map<String, String> tree(Path root) throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(p).toString(), sha256(Files.readAllBytes(p)));
            }
        }
        return files;
    }
}
