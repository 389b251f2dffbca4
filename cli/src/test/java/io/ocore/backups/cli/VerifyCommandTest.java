package io.ocore.backups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyCommandTest {

    static final String BACKUP = "9c4e2f00-2222-4000-8000-000000000001";
    static final String VERIFICATION = "5d1b0c00-3333-4000-8000-000000000001";
    static final String D1 = "d1000000-0000-4000-8000-000000000001";
    static final String D2 = "d2000000-0000-4000-8000-000000000002";

    static String verification(String status, String d1, String d2) {
        StringBuilder dests = new StringBuilder();
        if (d1 != null) {
            dests.append("\"").append(D1).append("\":{\"status\":\"").append(d1).append("\",\"detail\":\"")
                    .append("ok".equals(d1) ? "1 component(s) read back" : "component database: checksum mismatch")
                    .append("\"}");
        }
        if (d2 != null) {
            dests.append(dests.isEmpty() ? "" : ",").append("\"").append(D2).append("\":{\"status\":\"").append(d2)
                    .append("\",\"detail\":\"").append(d2).append(" detail\"}");
        }
        return """
                {"id":"%s","backupId":"%s","status":"%s","trigger":"verify","destinations":{%s},"error":null,
                 "startedAt":"2026-03-15T14:30:00Z","completedAt":%s}
                """.formatted(VERIFICATION, BACKUP, status, dests,
                "running".equals(status) ? "null" : "\"2026-03-15T14:31:00Z\"");
    }

    @TempDir
    Path home;
    FakeGateway gateway;
    CliRunner cli;

    @BeforeEach
    void start() throws Exception {
        gateway = new FakeGateway();
        cli = new CliRunner(home).against(gateway);
        gateway.on("POST", "/api/backups/" + BACKUP + "/verify", 202, "{\"id\":\"" + VERIFICATION + "\"}");
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void withoutWaitItOnlyStartsTheVerification() {
        var result = cli.run("backup", "verify", BACKUP);

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.requests()).extracting(r -> r.method() + " " + r.path())
                .containsExactly("POST /api/backups/" + BACKUP + "/verify");
        assertThat(result.out()).contains(VERIFICATION);
    }

    @Test
    void waitPollsUntilCompletedAndPrintsEachDestination() {
        gateway.on("GET", "/api/verifications/" + VERIFICATION, 200, verification("running", "ok", null))
                .on("GET", "/api/verifications/" + VERIFICATION, 200, verification("completed", "ok", "ok"));

        var result = cli.run("backup", "verify", BACKUP, "--wait");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.requests()).extracting(r -> r.method() + " " + r.path()).containsExactly(
                "POST /api/backups/" + BACKUP + "/verify", "GET /api/verifications/" + VERIFICATION,
                "GET /api/verifications/" + VERIFICATION);
        assertThat(result.out()).contains("completed", D1, D2, "DESTINATION", "STATUS");
    }

    @Test
    void aCorruptCopyExitsEightNamingTheDestination() {
        gateway.on("GET", "/api/verifications/" + VERIFICATION, 200, verification("completed", "corrupt", "ok"));

        var result = cli.run("backup", "verify", BACKUP, "--wait");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.OPERATION_FAILED);
        assertThat(result.out()).contains("corrupt", "component database: checksum mismatch");
        assertThat(result.err()).contains("Backup " + BACKUP + " has bad copies on " + D1 + " (corrupt)");
    }

    @Test
    void aMissingCopyExitsEightToo() {
        gateway.on("GET", "/api/verifications/" + VERIFICATION, 200, verification("completed", "ok", "missing"));

        var result = cli.run("backup", "verify", BACKUP, "--wait", "--output", "json");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.OPERATION_FAILED);
        assertThat(Json.parse(result.out()).path("destinations").path(D2).path("status").asText()).isEqualTo("missing");
    }

    @Test
    void anUnreachableDestinationIsNotCalledOkButIsNotDamageEither() {
        gateway.on("GET", "/api/verifications/" + VERIFICATION, 200,
                verification("completed", "ok", "unreachable"));

        var result = cli.run("backup", "verify", BACKUP, "--wait");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.ERROR);
        assertThat(result.err()).contains("could not be verified on unreachable destination(s) " + D2);
    }

    @Test
    void aFailedVerificationExitsEightWithItsError() {
        gateway.on("GET", "/api/verifications/" + VERIFICATION, 200, verification("failed", null, null)
                .replace("\"error\":null", "\"error\":\"the backup no longer exists\""));

        var result = cli.run("backup", "verify", BACKUP, "--wait");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.OPERATION_FAILED);
        assertThat(result.err()).contains("failed: the backup no longer exists");
    }

    @Test
    void aBackupThatIsNotCompletedIsAConflict() {
        gateway.on("POST", "/api/backups/b-pending/verify", 409, """
                {"type":"https://ocore.dev/problems/conflict","title":"Conflict","status":409,
                 "detail":"Backup b-pending is pending; only a completed backup can be verified"}""");

        var result = cli.run("backup", "verify", "b-pending", "--wait");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.CONFLICT);
        assertThat(result.err()).contains("only a completed backup can be verified");
    }
}
