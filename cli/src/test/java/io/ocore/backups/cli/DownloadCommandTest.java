package io.ocore.backups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloadCommandTest {

    static final String BACKUP = "9c4e2f00-2222-4000-8000-000000000001";
    static final String DEST = "d1d1d1d1-3333-4000-8000-000000000001";

    @TempDir
    Path home;
    @TempDir
    Path dir;
    FakeGateway gateway;
    CliRunner cli;

    @BeforeEach
    void start() throws Exception {
        gateway = new FakeGateway();
        cli = new CliRunner(home).against(gateway);
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** The endpoint's body: plain bytes then OCORE-SHA256:<hex>\n. */
    static byte[] framed(byte[] plain, String sha) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(plain);
        out.writeBytes(("OCORE-SHA256:" + sha + "\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    void serve(String component, byte[] body, long rawBytes) {
        gateway.onBytes("GET", "/api/backups/" + BACKUP + "/components/" + component, 200, body,
                Map.of("Content-Type", "application/octet-stream", "X-Ocore-Raw-Bytes", Long.toString(rawBytes)));
    }

    static String backup(String type) {
        return """
                {"id":"%s","backupType":"%s","status":"completed","checksums":{}}""".formatted(BACKUP, type);
    }

    @Test
    void aFullBackupDownloadsEveryComponentVerified() throws Exception {
        byte[] db = random(1_500_000, 1);
        byte[] fs = random(700_000, 2);
        byte[] conf = random(3_000, 3);
        gateway.on("GET", "/api/backups/" + BACKUP, 200, backup("full"));
        serve("database", framed(db, sha256(db)), db.length);
        serve("filestore", framed(fs, sha256(fs)), fs.length);
        serve("config", framed(conf, sha256(conf)), conf.length);

        var result = cli.run("backup", "download", BACKUP, "--to", dir.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("database.dump"))).isEqualTo(db);
        assertThat(Files.readAllBytes(dir.resolve("filestore.tar"))).isEqualTo(fs);
        assertThat(Files.readAllBytes(dir.resolve("config.tar"))).isEqualTo(conf);
        assertThat(result.out()).contains("database.dump", sha256(db), "filestore.tar", "config.tar");
        // asks for the checksum trailer; the token goes to the gateway
        var req = gateway.only("GET", "/api/backups/" + BACKUP + "/components/database");
        assertThat(req.query()).isEqualTo("trailer=sha256");
        assertThat(req.authorization()).isEqualTo("Bearer test-token-123");
        // no terminal: one progress line per component on stderr
        assertThat(result.err()).contains("database", "100%");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("database.dump", "filestore.tar", "config.tar");
        }
    }

    @Test
    void oneComponentFromOneDestinationWithAJsonSummary() throws Exception {
        byte[] db = random(123_456, 4);
        serve("database", framed(db, sha256(db)), db.length);

        var result = cli.run("backup", "download", BACKUP, "--component", "database", "--destination", DEST,
                "--to", dir.resolve("sub").toString(), "-o", "json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("sub/database.dump"))).isEqualTo(db);
        var summary = Json.parse(result.out());
        assertThat(summary.path("bytes").asLong()).isEqualTo(db.length);
        assertThat(summary.path("sha256").asText()).isEqualTo(sha256(db));
        assertThat(summary.path("files").size()).isEqualTo(1);
        assertThat(summary.path("files").get(0).path("path").asText()).endsWith("database.dump");
        assertThat(gateway.only("GET", "/api/backups/" + BACKUP + "/components/database").query())
                .isEqualTo("trailer=sha256&destinationId=" + DEST);
        // a db backup: only the database is asked for when no --component is given
        gateway.on("GET", "/api/backups/" + BACKUP, 200, backup("db"));
        var again = cli.run("backup", "download", BACKUP, "--to", dir.resolve("db-only").toString());
        assertThat(again.exitCode()).as(again.err()).isZero();
        try (var files = Files.list(dir.resolve("db-only"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("database.dump");
        }
    }

    @Test
    void aChecksumMismatchFailsAndKeepsNothing() throws Exception {
        byte[] db = random(400_000, 5);
        byte[] corrupted = db.clone();
        corrupted[200_000] ^= 1;
        serve("database", framed(corrupted, sha256(db)), db.length);

        var result = cli.run("backup", "download", BACKUP, "--component", "database", "--to", dir.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("Checksum mismatch for database", sha256(db));
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aTruncatedStreamWithoutTrailerFailsAndKeepsNothing() throws Exception {
        byte[] db = random(300_000, 6);
        serve("database", db, db.length + 1000);

        var result = cli.run("backup", "download", BACKUP, "--component", "database", "--to", dir.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("ended without the server's checksum");
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void serverErrorsKeepTheirExitCodesAndExistingFilesAreKept() throws Exception {
        gateway.on("GET", "/api/backups/" + BACKUP + "/components/database", 409,
                "{\"status\":409,\"title\":\"Conflict\",\"detail\":\"Backup is in_progress\"}");
        var conflict = cli.run("backup", "download", BACKUP, "--component", "database", "--to", dir.toString());
        assertThat(conflict.exitCode()).isEqualTo(5);
        assertThat(conflict.err()).contains("in_progress");

        Files.writeString(dir.resolve("database.dump"), "keep me");
        var exists = cli.run("backup", "download", BACKUP, "--component", "database", "--to", dir.toString());
        assertThat(exists.exitCode()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("database.dump"))).isEqualTo("keep me");

        var bad = cli.run("backup", "download", BACKUP, "--component", "wal", "--to", dir.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
    }
}
