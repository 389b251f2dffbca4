package io.ocore.backups.wal.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.matchesPattern;

import io.micrometer.core.instrument.MeterRegistry;
import com.github.luben.zstd.Zstd;
import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.backupformat.Unpack;
import io.ocore.backups.platform.backupformat.wal.WalObject;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events.BackupScheduleChanged;
import io.ocore.backups.platform.events.v1.Events.EnvironmentRegistered;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.fakes.DestinationStub;
import io.ocore.backups.platform.testing.fakes.OwnerServicesStub;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresCluster;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.ocore.backups.platform.testing.s3.S3ProxyServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * WAL ingest and serving end to end: real PostgreSQL 15 (which also gives the WAL segment put),
 * Kafka, a local destination in a temp folder and s3_compatible on s3proxy, destination-service
 * stood in for by DestinationStub.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
@QuarkusTestResource(OwnerServicesStub.class)
class WalIngestApiTest {

    static final String BUCKET = "wal-test";
    static final String PREFIX = "ocore";
    static final String MASTER_KEY = "dGVzdC1vbmx5LW1hc3Rlci1rZXktazItMzItYnl0ZXM=";

    static KafkaTestClient kafka;
    static S3ProxyServer s3;
    static Path root;
    /** A real, complete PostgreSQL 15 segment and its name. */
    static byte[] segment;
    static String segmentName;

