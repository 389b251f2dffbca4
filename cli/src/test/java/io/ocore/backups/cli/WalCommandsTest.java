package io.ocore.backups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalCommandsTest {

    static final String TOKEN = "ocwal_Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2Fs";

    static final String CONFIG = """
            {"archiveCommand":"/usr/local/bin/ocore-wal push --token-file /etc/ocore/wal.token %p %f",
             "restoreCommand":"/usr/local/bin/ocore-wal fetch --token-file /etc/ocore/wal.token %f %p",
             "settings":{"archive_mode":"on","archive_timeout":"60s","wal_level":"replica"},
             "walToken":"TOKEN"}
            """.replace("TOKEN", TOKEN);

    @TempDir
    Path home;
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

    @Test
    void coverageShowsTheRangesAndTheGaps() {
        gateway.on("GET", "/api/environments/e1/wal-coverage", 200, """
                {"walEnabled":true,"segmentCount":5,"latestArchivedAt":"2026-03-15T14:30:01Z",
                 "ranges":[{"from":"2026-03-15T14:00:02Z","to":"2026-03-15T14:09:58Z","timeline":1,
                            "startSegment":"000000010000000000000001","endSegment":"000000010000000000000003"},
                           {"from":"2026-03-15T14:15:05Z","to":"2026-03-15T14:20:30Z","timeline":1,
                            "startSegment":"000000010000000000000005","endSegment":"000000010000000000000006"}],
                 "gaps":[{"afterSegment":"000000010000000000000003","beforeSegment":"000000010000000000000005",
                          "from":"2026-03-15T14:09:58Z","to":"2026-03-15T14:15:05Z"}]}
                """);

        var result = cli.run("wal", "coverage", "--environment", "e1");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("""
                WAL archiving:  on
                Segments:       5
                Last archived:  2026-03-15T14:30:01Z

                TIMELINE  FROM                  TO                    START SEGMENT             END SEGMENT
                1         2026-03-15T14:00:02Z  2026-03-15T14:09:58Z  000000010000000000000001  000000010000000000000003
                1         2026-03-15T14:15:05Z  2026-03-15T14:20:30Z  000000010000000000000005  000000010000000000000006

                Gaps (no recovery target between FROM and TO):
                AFTER SEGMENT             BEFORE SEGMENT            FROM                  TO
                000000010000000000000003  000000010000000000000005  2026-03-15T14:09:58Z  2026-03-15T14:15:05Z
                """);

        var json = cli.run("wal", "coverage", "--environment", "e1", "--output", "json");
        assertThat(json.exitCode()).isZero();
        assertThat(Json.parse(json.out()).path("ranges").get(1).path("endSegment").asText())
                .isEqualTo("000000010000000000000006");
    }

    @Test
    void coverageOfAnUnknownEnvironmentIsNotFound() {
        gateway.on("GET", "/api/environments/nope/wal-coverage", 404, """
                {"type":"https://ocore.io/problems/not-found","title":"Not Found","status":404,
                 "detail":"Environment nope was not found"}""");
        var result = cli.run("wal", "coverage", "--environment", "nope");
        assertThat(result.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(result.err()).contains("Environment nope was not found");
    }

    @Test
    void configPrintsThePostgresqlConfLinesButNeverTheToken() {
        gateway.on("GET", "/api/environments/e1/wal-config", 200, CONFIG);

        var result = cli.run("wal", "config", "--environment", "e1");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("""
                # oCore WAL archiving for environment e1
                archive_mode = on
                archive_timeout = 60s
                wal_level = replica
                archive_command = '/usr/local/bin/ocore-wal push --token-file /etc/ocore/wal.token %p %f'
                restore_command = '/usr/local/bin/ocore-wal fetch --token-file /etc/ocore/wal.token %f %p'
                """);
        assertThat(result.err()).contains("--token-file").doesNotContain(TOKEN);

        var json = cli.run("wal", "config", "--environment", "e1", "-o", "json");
        assertThat(json.exitCode()).isZero();
        assertThat(json.out()).doesNotContain(TOKEN).doesNotContain("walToken").contains("archive_timeout");
    }

    @Test
    void configWritesTheTokenToAFileOnlyItsOwnerCanRead() throws Exception {
        gateway.on("GET", "/api/environments/e1/wal-config", 200, CONFIG);
        Path file = home.resolve("wal.token");
        Files.writeString(file, "an old token\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        var result = cli.run("wal", "config", "--environment", "e1", "--token-file", file.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(Files.readString(file)).isEqualTo(TOKEN + "\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(result.out() + result.err()).doesNotContain(TOKEN);
        assertThat(result.err()).contains("written to " + file);
        try (var files = Files.list(home)) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty();
        }
    }
}
