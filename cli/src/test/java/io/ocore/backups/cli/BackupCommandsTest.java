package io.ocore.backups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupCommandsTest {

    static final String ENV = "0b7a7d5e-1111-4000-8000-000000000001";
    static final String BACKUP = "9c4e2f00-2222-4000-8000-000000000001";

    static String backup(String status, String phase, long bytesDone, String error) {
        return """
                {"id":"%s","environmentId":"%s","backupType":"full","trigger":"manual","status":"%s",
                 "sizeBytes":%s,"checksums":{"database":"sha256:aa"},"gfsTiers":[],"remotePaths":{"d1":"e/b.tar"},
                 "failedDestinations":[],"error":%s,"startedAt":"2026-03-15T14:30:00Z","completedAt":null,
                 "createdAt":"2026-03-15T14:30:00Z","progress":{"phase":"%s","bytesDone":%d}}
                """.formatted(BACKUP, ENV, status, "completed".equals(status) ? "1610612736" : "null",
                error == null ? "null" : "\"" + error + "\"", phase, bytesDone);
    }

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
    void seedCreateExamplePostsTheBackupType() {
        gateway.on("POST", "/api/environments/" + ENV + "/backups", 202, backup("pending", "queued", 0, null));

        var result = cli.run("backup", "create", "--environment", ENV, "--type", "full");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.only("POST", "/api/environments/" + ENV + "/backups").json())
                .isEqualTo(Json.parse("{\"backupType\":\"full\"}"));
        assertThat(result.out()).contains(BACKUP, "pending");
    }

    @Test
    void createWithDestinations() {
        gateway.on("POST", "/api/environments/" + ENV + "/backups", 202, backup("pending", "queued", 0, null));

        var result = cli.run("backup", "create", "--environment", ENV, "--type", "db", "--destinations", "d1,d2");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.only("POST", "/api/environments/" + ENV + "/backups").json())
                .isEqualTo(Json.parse("{\"backupType\":\"db\",\"destinationIds\":[\"d1\",\"d2\"]}"));
    }

    @Test
    void waitPollsUntilCompleted() {
        gateway.on("POST", "/api/environments/" + ENV + "/backups", 202, backup("pending", "queued", 0, null))
                .on("GET", "/api/backups/" + BACKUP, 200, backup("in_progress", "database", 1048576, null))
                .on("GET", "/api/backups/" + BACKUP, 200, backup("in_progress", "filestore", 5242880, null))
                .on("GET", "/api/backups/" + BACKUP, 200, backup("completed", "done", 1610612736, null));

        var result = cli.run("backup", "create", "--environment", ENV, "--type", "full", "--wait");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.requests()).extracting(r -> r.method() + " " + r.path()).containsExactly(
                "POST /api/environments/" + ENV + "/backups",
                "GET /api/backups/" + BACKUP, "GET /api/backups/" + BACKUP, "GET /api/backups/" + BACKUP);
        assertThat(cli.sleeps).isEqualTo(2);
        // no terminal: plain lines, one per phase
        assertThat(result.err()).isEqualTo("backup " + BACKUP + ": in_progress (database)  1.0 MiB\n"
                + "backup " + BACKUP + ": in_progress (filestore)  5.0 MiB\n");
        assertThat(result.out()).contains("completed", "1.5 GiB");
    }

    @Test
    void waitOnATerminalDrawsOneProgressLine() {
        cli.stderrTty = true;
        gateway.on("POST", "/api/environments/" + ENV + "/backups", 202, backup("pending", "queued", 0, null))
                .on("GET", "/api/backups/" + BACKUP, 200, backup("in_progress", "database", 1048576, null))
                .on("GET", "/api/backups/" + BACKUP, 200, backup("completed", "done", 1610612736, null));

        var result = cli.run("backup", "create", "--environment", ENV, "--type", "full", "--wait");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.err()).startsWith("\rbackup 9c4e2f00 in_progress  database  1.0 MiB\u001b[K").endsWith("\n")
                .doesNotContain("\n\r");
    }

    @Test
    void waitEndingFailedExitsEightWithTheError() {
        gateway.on("POST", "/api/environments/" + ENV + "/backups", 202, backup("pending", "queued", 0, null))
                .on("GET", "/api/backups/" + BACKUP, 200, backup("in_progress", "database", 10, null))
                .on("GET", "/api/backups/" + BACKUP, 200, backup("in_progress", "database", 20, null))
                .on("GET", "/api/backups/" + BACKUP, 200, backup("failed", "database", 20,
                        "pg_dump: connection to server failed"));

        var result = cli.run("backup", "create", "--environment", ENV, "--type", "db", "--wait");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.OPERATION_FAILED);
        assertThat(result.err()).endsWith("Error: Backup " + BACKUP + " failed: pg_dump: connection to server failed\n");
    }

    @Test
    void waitGivesUpAtTheDeadline() {
        gateway.on("POST", "/api/environments/" + ENV + "/backups", 202, backup("pending", "queued", 0, null))
                .on("GET", "/api/backups/" + BACKUP, 200, backup("in_progress", "database", 10, null));

        var result = cli.run("backup", "create", "--environment", ENV, "--type", "db", "--wait", "--timeout", "10s");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.ERROR);
        assertThat(result.err()).contains("Timed out after 10s waiting for backup " + BACKUP + " (still in_progress)");
        assertThat(cli.sleeps).isEqualTo(5);
    }

    @Test
    void listFollowsTheCursorAndPassesFilters() {
        String path = "/api/environments/" + ENV + "/backups";
        gateway.on("GET", path, 200, """
                {"items":[{"id":"b3","backupType":"full","trigger":"scheduled","status":"completed","sizeBytes":2048,
                  "gfsTiers":["daily","weekly"],"createdAt":"2026-03-15T00:00:00Z"},
                 {"id":"b2","backupType":"full","trigger":"manual","status":"completed","sizeBytes":1024,
                  "gfsTiers":[],"createdAt":"2026-03-14T00:00:00Z"}],"nextCursor":"c2"}
                """).on("GET", path, 200, """
                {"items":[{"id":"b1","backupType":"full","trigger":"scheduled","status":"completed","sizeBytes":512,
                  "gfsTiers":["monthly"],"createdAt":"2026-03-13T00:00:00Z"}],"nextCursor":null}
                """);

        var result = cli.run("backup", "list", "--environment", ENV, "--status", "completed", "--type", "full");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.requests()).extracting(FakeGateway.Request::query)
                .containsExactly("status=completed&backupType=full", "status=completed&backupType=full&cursor=c2");
        assertThat(result.out()).isEqualTo("""
                ID  TYPE  TRIGGER    STATUS     SIZE     TIERS         CREATED
                b3  full  scheduled  completed  2.0 KiB  daily,weekly  2026-03-15T00:00:00Z
                b2  full  manual     completed  1.0 KiB  -             2026-03-14T00:00:00Z
                b1  full  scheduled  completed  512 B    monthly       2026-03-13T00:00:00Z
                """);
    }

    @Test
    void listStopsAtTheLimitAndPrintsJsonArrays() {
        String path = "/api/environments/" + ENV + "/backups";
        gateway.on("GET", path, 200, "{\"items\":[{\"id\":\"b3\"},{\"id\":\"b2\"}],\"nextCursor\":\"c2\"}")
                .on("GET", path, 200, "{\"items\":[{\"id\":\"b1\"}],\"nextCursor\":null}");

        var result = cli.run("backup", "list", "--environment", ENV, "--limit", "2", "-o", "json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.requests()).extracting(FakeGateway.Request::query).containsExactly("limit=2");
        assertThat(Json.parse(result.out())).isEqualTo(Json.parse("[{\"id\":\"b3\"},{\"id\":\"b2\"}]"));
    }

    @Test
    void showDeleteAndSnapshots() {
        gateway.on("GET", "/api/backups/" + BACKUP, 200, backup("completed", "done", 1, null))
                .on("DELETE", "/api/backups/" + BACKUP, 202, backup("deleting", null, 0, null))
                .on("GET", "/api/environments/" + ENV + "/snapshots", 200,
                        "[{\"id\":\"s1\",\"backupType\":\"full\",\"trigger\":\"pre_restore\",\"status\":\"completed\"}]");

        var show = cli.run("backup", "show", BACKUP);
        var delete = cli.run("backup", "delete", BACKUP);
        var snapshots = cli.run("backup", "snapshots", "--environment", ENV);

        assertThat(show.exitCode()).isZero();
        assertThat(show.out()).contains("Checksums:", "database=sha256:aa", "Remote paths:", "d1=e/b.tar");
        assertThat(delete.exitCode()).isZero();
        // accepted, not done: the copies are removed in the background
        assertThat(delete.out()).isEqualTo("Deletion of backup " + BACKUP + " accepted (status deleting); it is "
                + "removed from every destination, then leaves the catalogue\n");
        assertThat(snapshots.out()).contains("s1", "pre_restore");
    }

    @Test
    void deleteWaitPollsUntilTheBackupIsGone() {
        gateway.on("DELETE", "/api/backups/" + BACKUP, 202, backup("deleting", null, 0, null))
                .on("GET", "/api/backups/" + BACKUP, 200, backup("deleting", null, 0, null))
                .on("GET", "/api/backups/" + BACKUP, 200, backup("deleting", null, 0, null))
                .on("GET", "/api/backups/" + BACKUP, 404, """
                        {"type":"https://ocore.io/problems/not-found","title":"Not Found","status":404,
                         "detail":"Backup was not found"}
                        """);

        var result = cli.run("backup", "delete", BACKUP, "--wait");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.requests()).extracting(r -> r.method() + " " + r.path()).containsExactly(
                "DELETE /api/backups/" + BACKUP, "GET /api/backups/" + BACKUP, "GET /api/backups/" + BACKUP,
                "GET /api/backups/" + BACKUP);
        assertThat(result.err()).isEqualTo("backup " + BACKUP + ": deleting\n");
        assertThat(result.out()).isEqualTo("Deleted backup " + BACKUP + " from every destination\n");
    }

    @Test
    void deleteWaitGivesUpAtTheDeadlineWhileItIsStillDeleting() {
        gateway.on("DELETE", "/api/backups/" + BACKUP, 202, backup("deleting", null, 0, null))
                .on("GET", "/api/backups/" + BACKUP, 200, backup("deleting", null, 0, null));

        var result = cli.run("backup", "delete", BACKUP, "--wait", "--timeout", "10s");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.ERROR);
        assertThat(result.err()).contains("Timed out after 10s waiting for backup " + BACKUP + " (still deleting)");
        assertThat(result.out()).doesNotContain("Deleted");
    }

    @Test
    void unknownBackupExitsFour() {
        gateway.on("GET", "/api/backups/nope", 404, """
                {"type":"https://ocore.io/problems/not-found","title":"Not Found","status":404,
                 "detail":"Backup nope was not found"}
                """);

        var result = cli.run("backup", "show", "nope");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(result.err()).isEqualTo("Error 404: Not Found\n  Backup nope was not found\n");
    }

    @Test
    void downloadNeedsATargetFolder() {
        // the download itself is covered by DownloadCommandTest
        var result = cli.run("backup", "download", BACKUP);

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("--to");
        assertThat(gateway.requests()).isEmpty();
    }
}