    @Inject
    MeterRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        s3 = S3ProxyServer.inMemory().start();
        s3.createBucket(BUCKET);
        root = Files.createTempDirectory(Path.of("/tmp"), "wal-dest-");
        realSegment();
    }

    @AfterAll
    static void stop() {
        kafka.close();
        s3.close();
    }

    /** Writes a few commits on the test cluster, switches WAL and copies the finished segment. */
    static void realSegment() throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        String db = pg.createDatabase("walsrc_" + UUID.randomUUID().toString().substring(0, 8));
        try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
            s.execute("create table t (x int)");
            s.execute("insert into t select generate_series(1, 1000)");
            try (ResultSet r = s.executeQuery("select pg_walfile_name(pg_current_wal_lsn())")) {
                r.next();
                segmentName = r.getString(1);
            }
            s.execute("select pg_switch_wal()");
            Path file = pg.dataDir().resolve("pg_wal").resolve(segmentName);
            segment = Files.readAllBytes(file);
        }
        assertThat(segment).hasSize(16 << 20);
    }

    static UUID localDestination(UUID org, Path dir) throws Exception {
        Files.createDirectories(dir);
        UUID id = UUID.randomUUID();
        DestinationStub.register(org, id, "Local", "local", Map.of("path", dir.toString()));
        return id;
    }

    static UUID s3Destination(UUID org) {
        UUID id = UUID.randomUUID();
        DestinationStub.register(org, id, "S3", "s3_compatible", Map.of("bucket", BUCKET, "region", s3.region(),
                "accessKeyId", s3.accessKey(), "secretAccessKey", s3.secretKey(), "endpoint", s3.endpoint().toString(),
                "pathPrefix", PREFIX));
        return id;
    }

    static String manager(UUID org) {
        return TestTokens.of(org, Permissions.MANAGE_ENVIRONMENTS);
    }

    /** An environment of {@code org} whose schedule archives WAL to {@code dests}; answers its WAL token. */
    static UUID environment(UUID org, boolean walEnabled, UUID... dests) {
        UUID env = UUID.randomUUID();
        kafka.publish(new EnvironmentRegistered(org, env, UUID.randomUUID(), "prod", "production", Instant.now()));
        kafka.publish(new BackupScheduleChanged(org, env, true, walEnabled, 7, List.of(dests)));
        // known to wal-archiver once wal-config answers 200 (WAL on) or says WAL is off (not "not found")
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(manager(org))
                .get("/api/environments/{env}/wal-config", env).then()
                .statusCode(walEnabled ? 200 : 404)
                .body(walEnabled ? "environmentId" : "detail", walEnabled ? equalTo(env.toString())
                        : containsString("WAL archiving is off")));
        return env;
    }

    static String token(UUID org, UUID env) {
        return given().auth().oauth2(manager(org)).get("/api/environments/{env}/wal-config", env).then()
                .statusCode(200).extract().path("walToken");
    }

    static Response put(UUID env, String token, String name, byte[] body) {
        return given().header("Authorization", "Bearer " + token).contentType("application/octet-stream")
                .body(body).put("/api/wal/{env}/{name}", env, name);
    }

    static Response get(UUID env, String token, String name) {
        return given().header("Authorization", "Bearer " + token).get("/api/wal/{env}/{name}", env, name);
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static long walFileRows(UUID env) throws Exception {
        var config = ConfigProvider.getConfig();
        try (Connection c = DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class), "");
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("select count(*) from wal_file where environment_id = '" + env + "'")) {
            r.next();
            return r.getLong(1);
        }
    }

    static Map<String, Object> health(UUID env) throws Exception {
        var config = ConfigProvider.getConfig();
        try (Connection c = DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class), "");
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("select failed_attempts, last_failure_file, last_success_file,"
                        + " failing_since from wal_archive_health where environment_id = '" + env + "'")) {
            if (!r.next()) {
                return Map.of();
            }
            java.util.HashMap<String, Object> m = new java.util.HashMap<>();
            m.put("failed_attempts", r.getInt(1));
            m.put("last_failure_file", r.getString(2));
            m.put("last_success_file", r.getString(3));
            m.put("failing_since", r.getTimestamp(4));
            return m;
        }
    }

    @Test
    void walConfigGivesThePostgresqlSettingsAndTheTokenAndRotationReplacesIt() {
        UUID org = UUID.randomUUID();
        UUID off = environment(org, false);
        given().auth().oauth2(manager(org)).get("/api/environments/{env}/wal-config", off).then().statusCode(404)
                .contentType("application/problem+json").body("detail", containsString("WAL archiving is off"));
        UUID env = environment(org, true, UUID.randomUUID());
        given().auth().oauth2(manager(UUID.randomUUID())).get("/api/environments/{env}/wal-config", env).then()
                .statusCode(404);
        given().auth().oauth2(TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS))
                .get("/api/environments/{env}/wal-config", env).then().statusCode(403);

        String url = "http://127.0.0.1:8080/api/wal/" + env;
        String tokenFile = "/etc/ocore/" + env + ".wal-token";
        String archive = "ocore-wal push --url " + url + " --token-file " + tokenFile + " %p %f";
        String restore = "ocore-wal fetch --url " + url + " --token-file " + tokenFile + " %f %p";
        String first = given().auth().oauth2(manager(org)).get("/api/environments/{env}/wal-config", env).then()
                .statusCode(200)
                .body("environmentId", equalTo(env.toString()))
                .body("archiveCommand", equalTo(archive))
                .body("restoreCommand", equalTo(restore))
                .body("settings.archive_mode", equalTo("on"))
                .body("settings.archive_timeout", equalTo("60s"))
                .body("settings.wal_level", equalTo("replica"))
                .body("settings.max_wal_senders", equalTo("4"))
                .body("settings.archive_command", equalTo("'" + archive + "'"))
                .body("settings.restore_command", equalTo("'" + restore + "'"))
                .body("tokenFile", equalTo(tokenFile))
                .body("replication", containsString("REPLICATION"))
                .body("replication", containsString("host replication"))
                .body("walToken", matchesPattern("ocwal_[A-Za-z0-9_-]{43}"))
                .extract().path("walToken");
        // the same token until rotated
        assertThat(token(org, env)).isEqualTo(first);
        String second = given().auth().oauth2(manager(org)).post("/api/environments/{env}/wal-config/rotate-token", env)
                .then().statusCode(200).body("archiveCommand", equalTo(archive)).extract().path("walToken");
        assertThat(second).isNotEqualTo(first).matches("ocwal_[A-Za-z0-9_-]{43}");
        assertThat(token(org, env)).isEqualTo(second);
        get(env, first, "000000010000000000000001").then().statusCode(401);
        get(env, second, "000000010000000000000001").then().statusCode(404);
    }

    @Test
    void onlyTheEnvironmentsOwnWalTokenOpensTheWalPaths() {
        UUID org = UUID.randomUUID();
        UUID env = environment(org, true, UUID.randomUUID());
        UUID other = environment(org, true, UUID.randomUUID());
        String token = token(org, env);
        String otherToken = token(org, other);
        String name = "000000010000000000000001";
        get(env, token, name).then().statusCode(404); // the token works: never archived
        for (String refused : new String[] {otherToken, TestTokens.of(org, Permissions.MANAGE_ENVIRONMENTS,
                Permissions.VIEW_ENVIRONMENTS), TestTokens.service(), "ocwal_" + "A".repeat(43), ""}) {
            get(env, refused, name).then().statusCode(401).contentType("application/problem+json")
                    .body("detail", equalTo("This environment's WAL token is required (Authorization: Bearer ocwal_...)"));
            put(env, refused, name, segment).then().statusCode(401).contentType("application/problem+json");
        }
        given().get("/api/wal/{env}/{name}", env, name).then().statusCode(401).contentType("application/problem+json");
        given().get("/api/wal/{env}/{name}", "not-a-uuid", name).then().statusCode(401);
    }

    @Test
    void aRealSegmentIsStoredOnEveryDestinationEncryptedAndServedBackByteForByte() throws Exception {
        UUID org = UUID.randomUUID();
        Path localDir = root.resolve(UUID.randomUUID().toString());
        UUID local = localDestination(org, localDir);
        UUID s3Dest = s3Destination(org);
        UUID env = environment(org, true, local, s3Dest);
        String token = token(org, env);
        double before = registry.counter("ocore.wal.segments.archived").count();

        put(env, token, segmentName, segment).then().statusCode(201)
                .body("fileName", equalTo(segmentName))
                .body("sha256", equalTo(sha256(segment)))
                .body("sizeBytes", equalTo(segment.length))
                .body("destinations", hasItems(local.toString(), s3Dest.toString()));
        assertThat(registry.counter("ocore.wal.segments.archived").count()).isEqualTo(before + 1);
        assertThat(health(env)).containsEntry("failed_attempts", 0).containsEntry("last_success_file", segmentName);

        // the same object on both destinations, under <org>/<env>/wal/<timeline>/<name>; not plaintext
        String key = BackupLayout.walKey(org, env, 1, segmentName);
        assertThat(key).isEqualTo(org + "/" + env + "/wal/00000001/" + segmentName);
        Path object = localDir.resolve(key);
        byte[] stored = Files.readAllBytes(object);
        byte[] onS3 = s3.blobStore().getBlob(BUCKET, PREFIX + "/" + key).getPayload().openStream().readAllBytes();
        assertThat(onS3).isEqualTo(stored);
        assertThat(new String(stored, 0, WalObject.MAGIC.length(), StandardCharsets.US_ASCII)).isEqualTo(WalObject.MAGIC);
        assertThat(stored.length).isLessThan(segment.length / 4); // compressed
        assertThat(indexOf(stored, Arrays.copyOfRange(segment, 0, 40))).isEqualTo(-1); // the page header is not there
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("generate_series");

        // by hand, with the master key only
        Path keyFile = Files.createTempFile("master", ".key");
        Files.writeString(keyFile, MASTER_KEY);
        Path out = Files.createTempFile("wal", ".out");
        assertThat(Unpack.run(new String[] {"--wal", object.toString(), "--master-key-file", keyFile.toString(),
                "--out", out.toString()})).isEqualTo(0);
        assertThat(Files.readAllBytes(out)).isEqualTo(segment);

        // served back: byte-identical, with its length
        Response r = get(env, token, segmentName);
        r.then().statusCode(200).header("Content-Length", String.valueOf(segment.length));
        assertThat(r.asByteArray()).isEqualTo(segment);

        // offered again with the same content: 200, nothing stored twice
        put(env, token, segmentName, segment).then().statusCode(200).body("sha256", equalTo(sha256(segment)));
        assertThat(walFileRows(env)).isEqualTo(1);
        assertThat(registry.counter("ocore.wal.segments.archived").count()).isEqualTo(before + 1);

        get(env, token, "000000010000000000000099").then().statusCode(404).contentType("application/problem+json");
    }

    static Response putZstd(UUID env, String token, String name, byte[] body) {
        return given().header("Authorization", "Bearer " + token).header("Content-Encoding", "zstd")
                .contentType("application/octet-stream").body(body).put("/api/wal/{env}/{name}", env, name);
    }

    @Test
    void aZstdBodyIsCheckedAsTheFileItHoldsAndStoredAsItCame() throws Exception {
        UUID org = UUID.randomUUID();
        Path localDir = root.resolve(UUID.randomUUID().toString());
        UUID env = environment(org, true, localDestination(org, localDir));
        String token = token(org, env);
        // what `zstd -1` makes of the segment, in two frames (as a client may send it)
        byte[] half1 = Zstd.compress(Arrays.copyOfRange(segment, 0, segment.length / 2), 1);
        byte[] half2 = Zstd.compress(Arrays.copyOfRange(segment, segment.length / 2, segment.length), 1);
        byte[] compressed = new byte[half1.length + half2.length];
        System.arraycopy(half1, 0, compressed, 0, half1.length);
        System.arraycopy(half2, 0, compressed, half1.length, half2.length);

        // not zstd, or cut short: 400 naming Content-Encoding, nothing stored
        putZstd(env, token, segmentName, segment).then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("Content-Encoding"));
        putZstd(env, token, segmentName, Arrays.copyOf(compressed, compressed.length - 100)).then().statusCode(400)
                .body("errors[0].field", equalTo("Content-Encoding"));
        // an encoding this service does not take
        given().header("Authorization", "Bearer " + token).header("Content-Encoding", "gzip")
                .contentType("application/octet-stream").body(segment).put("/api/wal/{env}/{name}", env, segmentName)
                .then().statusCode(415).contentType("application/problem+json")
                .body("errors[0].field", equalTo("Content-Encoding"));
        // a few bytes that expand past max-file-bytes: refused at the first page, read no further
        putZstd(env, token, segmentName, Zstd.compress(new byte[80 << 20], 1)).then().statusCode(400)
                .body("title", equalTo("Invalid WAL file"));
        assertThat(walFileRows(env)).isZero();

        // the segment itself: its checks, SHA-256 and size are those of the file, not of the body
        putZstd(env, token, segmentName, compressed).then().statusCode(201)
                .body("sha256", equalTo(sha256(segment))).body("sizeBytes", equalTo(segment.length));
        // stored as it came: the two frames, encrypted (a copy compressed again would be one frame)
        byte[] stored = Files.readAllBytes(localDir.resolve(BackupLayout.walKey(org, env, 1, segmentName)));
        assertThat(stored.length - compressed.length).isBetween(0, 4096);
        assertThat(indexOf(stored, Arrays.copyOfRange(half2, 0, 64))).isEqualTo(-1); // encrypted
        assertThat(get(env, token, segmentName).then().statusCode(200).extract().asByteArray()).isEqualTo(segment);
        // PostgreSQL retrying with a client that no longer compresses: the same file, 200
        put(env, token, segmentName, segment).then().statusCode(200).body("sha256", equalTo(sha256(segment)));
        assertThat(walFileRows(env)).isEqualTo(1);
    }

    @Test
    void aDestinationsNewConfigurationIsUsedWithinDestinationReuse() throws Exception {
        UUID org = UUID.randomUUID();
        Path before = root.resolve(UUID.randomUUID().toString());
        UUID dest = localDestination(org, before);
        UUID env = environment(org, true, dest);
        String token = token(org, env);
        put(env, token, "00000002.history", "1\t0/3000000\tno recovery target specified\n".getBytes())
                .then().statusCode(201);
        assertThat(before.resolve(BackupLayout.walKey(org, env, 2, "00000002.history"))).exists();
        // the destination moved (destination-service now answers another folder)
        Path after = Files.createDirectories(root.resolve(UUID.randomUUID().toString()));
        DestinationStub.register(org, dest, "Local", "local", Map.of("path", after.toString()));
        java.util.concurrent.atomic.AtomicInteger tl = new java.util.concurrent.atomic.AtomicInteger(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            String name = String.format("%08X.history", tl.incrementAndGet());
            put(env, token, name, ("1\t0/3000000\tno recovery target specified\n").getBytes()).then().statusCode(201);
            return Files.exists(after.resolve(BackupLayout.walKey(org, env, tl.get(), name)));
        });
    }

    @Test
    void badNamesAndContentThatIsNotTheNamedSegmentAre400() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = environment(org, true, localDestination(org, root.resolve(UUID.randomUUID().toString())));
        String token = token(org, env);
        put(env, token, "pg_hba.conf", "x".getBytes()).then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("fileName"));
        // the real segment under another segment's name: its page addresses do not match
        String wrong = segmentName.substring(0, 16) + String.format("%08X",
                Long.parseLong(segmentName.substring(16), 16) + 7);
        put(env, token, wrong, segment).then().statusCode(400).contentType("application/problem+json")
                .body("title", equalTo("Invalid WAL file"));
        put(env, token, segmentName, new byte[8192]).then().statusCode(400);
        put(env, token, "00000002.history", "not a history\n".getBytes()).then().statusCode(400);
        assertThat(walFileRows(env)).isZero();
        assertThat((Integer) health(env).get("failed_attempts")).isGreaterThanOrEqualTo(3);
    }

    @Test
    void otherContentUnderAnArchivedNameIs409AndPublishesWalConflictDetected() throws Exception {
        UUID org = UUID.randomUUID();
        Path dir = root.resolve(UUID.randomUUID().toString());
        UUID env = environment(org, true, localDestination(org, dir));
        String token = token(org, env);
        byte[] history = "1\t0/3000000\tno recovery target specified\n".getBytes();
        put(env, token, "00000002.history", history).then().statusCode(201);
        byte[] other = "1\t0/4000000\tbefore 2026-01-01 00:00:00+00\n".getBytes();
        put(env, token, "00000002.history", other).then().statusCode(409).contentType("application/problem+json");
        // the archived file is kept
        assertThat(get(env, token, "00000002.history").then().statusCode(200).extract().asByteArray())
                .isEqualTo(history);
        var event = kafka.awaitRecord(Topics.WAL, rec -> rec.data().contains(env.toString())
                && rec.data().contains("00000002.history"), Duration.ofSeconds(30));
        assertThat(event.data()).contains(sha256(history)).contains(sha256(other));
        assertThat(health(env)).containsEntry("last_failure_file", "00000002.history");
    }

    @Test
    void aFailingDestinationIs503AndNothingIsArchivedUntilItIsBack() throws Exception {
        UUID org = UUID.randomUUID();
        Path dir = root.resolve(UUID.randomUUID().toString());
        UUID local = localDestination(org, dir);
        UUID s3Dest = s3Destination(org);
        UUID env = environment(org, true, s3Dest, local);
        String token = token(org, env);
        // the local destination cannot write: a file stands where the organisation's folder goes
        Path blocker = dir.resolve(org.toString());
        Files.writeString(blocker, "not a folder");
        put(env, token, segmentName, segment).then().statusCode(503).contentType("application/problem+json")
                .header("Retry-After", "10").body("detail", containsString(local.toString()));
        assertThat(walFileRows(env)).isZero();
        get(env, token, segmentName).then().statusCode(404);
        assertThat(health(env)).containsEntry("failed_attempts", 1).containsEntry("last_failure_file", segmentName);
        // the only destination failing, for a file smaller than one fan-out chunk (a history file, or a
        // switched segment that is mostly zeros): the same 503, the attempt counted for wal_archive_failing
        UUID alone = environment(org, true, local);
        put(alone, token(org, alone), "00000002.history", "1\t0/3000000\tno recovery target specified\n".getBytes())
                .then().statusCode(503).contentType("application/problem+json")
                .body("detail", containsString(local.toString()));
        assertThat(health(alone)).containsEntry("failed_attempts", 1)
                .containsEntry("last_failure_file", "00000002.history");

        Files.delete(blocker);
        put(env, token, segmentName, segment).then().statusCode(201);
        assertThat(walFileRows(env)).isEqualTo(1);
        assertThat(health(env)).containsEntry("failed_attempts", 0).containsEntry("failing_since", null);
        assertThat(get(env, token, segmentName).then().statusCode(200).extract().asByteArray()).isEqualTo(segment);

        // no destination at all
        UUID none = environment(org, true);
        put(none, token(org, none), segmentName, segment).then().statusCode(503)
                .body("detail", containsString("no destination"));
    }

    @Test
    void aCorruptedCopyIsNeverServed() throws Exception {
        UUID org = UUID.randomUUID();
        Path dir = root.resolve(UUID.randomUUID().toString());
        Path dir2 = root.resolve(UUID.randomUUID().toString());
        UUID first = localDestination(org, dir);
        UUID second = localDestination(org, dir2);
        UUID env = environment(org, true, first, second);
        String token = token(org, env);
        put(env, token, segmentName, segment).then().statusCode(201);
        Path object = dir.resolve(BackupLayout.walKey(org, env, 1, segmentName));
        byte[] stored = Files.readAllBytes(object);
        stored[stored.length / 2] ^= 0x55;
        Files.write(object, stored);
        // the first copy fails its check: the second one is served
        assertThat(get(env, token, segmentName).then().statusCode(200).extract().asByteArray()).isEqualTo(segment);
        // both corrupted: an error, never wrong bytes
        Path object2 = dir2.resolve(BackupLayout.walKey(org, env, 1, segmentName));
        Files.write(object2, stored);
        get(env, token, segmentName).then().statusCode(503).contentType("application/problem+json")
                .body("detail", containsString("verified copy"));
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
