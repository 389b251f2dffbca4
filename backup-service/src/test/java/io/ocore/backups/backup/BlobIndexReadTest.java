package io.ocore.backups.backup;

import io.ocore.backups.platform.testing.fakes.DestinationStub;

import static io.ocore.backups.backup.Fixtures.manager;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.backupformat.BackupManifest;
import io.ocore.backups.platform.backupformat.ComponentName;
import io.ocore.backups.platform.backupformat.blobs.BlobLayout;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A full backup whose filestore is stored by content (ADR 0015): downloaded as the standard tar
 * assembled from its blobs, verified blob by blob (docs/verification.md).
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
@QuarkusTestResource(EnvironmentPolicyResource.class)
class BlobIndexReadTest {

    static SourceEnvironment src;

    @TestHTTPResource("/")
    URL base;

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        src = SourceEnvironment.get();
    }

    record Full(UUID org, UUID env, String id, UUID dest, Path dir) {
        Path blobs() {
            return dir.resolve(BlobLayout.blobsDir(org, env));
        }

        List<Path> packs() throws Exception {
            try (Stream<Path> s = Files.walk(blobs().resolve("packs"))) {
                return s.filter(Files::isRegularFile).sorted().toList();
            }
        }
    }

    static Full full() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.register(org, src);
        Path dir = Files.createTempDirectory("ocore-blobread-");
        UUID dest = UUID.randomUUID();
        DestinationStub.register(org, dest, "Local", "local", Map.of("path", dir.toString()));
        String id = BackupExecutionTest.requestBackup(org, env, "full", dest);
        JsonPath b = BackupExecutionTest.awaitFinished(org, id);
        assertThat(b.getString("status")).as(b.prettify()).isEqualTo("completed");
        BackupManifest m = BackupManifest.fromJson(Files.readAllBytes(
                dir.resolve(BackupLayout.manifestKey(org, env, UUID.fromString(id)))));
        assertThat(m.component(ComponentName.filestore).orElseThrow().isBlobIndex()).isTrue();
        return new Full(org, env, id, dest, dir);
    }

    HttpResponse<InputStream> get(String token, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + path))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    static String sha256(byte[] b, int len) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update(b, 0, len);
        return HexFormat.of().formatHex(d.digest());
    }

    /** Relative path -> content of every regular file of the source filestore. */
    static Map<String, byte[]> sourceFiles() throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(src.filestore)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(src.filestore.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        return out;
    }

    static Map<String, byte[]> tarFiles(byte[] tar) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e.isFile()) {
                    String name = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
                    out.put(name, in.readAllBytes());
                }
            }
        }
        return out;
    }

    @Test
    void theFilestoreDownloadsAsTheStandardTarAssembledFromItsBlobs() throws Exception {
        Full f = full();
        HttpResponse<InputStream> r = get(manager(f.org()), "/api/backups/" + f.id()
                + "/components/filestore?trailer=sha256");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Ocore-Layout")).contains("blob-index");
        // the index object's size and checksum would not describe the tar: not sent
        assertThat(r.headers().firstValue("X-Ocore-Raw-Bytes")).isEmpty();
        assertThat(r.headers().firstValue("X-Ocore-Stored-Sha256")).isEmpty();
        assertThat(r.headers().firstValue("Content-Disposition").orElse("")).contains("filestore.tar");
        byte[] all = r.body().readAllBytes();
        int len = all.length - 78;
        assertThat(new String(all, len, 78, StandardCharsets.US_ASCII)).isEqualTo("OCORE-SHA256:" + sha256(all, len)
                + "\n");
        byte[] tar = Arrays.copyOf(all, len);
        Map<String, byte[]> expected = sourceFiles();
        Map<String, byte[]> got = tarFiles(tar);
        assertThat(got.keySet()).isEqualTo(expected.keySet());
        for (var e : expected.entrySet()) {
            assertThat(got.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
        assertThat(expected).isNotEmpty();
    }

    @Test
    void everyBlobIsVerifiedAndAChangedOrMissingPackIsNamed() throws Exception {
        Full f = full();
        JsonPath clean = VerificationTest.verify(f.org(), f.id());
        assertThat(clean.getString("destinations." + f.dest() + ".status")).as(clean.prettify()).isEqualTo("ok");
        assertThat(clean.getString("destinations." + f.dest() + ".detail")).contains("filestore blob(s) read");

        Path pack = f.packs().get(0);
        byte[] original = Files.readAllBytes(pack);
        byte[] flipped = original.clone();
        flipped[flipped.length / 2] ^= 0x01;
        Files.write(pack, flipped);
        JsonPath corrupt = VerificationTest.verify(f.org(), f.id());
        assertThat(corrupt.getString("destinations." + f.dest() + ".status")).as(corrupt.prettify())
                .isEqualTo("corrupt");
        assertThat(corrupt.getString("destinations." + f.dest() + ".detail")).contains("filestore")
                .containsPattern("[0-9a-f]{64}").contains("of file");

        // the download of the changed copy never ends cleanly with its trailer
        HttpResponse<InputStream> broken = get(manager(f.org()), "/api/backups/" + f.id()
                + "/components/filestore?trailer=sha256");
        if (broken.statusCode() == 200) {
            Throwable failure = catchThrowable(() -> {
                byte[] got = broken.body().readAllBytes();
                String tail = new String(got, Math.max(0, got.length - 78), Math.min(78, got.length),
                        StandardCharsets.US_ASCII);
                assertThat(tail.startsWith("OCORE-SHA256:") && tail.substring(13, 77).equals(
                        sha256(got, Math.max(0, got.length - 78)))).isFalse();
            });
            assertThat(failure == null || failure instanceof java.io.IOException).as(String.valueOf(failure))
                    .isTrue();
        }

        Files.delete(pack);
        JsonPath missing = VerificationTest.verify(f.org(), f.id());
        assertThat(missing.getString("destinations." + f.dest() + ".status")).as(missing.prettify())
                .isEqualTo("missing");
        assertThat(missing.getString("destinations." + f.dest() + ".detail")).contains("filestore")
                .containsPattern("[0-9a-f]{64}");
    }
}
