package io.ocore.backups.wal.client;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ocore.backups.platform.events.v1.Events.BackupScheduleChanged;
import io.ocore.backups.platform.events.v1.Events.EnvironmentRegistered;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.fakes.DestinationStub;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresCluster;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * deploy/wal/ocore-wal against the real wal-archiver: a PostgreSQL 15 cluster whose
 * archive_command is the client archives its segments (GET serves them back byte for byte); other
 * content under an archived name fails the command (409); an acknowledged file is answered without
 * a request; a base backup restored with restore_command = the client replays the archive.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
class OcoreWalClientTest {

    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Duration DEADLINE = Duration.ofSeconds(120);
    static KafkaTestClient kafka;
    static PostgresCluster cluster;
    static UUID org;
    static UUID env;
    static String token;
    static Path work;
    static OcoreWal client;

    @TestHTTPResource("/api/wal")
    URL walBase;

    @BeforeAll
    static void kafka() {
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    /** An environment whose schedule archives WAL to a local destination, and its WAL token; once. */
    @BeforeEach
    void environment() throws Exception {
        if (token != null) {
            return;
        }
        org = UUID.randomUUID();
        env = UUID.randomUUID();
        UUID dest = UUID.randomUUID();
        work = Files.createTempDirectory(Path.of("/tmp"), "ocore-wal-client-");
        // PostgreSQL's commands run as postgres: they reach the token file through this folder
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path store = Files.createDirectories(work.resolve("destination"));
        DestinationStub.register(org, dest, "local", "local", Map.of("path", store.toString()));
        kafka.publish(new EnvironmentRegistered(org, env, UUID.randomUUID(), "prod", "production", Instant.now()));
        kafka.publish(new BackupScheduleChanged(org, env, false, true, 7, List.of(dest)));
        JsonPath config = await().atMost(Duration.ofSeconds(60)).until(() -> {
            var r = given().auth().oauth2(TestTokens.of(org, Permissions.MANAGE_ENVIRONMENTS))
                    .get("/api/environments/{env}/wal-config", env);
            return r.statusCode() == 200 ? r.jsonPath() : null;
        }, c -> c != null);
        token = config.getString("walToken");
        // the command line wal-config gives; the test runs the same client at the test's port
        assertThat(config.getString("archiveCommand")).matches(
                "\\S*ocore-wal push --url \\S+/api/wal/" + env + " --token-file \\S+ %p %f");
        assertThat(config.getString("restoreCommand")).matches(
                "\\S*ocore-wal fetch --url \\S+/api/wal/" + env + " --token-file \\S+ %f %p");
    }

    @AfterAll
    static void close() {
        if (cluster != null) {
            cluster.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    OcoreWal client() throws Exception {
        if (client == null) {
            client = new OcoreWal(walBase.toString().replaceAll("/+$", "") + "/" + env, OcoreWal.tokenFile(work, token));
        }
        return client;
    }

    /** The archiving cluster with some switched segments, once for the class. */
    List<String> archivedSegments() throws Exception {
        if (cluster == null) {
            cluster = PostgresCluster.start(Map.of("wal_level", "replica", "archive_mode", "on",
                    "archive_command", "'" + client().archiveCommand() + "'", "wal_keep_size", "'1GB'"));
        }
        List<String> segments = new ArrayList<>();
        cluster.execute("postgres", "create table if not exists t (id bigint, pad text)");
        for (int i = 0; i < 5; i++) {
            cluster.execute("postgres", "insert into t select g, repeat('x', 200) from generate_series(1, 20000) g");
            segments.add(query("select pg_walfile_name(pg_switch_wal())"));
        }
        return segments;
    }

    @Test
    void aClusterArchivesThroughTheClientAndGetServesTheSameBytes() throws Exception {
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicInteger curls = new AtomicInteger();
        List<String> leaks = new ArrayList<>();
        Thread ps = Thread.ofVirtual().start(() -> {
            while (sampling.get()) {
                try {
                    for (String line : OcoreWal.processList().split("\n")) {
                        if (line.contains("curl --config -")) {
                            curls.incrementAndGet();
                        }
                        if (line.contains(token)) {
                            synchronized (leaks) {
                                leaks.add(line);
                            }
                        }
                    }
                    Thread.sleep(50); // a sampling interval, not a wait for the archiving
                } catch (Exception e) {
                    return;
                }
            }
        });
        List<String> segments = archivedSegments();
        for (String name : segments) {
            await().atMost(DEADLINE).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                HttpResponse<byte[]> r = get(name, token);
                assertThat(r.statusCode()).as("GET " + name).isEqualTo(200);
                assertThat(r.body()).isEqualTo(Files.readAllBytes(cluster.dataDir().resolve("pg_wal/" + name)));
            });
        }
        sampling.set(false);
        ps.join();
        assertThat(leaks).as("command lines holding the WAL token (%d curl lines seen)", curls.get()).isEmpty();
        assertThat(Integer.parseInt(query("select failed_count from pg_stat_archiver"))).isZero();
        // every acknowledgement was consumed by PostgreSQL's next call
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(
                Files.list(cluster.dataDir().resolve("ocore-wal/acked")).filter(p -> !p.getFileName().toString().startsWith("."))
                        .toList()).isEmpty());
    }

