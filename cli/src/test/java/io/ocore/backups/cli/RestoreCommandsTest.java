package io.ocore.backups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestoreCommandsTest {

    static final String BACKUP = "9c4e2f00-2222-4000-8000-000000000001";
    static final String RESTORE = "r-7";

    static String restore(String status, String step, int percent, String error) {
        return """
                {"id":"%s","status":"%s","targetType":"other","targetEnvironmentId":"e2","preRestoreSnapshotId":"s9",
                 "progress":{"step":"%s","percent":%d,"bytesDone":%d,"bytesTotal":2147483648},
                 "startedAt":"2026-03-15T14:30:00Z","completedAt":null,"error":%s}
                """.formatted(RESTORE, status, step, percent, 2147483648L * percent / 100,
                error == null ? "null" : "\"" + error + "\"");
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
    void restoreToOtherWithPitrAndNeutralizeWaitsUntilCompleted() {
        gateway.on("POST", "/api/backups/" + BACKUP + "/restore", 202, "{\"restoreId\":\"r-7\",\"status\":\"pending\"}")
                .on("GET", "/api/restores/" + RESTORE, 200, restore("in_progress", "restore_database", 25, null))
                .on("GET", "/api/restores/" + RESTORE, 200, restore("in_progress", "restore_filestore", 75, null))
                .on("GET", "/api/restores/" + RESTORE, 200, restore("completed", "done", 100, null));

        var result = cli.run("backup", "restore", BACKUP, "--target", "other", "--target-environment", "e2",
                "--pitr", "2026-03-15T14:30:00Z", "--neutralize", "--wait");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.only("POST", "/api/backups/" + BACKUP + "/restore").json()).isEqualTo(Json.parse("""
                {"targetType":"other","targetEnvironmentId":"e2","pitrTimestamp":"2026-03-15T14:30:00Z","neutralize":true}
                """));
        assertThat(gateway.requests()).hasSize(4);
        assertThat(result.err()).isEqualTo("restore r-7: in_progress (restore_database) 25%  512.0 MiB / 2.0 GiB\n"
                + "restore r-7: in_progress (restore_filestore) 75%  1.5 GiB / 2.0 GiB\n");
        assertThat(result.out()).contains("Status:", "completed", "Pre-restore snapshot:", "s9");
    }

    @Test
    void neutralizationCanBeRefusedOrLeftToTheService() {
        gateway.on("POST", "/api/backups/" + BACKUP + "/restore", 202, "{\"restoreId\":\"r-7\",\"status\":\"pending\"}")
                .on("POST", "/api/backups/" + BACKUP + "/restore", 202, "{\"restoreId\":\"r-8\",\"status\":\"pending\"}");

        assertThat(cli.run("backup", "restore", BACKUP, "--target", "new", "--name", "qa", "--no-neutralize").exitCode())
                .isZero();
        assertThat(cli.run("backup", "restore", BACKUP, "--target", "new", "--name", "qa2").exitCode()).isZero();

        var posts = gateway.requests().stream().filter(r -> r.method().equals("POST")).toList();
        assertThat(posts.get(0).json()).isEqualTo(Json.parse("""
                {"targetType":"new","newEnvironmentName":"qa","neutralize":false}
                """));
        assertThat(posts.get(1).json()).isEqualTo(Json.parse("""
                {"targetType":"new","newEnvironmentName":"qa2"}
                """));
    }

    @Test
    void progressBarOnATerminal() {
        cli.stderrTty = true;
        gateway.on("POST", "/api/backups/" + BACKUP + "/restore", 202, "{\"restoreId\":\"r-7\",\"status\":\"pending\"}")
                .on("GET", "/api/restores/" + RESTORE, 200, restore("in_progress", "restore_database", 50, null))
                .on("GET", "/api/restores/" + RESTORE, 200, restore("completed", "done", 100, null));

        var result = cli.run("backup", "restore", BACKUP, "--target", "same", "--wait");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.err()).isEqualTo(
                "\rrestore r-7 [############------------]  50%  restore_database  1.0 GiB / 2.0 GiB\u001b[K\n");
    }

    @Test
    void failedRestoreExitsEight() {
        gateway.on("POST", "/api/backups/" + BACKUP + "/restore", 202, "{\"restoreId\":\"r-7\",\"status\":\"pending\"}")
                .on("GET", "/api/restores/" + RESTORE, 200, restore("in_progress", "download", 10, null))
                .on("GET", "/api/restores/" + RESTORE, 200, restore("in_progress", "download", 20, null))
                .on("GET", "/api/restores/" + RESTORE, 200, restore("failed", "restore_database", 40,
                        "checksum mismatch for database component"));

        var result = cli.run("backup", "restore", BACKUP, "--target", "new", "--name", "staging-copy", "--wait");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.OPERATION_FAILED);
        assertThat(gateway.only("POST", "/api/backups/" + BACKUP + "/restore").json())
                .isEqualTo(Json.parse("{\"targetType\":\"new\",\"newEnvironmentName\":\"staging-copy\"}"));
        assertThat(result.err()).contains("Error: Restore r-7 failed: checksum mismatch for database component");
    }

    @Test
    void restoreWithoutWaitPrintsTheRestoreId() {
        gateway.on("POST", "/api/backups/" + BACKUP + "/restore", 202, "{\"restoreId\":\"r-7\",\"status\":\"pending\"}");

        var result = cli.run("backup", "restore", BACKUP, "--target", "same");

        assertThat(result.exitCode()).isZero();
        assertThat(gateway.only("POST", "/api/backups/" + BACKUP + "/restore").json())
                .isEqualTo(Json.parse("{\"targetType\":\"same\"}"));
        assertThat(result.out()).contains("r-7", "ocore restore show r-7");
    }

    @Test
    void targetFlagsAreCheckedBeforeAnyRequest() {
        var other = cli.run("backup", "restore", BACKUP, "--target", "other");
        var fresh = cli.run("backup", "restore", BACKUP, "--target", "new");
        var pitr = cli.run("backup", "restore", BACKUP, "--target", "same", "--pitr", "yesterday");
        var target = cli.run("backup", "restore", BACKUP, "--target", "elsewhere");

        assertThat(other.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(other.err()).contains("--target other needs --target-environment");
        assertThat(fresh.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(pitr.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(target.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(gateway.requests()).isEmpty();
    }

    @Test
    void showAndLogs() {
        gateway.on("GET", "/api/restores/" + RESTORE, 200, restore("in_progress", "restore_database", 40, null))
                .on("GET", "/api/restores/" + RESTORE + "/logs", 200, """
                        [{"step":"snapshot","startedAt":"2026-03-15T14:30:00Z","finishedAt":"2026-03-15T14:31:00Z",
                          "durationMs":60000,"status":"completed","message":"pre-restore snapshot s9"},
                         {"step":"restore_database","startedAt":"2026-03-15T14:31:00Z","finishedAt":null,
                          "durationMs":null,"status":"in_progress","message":null}]
                        """);

        var show = cli.run("restore", "show", RESTORE);
        var logs = cli.run("restore", "logs", RESTORE);

        assertThat(show.exitCode()).isZero();
        assertThat(show.out()).contains("Step:", "restore_database", "40% 819.2 MiB / 2.0 GiB");
        assertThat(logs.exitCode()).isZero();
        assertThat(logs.out()).isEqualTo("""
                STEP              STATUS       STARTED               FINISHED              DURATION  MESSAGE
                snapshot          completed    2026-03-15T14:30:00Z  2026-03-15T14:31:00Z  60000 ms  pre-restore snapshot s9
                restore_database  in_progress  2026-03-15T14:31:00Z  -                     -         -
                """);
    }

    @Test
    void showNamesTheAttachmentsTheRestoreCouldNotFind() {
        gateway.on("GET", "/api/restores/" + RESTORE, 200, """
                {"id":"%s","status":"completed","targetType":"new","missingAttachmentCount":7,
                 "missingAttachments":["0a/0a1f","1b/1b2e","2c/2c3d","3d/3d4c","4e/4e5b","5f/5f6a","6a/6a79"]}
                """.formatted(RESTORE));

        var show = cli.run("restore", "show", RESTORE);

        assertThat(show.exitCode()).isZero();
        assertThat(show.out()).contains("Missing attachments:", "7 (0a/0a1f, 1b/1b2e, 2c/2c3d, 3d/3d4c, 4e/4e5b, ...)");
    }

    @Test
    void showSaysHowFarTheWalReplayIs() {
        gateway.on("GET", "/api/restores/" + RESTORE, 200, """
                {"id":"%s","status":"in_progress","targetType":"new",
                 "progress":{"step":"replay_wal","percent":40,"bytesDone":1000,"bytesTotal":2500,
                   "replay":{"startLsn":"0/3000028","replayedLsn":"0/5000000","endLsn":"0/7000000",
                             "bytesReplayed":33554392,"bytesToReplay":67108824}}}
                """.formatted(RESTORE));

        var show = cli.run("restore", "show", RESTORE);

        assertThat(show.exitCode()).isZero();
        assertThat(show.out()).contains("WAL replay:", "at 0/5000000 of 0/7000000 from 0/3000028 (");
    }

    static final String CONFIRM_PROBLEM = """
            {"type":"https://ocore.io/problems/validation","title":"Validation failed","status":400,
             "errors":[{"field":"confirm","message":"is required: restoring onto the production environment 'demo' replaces its data: send confirm = its name"}]}
            """;

    @Test
    void confirmCarriesTheProductionEnvironmentsNameWithoutAnyLookup() {
        gateway.on("POST", "/api/backups/" + BACKUP + "/restore", 202, "{\"restoreId\":\"r-7\",\"status\":\"pending\"}");

        var result = cli.run("backup", "restore", BACKUP, "--target", "other", "--target-environment", "e1",
                "--confirm", "demo");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.only("POST", "/api/backups/" + BACKUP + "/restore").json()).isEqualTo(Json.parse("""
                {"targetType":"other","targetEnvironmentId":"e1","confirm":"demo"}
                """));
        assertThat(gateway.requests()).hasSize(1);
    }

    @Test
    void onATerminalTheNameOfAProductionTargetIsAskedFor() {
        cli.prompt.available = true;
        cli.prompt.answers.add("demo");
        gateway.on("GET", "/api/backups/" + BACKUP, 200, "{\"id\":\"" + BACKUP + "\",\"environmentId\":\"e1\"}")
                .on("GET", "/api/environments/e1", 200, "{\"id\":\"e1\",\"name\":\"demo\",\"environmentType\":\"production\"}")
                .on("POST", "/api/backups/" + BACKUP + "/restore", 202, "{\"restoreId\":\"r-7\",\"status\":\"pending\"}");

        var result = cli.run("backup", "restore", BACKUP, "--target", "same");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(cli.prompt.asked.toString()).isEqualTo("line:Type the environment's name to confirm: \n");
        assertThat(result.err()).contains("'demo' is a production environment: restoring onto it replaces its data.");
        assertThat(gateway.only("POST", "/api/backups/" + BACKUP + "/restore").json())
                .isEqualTo(Json.parse("{\"targetType\":\"same\",\"confirm\":\"demo\"}"));
    }

    @Test
    void aStagingTargetIsNotAskedFor() {
        cli.prompt.available = true;
        gateway.on("GET", "/api/environments/e2", 200, "{\"id\":\"e2\",\"name\":\"qa\",\"environmentType\":\"staging\"}")
                .on("POST", "/api/backups/" + BACKUP + "/restore", 202, "{\"restoreId\":\"r-7\",\"status\":\"pending\"}");

        var result = cli.run("backup", "restore", BACKUP, "--target", "other", "--target-environment", "e2");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(cli.prompt.asked.toString()).isEmpty();
        assertThat(gateway.only("POST", "/api/backups/" + BACKUP + "/restore").json())
                .isEqualTo(Json.parse("{\"targetType\":\"other\",\"targetEnvironmentId\":\"e2\"}"));
    }

    @Test
    void withoutATerminalTheRequestGoesAsItIsAndTheRefusalIsShown() {
        gateway.on("POST", "/api/backups/" + BACKUP + "/restore", 400, CONFIRM_PROBLEM);

        var result = cli.run("backup", "restore", BACKUP, "--target", "same");

        assertThat(result.exitCode()).isEqualTo(6);
        assertThat(gateway.requests()).hasSize(1);
        assertThat(gateway.only("POST", "/api/backups/" + BACKUP + "/restore").json())
                .isEqualTo(Json.parse("{\"targetType\":\"same\"}"));
        assertThat(result.err()).contains("confirm: is required: restoring onto the production environment 'demo'"
                + " replaces its data: send confirm = its name");
    }

    @Test
    void neutralizeSendsConfirmAndAsksForItOnATerminal() {
        gateway.on("POST", "/api/environments/e1/neutralize", 202,
                "{\"restoreId\":\"r-9\",\"kind\":\"neutralize\",\"status\":\"pending\"}");

        var given = cli.run("restore", "neutralize", "e1", "--confirm", "demo");
        assertThat(given.exitCode()).as(given.err()).isZero();
        assertThat(given.out()).contains("r-9", "ocore restore show r-9");

        cli.prompt.available = true;
        cli.prompt.answers.add("demo");
        gateway.on("GET", "/api/environments/e1", 200,
                "{\"id\":\"e1\",\"name\":\"demo\",\"environmentType\":\"production\"}");
        var asked = cli.run("restore", "neutralize", "e1");
        assertThat(asked.exitCode()).as(asked.err()).isZero();
        assertThat(cli.prompt.asked.toString()).isEqualTo("line:Type the environment's name to confirm: \n");

        var posts = gateway.requests().stream().filter(r -> r.method().equals("POST")).toList();
        assertThat(posts).hasSize(2);
        assertThat(posts.get(0).json()).isEqualTo(Json.parse("{\"confirm\":\"demo\"}"));
        assertThat(posts.get(1).json()).isEqualTo(Json.parse("{\"confirm\":\"demo\"}"));
    }

    @Test
    void neutralizeWithoutATerminalShowsTheRefusal() {
        gateway.on("POST", "/api/environments/e1/neutralize", 400, """
                {"type":"https://ocore.io/problems/validation","title":"Validation failed","status":400,
                 "errors":[{"field":"confirm","message":"is required: neutralizing the production environment 'demo' turns off its mail, crons and payment providers: send confirm = its name"}]}
                """);

        var result = cli.run("restore", "neutralize", "e1");

        assertThat(result.exitCode()).isEqualTo(6);
        assertThat(gateway.only("POST", "/api/environments/e1/neutralize").json()).isEqualTo(Json.parse("{}"));
        assertThat(result.err()).contains("confirm: is required: neutralizing the production environment 'demo'");
    }
}
