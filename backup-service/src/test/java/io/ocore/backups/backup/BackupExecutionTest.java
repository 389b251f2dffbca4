package io.ocore.backups.backup;

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
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

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

    @BeforeAll
    static void start() throws Exception {
        src = SourceEnvironment.get();
        s3 = S3ProxyServer.inMemory().start();
        s3.createBucket(BUCKET);
        s3Client = S3Client.builder().endpointOverride(s3.endpoint()).region(Region.of(s3.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClient(ApacheHttpClient.create()).build();
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
                PREFIX + "/" + dir + "filestore.tar.zst.enc", PREFIX + "/" + dir + "config.tar.zst.enc",
                PREFIX + "/" + dir + "manifest.json");
        BackupManifest manifest = BackupManifest.fromJson(s3Object(dir + "manifest.json"));
        assertThat(manifest.backupId()).isEqualTo(UUID.fromString(id));
        assertThat(manifest.postgresVersion()).startsWith("15");
        assertThat(manifest.components()).hasSize(3);

        // Independent client: the stored bytes hash to the recorded checksums, on both destinations.
        for (ComponentName c : ComponentName.values()) {
            byte[] stored = s3Object(dir + c.fileName());
            assertThat(sha256(stored)).isEqualTo(b.getString("checksums." + c.name()))
                    .isEqualTo(manifest.component(c).orElseThrow().sha256());
            assertThat(Files.readAllBytes(localDir.resolve(dir + c.fileName()))).isEqualTo(stored);
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

        // Filestore: file for file.
        Path unpacked = Files.createTempDirectory("ocore-fs-");
        try (InputStream in = ComponentReader.open(Files.newInputStream(localDir.resolve(dir + "filestore.tar.zst.enc")),
                cipher, manifest, ComponentName.filestore)) {
            TarArchives.extract(in, unpacked, null);
        }
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
        String name = "gc_" + UUID.randomUUID().toString().substring(0, 8);
        Path filestore = Path.of(Fixtures.filestore(name));
        List<Path> files;
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
        try (Stream<Path> walk = Files.walk(filestore)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(2);
        Path collected = files.get(1);
        String collectedName = filestore.relativize(collected).toString();
        UUID org = UUID.randomUUID();
        String envId = given().auth().oauth2(Fixtures.platform(org)).contentType(ContentType.JSON)
                .body(Fixtures.environmentBody(UUID.randomUUID(), src.cluster.port(), SourceEnvironment.DATABASE,
                        filestore.toString(), src.config.toString()))
                .post("/api/environments").then().statusCode(201).extract().path("id");
        UUID env = UUID.fromString(envId);
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
        try (InputStream in = ComponentReader.open(Files.newInputStream(localDir.resolve(
                dir + ComponentName.filestore.fileName())), cipher, manifest, ComponentName.filestore)) {
            TarArchives.extract(in, out, null);
        }
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
            await().atMost(Duration.ofSeconds(60)).ignoreExceptionsInstanceOf(S3Exception.class)
                    .until(() -> !worker.runningHere().contains(UUID.fromString(id)) && !s3Keys(dir).isEmpty());
        } finally {
            BackupExecution.simulateCrashAt(null);
        }
        given().auth().oauth2(viewer(org)).get("/api/backups/" + id).then().body("status", equalTo("in_progress"));
        assertThat(s3Keys(dir)).containsExactly(PREFIX + "/" + dir + "database.dump.zst.enc");
        assertThat(localDir.resolve(dir + "database.dump.zst.enc")).exists();

        // What the service does when it starts again.
        worker.recoverInterrupted();

        JsonPath b = awaitFinished(org, id);
        assertThat(b.getString("status")).isEqualTo("failed");
        assertThat(b.getString("error")).isEqualTo("interrupted: the backup service stopped while this backup ran");
        assertThat(b.getMap("remotePaths")).isEmpty();
        assertThat(s3Keys(dir)).isEmpty();
        try (Stream<Path> left = Files.walk(localDir)) {
            assertThat(left.filter(Files::isRegularFile).toList()).isEmpty();
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
        Map<String, java.time.Instant> firstByte = new java.util.concurrent.ConcurrentHashMap<>();
        BackupExecution.marks((id, mark) -> {
            if (mark.equals("database.firstByte")) {
                firstByte.put(id.toString(), java.time.Instant.now());
            }
        });
        List<Long> millis = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                java.time.Instant requested = java.time.Instant.now();
                String id = requestBackup(org, env, "db", s3Dest, localDest);
                assertThat(awaitFinished(org, id).getString("status")).isEqualTo("completed");
                millis.add(Duration.between(requested, firstByte.get(id)).toMillis());
            }
        } finally {
            BackupExecution.marks(null);
        }
        System.out.println("request to the dump's first byte, ms: " + millis);
        assertThat(millis.stream().mapToLong(Long::longValue).min().orElseThrow()).as("ms: %s", millis)
                .isLessThan(300);
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