    @Test
    void otherContentUnderAnArchivedNameFailsTheCommand() throws Exception {
        String name = archivedSegments().getFirst();
        await().atMost(DEADLINE).until(() -> get(name, token).statusCode() == 200);
        byte[] original = get(name, token).body();
        byte[] other = original.clone();
        other[other.length - 100] ^= 0x5a; // in the last page's body: the page headers still match
        Path data = Files.createDirectories(work.resolve("conflict/pg_wal")).getParent();
        Files.write(data.resolve("pg_wal/" + name), other);
        var pushed = client().push(data, name);
        assertThat(pushed.exit()).isEqualTo(1);
        assertThat(pushed.stderr()).contains(name).contains("409").doesNotContain(token);
        assertThat(get(name, token).body()).isEqualTo(original);
        // the same content again is a success
        Files.write(data.resolve("pg_wal/" + name), original);
        assertThat(client().push(data, name).exit()).isZero();
    }

    @Test
    void anAcknowledgedFileNeedsNoRequest() throws Exception {
        List<String> segments = archivedSegments();
        for (String name : segments) {
            await().atMost(DEADLINE).until(() -> get(name, token).statusCode() == 200);
        }
        Path data = Files.createDirectories(work.resolve("acked/pg_wal/archive_status")).getParent().getParent();
        for (String name : segments.subList(0, 3)) {
            Files.write(data.resolve("pg_wal/" + name), get(name, token).body());
            Files.writeString(data.resolve("pg_wal/archive_status/" + name + ".ready"), "");
        }
        var first = client().push(data, segments.get(0));
        assertThat(first.exit()).as(first.stderr()).isZero();
        assertThat(data.resolve("ocore-wal/acked/" + segments.get(1))).exists();
        // answered from the acknowledgement: even a refused token does not matter
        var refused = new OcoreWal(client().url(), OcoreWal.tokenFile(work, "ocwal_" + "x".repeat(43)));
        Files.delete(data.resolve("pg_wal/archive_status/" + segments.get(0) + ".ready"));
        var second = refused.push(data, segments.get(1));
        assertThat(second.exit()).as(second.stderr()).isZero();
        assertThat(data.resolve("ocore-wal/acked/" + segments.get(1))).doesNotExist();
        // and without it, the refusal shows
        var third = refused.push(data, segments.get(1));
        assertThat(third.exit()).isEqualTo(1);
        assertThat(third.stderr()).contains("401");
    }

    @Test
    void aBaseBackupRestoresFromTheArchiveWithPrefetch() throws Exception {
        archivedSegments();
        Path restored = work.resolve("restored");
        asPostgres(List.of(cluster.bin().resolve("pg_basebackup").toString(), "-h", "127.0.0.1", "-p",
                String.valueOf(cluster.port()), "-U", "postgres", "-D", restored.toString(), "-X", "none", "-c", "fast"));
        // more commits after the base: only the archive has them
        cluster.execute("postgres", "insert into t select g, 'after' from generate_series(1, 50000) g");
        String expected = query("select count(*) from t");
        String last = query("select pg_walfile_name(pg_switch_wal())");
        await().atMost(DEADLINE).until(() -> get(last, token).statusCode() == 200);

        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(restored.resolve("postgresql.auto.conf"), "port = " + port + "\n"
                + "unix_socket_directories = '" + restored + "'\n"
                + "archive_mode = off\n"
                + "restore_command = '" + client().restoreCommand() + "'\n");
        Files.writeString(restored.resolve("recovery.signal"), "");
        Files.deleteIfExists(restored.resolve("postmaster.pid"));
        asPostgres(List.of("chmod", "700", restored.toString()));
        try {
            asPostgres(List.of(cluster.bin().resolve("pg_ctl").toString(), "-D", restored.toString(), "-l",
                    work.resolve("restored.log").toString(), "-w", "-t", "120", "start"));
            await().atMost(DEADLINE).untilAsserted(() -> {
                try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                        "postgres", ""); var st = c.createStatement();
                        ResultSet rs = st.executeQuery("select count(*), pg_is_in_recovery() from t")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo(expected);
                    assertThat(rs.getBoolean(2)).as("recovery ended at the end of the archive").isFalse();
                }
            });
            assertThat(restored.resolve("ocore-wal/prefetch")).as("the client prefetched").isDirectory();
        } finally {
            asPostgres(List.of(cluster.bin().resolve("pg_ctl").toString(), "-D", restored.toString(), "-m", "immediate",
                    "-w", "stop"));
        }
    }

    HttpResponse<byte[]> get(String name, String bearer) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(client().url() + "/" + name))
                .header("Authorization", "Bearer " + bearer).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String query(String sql) throws Exception {
        try (var c = cluster.connect("postgres"); var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** A PostgreSQL program as the server's user (root may not run them). */
    static void asPostgres(List<String> command) throws Exception {
        List<String> line = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            OcoreWal.exec(List.of("chown", "-R", "postgres:postgres", work.toString()));
            line.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        line.addAll(command);
        Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(command + " failed: " + out);
        }
    }
}
