package io.ocore.backups.backup;

import io.ocore.backups.platform.testing.fakes.DestinationStub;

import static io.ocore.backups.backup.Fixtures.manager;
import static io.ocore.backups.backup.Fixtures.viewer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.oneOf;

import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.backupformat.BackupManifest;
import io.ocore.backups.platform.backupformat.ComponentName;
import io.ocore.backups.platform.backupformat.ComponentReader;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /api/backups/{id}/components/{component}}: verified, decrypted, decompressed by the service. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
@QuarkusTestResource(EnvironmentPolicyResource.class)
class ComponentDownloadTest {

    static SourceEnvironment src;

    @Inject
    EnvelopeCipher cipher;

    @TestHTTPResource("/")
    URL base;

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        src = SourceEnvironment.get();
    }

    record Backup(UUID org, UUID env, UUID id, UUID dest, Path dir) {
    }

    static Backup backup(String type) throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.register(org, src);
        Path dir = Files.createTempDirectory("ocore-dl-");
        UUID dest = UUID.randomUUID();
        DestinationStub.register(org, dest, "Local", "local", Map.of("path", dir.toString()));
        String id = given().auth().oauth2(manager(org)).contentType(ContentType.JSON)
                .body(Map.of("backupType", type, "destinationIds", List.of(dest.toString())))
                .post("/api/environments/" + env + "/backups").then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> given().auth().oauth2(viewer(org)).get("/api/backups/" + id).then()
                        .body("status", is(oneOf("completed"))));
        return new Backup(org, env, UUID.fromString(id), dest, dir);
    }

    HttpResponse<InputStream> get(String token, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + path))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void servesEachComponentPlainWithItsChecksumTrailer() throws Exception {
        Backup b = backup("full");
        String dir = BackupLayout.backupDir(b.org(), b.env(), b.id());
        BackupManifest manifest = BackupManifest.fromJson(Files.readAllBytes(b.dir().resolve(dir + "manifest.json")));
        for (ComponentName c : ComponentName.values()) {
            if (manifest.component(c).orElseThrow().isBlobIndex()) {
                // assembled from its blobs: BlobIndexReadTest
                continue;
            }
            byte[] expected;
            try (InputStream in = ComponentReader.open(Files.newInputStream(b.dir().resolve(dir + c.fileName())),
                    cipher, manifest, c)) {
                expected = in.readAllBytes();
            }
            HttpResponse<InputStream> plain = get(manager(b.org()), "/api/backups/" + b.id() + "/components/" + c);
            assertThat(plain.statusCode()).isEqualTo(200);
            assertThat(plain.headers().firstValue("X-Ocore-Raw-Bytes")).contains(Long.toString(expected.length));
            assertThat(plain.headers().firstValue("X-Ocore-Destination-Id")).contains(b.dest().toString());
            assertThat(plain.body().readAllBytes()).isEqualTo(expected);

            HttpResponse<InputStream> framed = get(manager(b.org()), "/api/backups/" + b.id() + "/components/" + c
                    + "?trailer=sha256&destinationId=" + b.dest());
            assertThat(framed.statusCode()).isEqualTo(200);
            byte[] all = framed.body().readAllBytes();
            assertThat(all).hasSize(expected.length + 78);
            assertThat(Arrays.copyOf(all, expected.length)).isEqualTo(expected);
            assertThat(new String(all, expected.length, 78, StandardCharsets.US_ASCII))
                    .isEqualTo("OCORE-SHA256:" + sha256(expected) + "\n");
        }
        // database.dump is pg_dump's custom format
        byte[] head = get(manager(b.org()), "/api/backups/" + b.id() + "/components/database").body().readNBytes(5);
        assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("PGDMP");

        // Tampered stored bytes: the body never ends cleanly with a trailer.
        // (a filestore stored by content is checked blob by blob: BlobIndexReadTest)
        Path stored = b.dir().resolve(dir + ComponentName.config.fileName());
        assertThat(stored).exists();
        try (RandomAccessFile f = new RandomAccessFile(stored.toFile(), "rw")) {
            long pos = f.length() / 2;
            f.seek(pos);
            int v = f.read();
            f.seek(pos);
            f.write(v ^ 0x01);
        }
        HttpResponse<InputStream> broken = get(manager(b.org()), "/api/backups/" + b.id()
                + "/components/config?trailer=sha256");
        if (broken.statusCode() == 200) {
            Throwable failure = catchThrowable(() -> {
                byte[] got = broken.body().readAllBytes();
                assertThat(new String(got, StandardCharsets.US_ASCII)).doesNotContain("OCORE-SHA256:");
                throw new IOException("ended without a trailer (" + got.length + " bytes)");
            });
            assertThat(failure).isInstanceOf(IOException.class);
        } else {
            assertThat(broken.statusCode()).isGreaterThanOrEqualTo(500);
        }
    }

    @Test
    void permissionsOrganisationsAndMissingComponents() throws Exception {
        Backup b = backup("db");
        String path = "/api/backups/" + b.id() + "/components/";
        assertThat(get(viewer(b.org()), path + "database").statusCode()).isEqualTo(403);
        assertThat(get(manager(UUID.randomUUID()), path + "database").statusCode()).isEqualTo(404);
        assertThat(get(manager(b.org()), path + "filestore").statusCode()).isEqualTo(404);
        assertThat(get(manager(b.org()), path + "nonsense").statusCode()).isEqualTo(400);
        assertThat(get(manager(b.org()), path + "database?trailer=md5").statusCode()).isEqualTo(400);
        assertThat(get(manager(b.org()), path + "database?destinationId=" + UUID.randomUUID()).statusCode())
                .isEqualTo(400);
        HttpResponse<InputStream> ok = get(manager(b.org()), path + "database");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body().readAllBytes().length).isPositive();
    }
}
