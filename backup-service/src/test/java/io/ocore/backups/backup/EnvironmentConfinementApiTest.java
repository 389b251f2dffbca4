package io.ocore.backups.backup;

import io.ocore.backups.platform.testing.fakes.DestinationStub;

import static io.ocore.backups.backup.Fixtures.manager;
import static io.ocore.backups.backup.Fixtures.platform;
import static io.ocore.backups.backup.Fixtures.viewer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.oneOf;

import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.backupformat.BackupManifest;
import io.ocore.backups.platform.backupformat.ComponentName;
import io.ocore.backups.platform.backupformat.ComponentReader;
import io.ocore.backups.platform.backupformat.TarArchives;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresCluster;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Environments belong to the platform: only a manage:platform token registers one, on a configured
 * database server (never the services' own) with its paths inside the configured roots, judged on
 * their real path at registration and again when a backup reads them.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
@QuarkusTestResource(EnvironmentPolicyResource.class)
class EnvironmentConfinementApiTest {

    static SourceEnvironment src;

    @Inject
    EnvelopeCipher cipher;

    @BeforeAll
    static void source() throws Exception {
        src = SourceEnvironment.get();
    }

    static Map<String, Object> body(String host, int port, String filestore, String config) {
        Map<String, Object> b = new HashMap<>(Fixtures.environmentBody(UUID.randomUUID(), port,
                SourceEnvironment.DATABASE, filestore, config));
        b.put("database", Map.of("host", host, "port", port, "name", SourceEnvironment.DATABASE, "user", "postgres",
                "password", "pw"));
        return b;
    }

    static Map<String, Object> good() {
        return body("127.0.0.1", src.cluster.port(), src.filestore.toString(), src.config.toString());
    }

    static ValidatableResponse post(String token, Map<String, Object> body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body).post("/api/environments").then();
    }

    @Test
    void anOrganisationsTokenRegistersNoEnvironment() {
        UUID org = UUID.randomUUID();
        post(TestTokens.of(org, Permissions.MANAGE_ENVIRONMENTS, Permissions.VIEW_ENVIRONMENTS,
                Permissions.MANAGE_ORG_SETTINGS), good()).statusCode(403).contentType("application/problem+json");
        String id = post(platform(org), good()).statusCode(201).extract().path("id");
        // its users still read it
        given().auth().oauth2(viewer(org)).get("/api/environments/" + id).then().statusCode(200);
    }

    @Test
    void pathsOutsideTheRootsAre400sNamingTheField() throws Exception {
        UUID org = UUID.randomUUID();
        String fs = src.filestore.toString();
        String conf = src.config.toString();
        post(platform(org), body("127.0.0.1", src.cluster.port(), fs, "/proc/self/environ")).statusCode(400)
                .contentType("application/problem+json").body("errors.field", containsInAnyOrder("configPath"));
        post(platform(org), body("127.0.0.1", src.cluster.port(), "/etc", conf)).statusCode(400)
                .body("errors.field", containsInAnyOrder("filestorePath"));
        Path outside = Files.createTempDirectory("ocore-outside-");
        post(platform(org), body("127.0.0.1", src.cluster.port(), outside.toString(), conf)).statusCode(400)
                .body("errors.field", containsInAnyOrder("filestorePath"));
        // a link inside the root that leads out of it
        Path link = src.filestoreRoot.resolve("link-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createSymbolicLink(link, outside);
        Path confLink = src.configRoot.resolve("link-" + UUID.randomUUID().toString().substring(0, 8) + ".conf");
        Files.createSymbolicLink(confLink, Path.of("/etc/passwd"));
        post(platform(org), body("127.0.0.1", src.cluster.port(), link.toString(), confLink.toString()))
                .statusCode(400).body("errors.field", containsInAnyOrder("filestorePath", "configPath"));
        // the internal registration (restore-service's new target) runs the very same checks
        Map<String, Object> internal = body("127.0.0.1", src.cluster.port(), fs, "/proc/self/environ");
        internal.put("orgId", org.toString());
        given().auth().oauth2(TestTokens.service()).contentType(ContentType.JSON).body(internal)
                .post("/internal/environments").then().statusCode(400)
                .body("errors.field", containsInAnyOrder("configPath"));
    }

    @Test
    void databasesOnlyOnConfiguredServersNeverMetadataOrTheServicesOwn() {
        UUID org = UUID.randomUUID();
        String fs = src.filestore.toString();
        String conf = src.config.toString();
        post(platform(org), body("169.254.169.254", 5432, fs, conf)).statusCode(400)
                .body("errors.field", containsInAnyOrder("database.host"));
        post(platform(org), body("10.255.255.1", 5432, fs, conf)).statusCode(400)
                .body("errors.field", containsInAnyOrder("database.host"));
        // listed in the test configuration, and still refused: the services' own PostgreSQL, by any name
        post(platform(org), body("localhost", PostgresCluster.shared().port(), fs, conf)).statusCode(400)
                .body("errors.field", containsInAnyOrder("database.host"))
                .body("errors[0].message", equalTo("must not be the platform's own database server"));
        // every bad field at once
        post(platform(org), body("169.254.169.254", 5432, "/etc", "/proc/self/environ")).statusCode(400)
                .body("errors.field", containsInAnyOrder("database.host", "filestorePath", "configPath"));
    }

    @Test
    void aFilestoreReplacedByALinkOutOfTheRootFailsTheBackupTouchingNothing() throws Exception {
        UUID org = UUID.randomUUID();
        String name = "victim_" + UUID.randomUUID().toString().substring(0, 8);
        Path fs = Files.createDirectories(src.filestoreRoot.resolve(name));
        Files.writeString(fs.resolve("a.txt"), "attachment");
        String id = post(platform(org), body("127.0.0.1", src.cluster.port(), fs.toString(), src.config.toString()))
                .statusCode(201).extract().path("id");
        UUID env = UUID.fromString(id);
        // afterwards, the filestore becomes a link to a folder outside every root
        Path outside = Files.createTempDirectory("ocore-outside-");
        Files.writeString(outside.resolve("id_rsa"), "SECRET-KEY-MATERIAL");
        Files.delete(fs.resolve("a.txt"));
        Files.delete(fs);
        Files.createSymbolicLink(fs, outside);

        Path localDir = Files.createTempDirectory("ocore-local-");
        UUID dest = BackupExecutionTest.localDestination(org, localDir);
        JsonPath b = awaitFinished(org, BackupExecutionTest.requestBackup(org, env, "full", dest));
        assertThat(b.getString("status")).isEqualTo("failed");
        assertThat(b.getString("error")).isEqualTo("the filestore path leaves the configured filestore roots");
        try (Stream<Path> left = Files.walk(localDir)) {
            assertThat(left.filter(Files::isRegularFile).toList()).isEmpty();
        }
    }

    @Test
    void aLinkInsideTheFilestoreIsNotFollowed() throws Exception {
        UUID org = UUID.randomUUID();
        String name = "linked_" + UUID.randomUUID().toString().substring(0, 8);
        Path fs = Files.createDirectories(src.filestoreRoot.resolve(name));
        Files.writeString(fs.resolve("a.txt"), "attachment");
        Path outside = Files.createTempDirectory("ocore-outside-");
        Files.writeString(outside.resolve("id_rsa"), "SECRET-KEY-MATERIAL");
        Files.createSymbolicLink(fs.resolve("dir-link"), outside);
        Files.createSymbolicLink(fs.resolve("file-link"), outside.resolve("id_rsa"));
        String id = post(platform(org), body("127.0.0.1", src.cluster.port(), fs.toString(), src.config.toString()))
                .statusCode(201).extract().path("id");
        UUID env = UUID.fromString(id);

        Path localDir = Files.createTempDirectory("ocore-local-");
        UUID dest = BackupExecutionTest.localDestination(org, localDir);
        String backupId = BackupExecutionTest.requestBackup(org, env, "full", dest);
        JsonPath b = awaitFinished(org, backupId);
        assertThat(b.getString("status")).as(b.prettify()).isEqualTo("completed");
        // left out, and said so: the backup's notes name each link
        assertThat(b.getList("notes", String.class)).containsExactly(
                "filestore dir-link: a symbolic link, not in the backup (links are never followed)",
                "filestore file-link: a symbolic link, not in the backup (links are never followed)");
        // what the backup holds, as a user downloads it (the blob-index filestore assembled into a tar)
        byte[] tar = io.restassured.RestAssured.given().auth().oauth2(Fixtures.manager(org))
                .queryParam("destinationId", dest.toString())
                .get("/api/backups/" + backupId + "/components/filestore").then().statusCode(200).extract()
                .asByteArray();
        Path unpacked = Files.createTempDirectory("ocore-fs-");
        try (InputStream in = new java.io.ByteArrayInputStream(tar)) {
            TarArchives.extract(in, unpacked, null);
        }
        try (Stream<Path> all = Files.walk(unpacked)) {
            assertThat(all.filter(p -> !p.equals(unpacked)).map(p -> unpacked.relativize(p).toString()).toList())
                    .containsExactly("a.txt");
        }
    }

    @Test
    void aFailedConnectionsMessageShowsNoHostOrPort() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.registerNowhere(org); // no such database on the source's server
        Path localDir = Files.createTempDirectory("ocore-local-");
        UUID dest = BackupExecutionTest.localDestination(org, localDir);
        JsonPath b = awaitFinished(org, BackupExecutionTest.requestBackup(org, env, "db", dest));
        assertThat(b.getString("status")).isEqualTo("failed");
        assertThat(b.getString("error")).contains("the environment's database server").doesNotContain("127.0.0.1")
                .doesNotContain(Integer.toString(src.cluster.port()));
    }

    static JsonPath awaitFinished(UUID org, String id) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> given().auth().oauth2(viewer(org)).get("/api/backups/" + id).then()
                        .body("status", is(oneOf("completed", "failed"))));
        return given().auth().oauth2(manager(org)).get("/api/backups/" + id).then().extract().jsonPath();
    }
}
