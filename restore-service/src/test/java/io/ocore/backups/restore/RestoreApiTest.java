package io.ocore.backups.restore;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(EnvironmentPolicyResource.class)
@QuarkusTestResource(InternalStub.class)
class RestoreApiTest {

    static final Instant T0 = Instant.parse("2026-03-15T14:30:00Z");

    @Test
    void aRestoreShowsItsProgressAndStepTimingsToItsOrganisationOnly() throws Exception {
        UUID org = UUID.randomUUID();
        UUID target = UUID.randomUUID();
        InternalStub.environment(org, target, UUID.randomUUID(), "target", "staging", 5432, "odoo_target", "/srv/fs",
                "/srv/odoo.conf");
        UUID restore = insertRestore(org, target, T0, "in_progress");
        insertStep(restore, 1, "pre_restore_snapshot", "completed", T0, T0.plusMillis(4200));
        insertStep(restore, 2, "download_database", "running", T0.plusMillis(4200), null);

        String token = TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS);
        given().auth().oauth2(token).get("/api/restores/{id}", restore).then().statusCode(200)
                .body("restoreId", equalTo(restore.toString()))
                .body("status", equalTo("in_progress"))
                .body("targetType", equalTo("same"))
                .body("progress.step", equalTo("download_database"))
                .body("progress.percent", equalTo(40))
                .body("progress.bytesTotal", equalTo(1000));
        given().auth().oauth2(token).get("/api/restores/{id}/logs", restore).then().statusCode(200)
                .body("", hasSize(2))
                .body("[0].step", equalTo("pre_restore_snapshot"))
                .body("[0].durationMs", equalTo(4200))
                .body("[1].status", equalTo("running"))
                .body("[1].durationMs", nullValue());

        String stranger = TestTokens.of(UUID.randomUUID(), Permissions.MANAGE_ENVIRONMENTS);
        given().auth().oauth2(stranger).get("/api/restores/{id}", restore).then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(stranger).get("/api/restores/{id}/logs", restore).then().statusCode(404);
        given().auth().oauth2(stranger).get("/api/environments/{env}/restores", target).then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(token).get("/api/environments/{env}/restores", UUID.randomUUID()).then()
                .statusCode(404);
    }

    @Test
    void unauthenticatedAndUnpermittedCallersAreRefused() throws Exception {
        UUID org = UUID.randomUUID();
        UUID restore = insertRestore(org, UUID.randomUUID(), T0, "completed");
        given().get("/api/restores/{id}", restore).then().statusCode(401).contentType("application/problem+json");
        given().auth().oauth2(TestTokens.expired(org, Permissions.VIEW_ENVIRONMENTS))
                .get("/api/restores/{id}", restore).then().statusCode(401);
        given().auth().oauth2(TestTokens.of(org, Permissions.MANAGE_ORG_SETTINGS))
                .get("/api/restores/{id}", restore).then().statusCode(403).contentType("application/problem+json");
    }

    @Test
    void historyPagesNewestFirst() throws Exception {
        UUID org = UUID.randomUUID();
        UUID target = UUID.randomUUID();
        InternalStub.environment(org, target, UUID.randomUUID(), "target", "staging", 5432, "odoo_target", "/srv/fs",
                "/srv/odoo.conf");
        UUID oldest = insertRestore(org, target, T0, "completed");
        UUID middle = insertRestore(org, target, T0.plusSeconds(60), "failed");
        UUID newest = insertRestore(org, target, T0.plusSeconds(120), "completed");
        String token = TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS);

        String cursor = given().auth().oauth2(token).queryParam("limit", 2)
                .get("/api/environments/{env}/restores", target).then().statusCode(200)
                .body("items.id", contains(newest.toString(), middle.toString()))
                .body("nextCursor", notNullValue()).extract().path("nextCursor");
        given().auth().oauth2(token).queryParam("limit", 2).queryParam("cursor", cursor)
                .get("/api/environments/{env}/restores", target).then()
                .body("items.id", contains(oldest.toString()))
                .body("nextCursor", nullValue());
        given().auth().oauth2(token).queryParam("limit", 500)
                .get("/api/environments/{env}/restores", target).then().statusCode(400)
                .body("errors[0].field", equalTo("limit"));
    }

    @Test
    void aPitrTimestampIsCheckedAgainstWhatWalArchiverSaysTheBackupCanBeRecoveredTo() {
        UUID org = UUID.randomUUID();
        UUID env = UUID.randomUUID();
        InternalStub.environment(org, env, UUID.randomUUID(), "staging", "staging", 5432, "odoo_staging", "/srv/fs",
                "/srv/odoo.conf");
        String token = TestTokens.of(org, Permissions.MANAGE_ENVIRONMENTS);
        UUID covered = backup(org, env);
        InternalStub.pitrRange(org, covered, "2026-03-15T14:06:39Z", "2026-03-15T14:16:40Z");

        // unreadable, or without a zone
        for (String bad : new String[] {"yesterday", "2026-03-15T14:10:00", "2026-13-15T14:10:00Z"}) {
            pitr(token, covered, bad).statusCode(400).contentType("application/problem+json")
                    .body("errors[0].field", equalTo("pitrTimestamp"))
                    .body("errors[0].message", containsString("ISO 8601"));
        }
        // before the base's consistency point, after the last archived commit: the range and the nearest moment
        pitr(token, covered, "2026-03-15T14:00:00Z").statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("pitrTimestamp"))
                .body("errors[0].message", containsString("covered from 2026-03-15T14:06:39Z to 2026-03-15T14:16:40Z"))
                .body("errors[0].message", containsString("nearest covered moment is 2026-03-15T14:06:39Z"));
        pitr(token, covered, "2026-03-15T15:30:00+01:00").statusCode(400)
                .body("errors[0].field", equalTo("pitrTimestamp"))
                .body("errors[0].message", containsString("2026-03-15T14:30:00Z is outside"))
                .body("errors[0].message", containsString("nearest covered moment is 2026-03-15T14:16:40Z"));

        // no PITR base (WAL archiving off when it was taken), its WAL not all archived
        UUID noBase = backup(org, env);
        pitr(token, noBase, "2026-03-15T14:10:00Z").statusCode(400)
                .body("errors[0].field", equalTo("pitrTimestamp"))
                .body("errors[0].message", containsString("no PITR base"));
        UUID incomplete = backup(org, env);
        InternalStub.pitrRangeAnswer(org, incomplete, 409, "The WAL this backup needs to be recovered is not all"
                + " archived yet: segment 000000010000000000000003 is missing");
        pitr(token, incomplete, "2026-03-15T14:10:00Z").statusCode(400)
                .body("errors[0].field", equalTo("pitrTimestamp"))
                .body("errors[0].message", containsString("000000010000000000000003 is missing"));

        // wal-archiver failing or unreachable: 503, never a restore to another moment
        UUID failing = backup(org, env);
        InternalStub.pitrRangeAnswer(org, failing, 503, "down");
        pitr(token, failing, "2026-03-15T14:10:00Z").statusCode(503).contentType("application/problem+json");
        UUID unreachable = backup(org, env);
        InternalStub.pitrRangeAnswer(org, unreachable, 0, "no answer");
        pitr(token, unreachable, "2026-03-15T14:10:00Z").statusCode(503).contentType("application/problem+json")
                .body("detail", containsString("could not reach"));

        // nothing was started for any of them
        given().auth().oauth2(token).get("/api/environments/{env}/restores", env).then().statusCode(200)
                .body("items", hasSize(0));
    }

    private static UUID backup(UUID org, UUID env) {
        UUID id = UUID.randomUUID();
        InternalStub.backup(org, id, env, "completed", "full", java.util.Map.of(), java.util.Map.of());
        return id;
    }

    private static io.restassured.response.ValidatableResponse pitr(String token, UUID backup, String at) {
        return given().auth().oauth2(token).contentType(io.restassured.http.ContentType.JSON)
                .body(java.util.Map.of("targetType", "same", "pitrTimestamp", at))
                .post("/api/backups/{id}/restore", backup).then();
    }

    static Connection db() throws Exception {
        Config c = ConfigProvider.getConfig();
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + c.getValue("ocore.test.postgres.port", String.class)
                + "/" + c.getValue("ocore.test.postgres.database", String.class), "postgres", "");
    }

    static UUID insertRestore(UUID org, UUID target, Instant createdAt, String status) throws Exception {
        UUID id = UUID.randomUUID();
        try (Connection c = db(); var st = c.prepareStatement("""
                insert into restore_job (id, org_id, backup_id, source_environment_id, target_type, target_environment_id,
                    status, progress_step, progress_percent, bytes_done, bytes_total, created_at, started_at)
                values (?, ?, ?, ?, 'same', ?, ?, 'download_database', 40, 400, 1000, ?, ?)""")) {
            st.setObject(1, id);
            st.setObject(2, org);
            st.setObject(3, UUID.randomUUID());
            st.setObject(4, target);
            st.setObject(5, target);
            st.setString(6, status);
            st.setTimestamp(7, Timestamp.from(createdAt));
            st.setTimestamp(8, Timestamp.from(createdAt));
            st.executeUpdate();
        }
        return id;
    }

    static void insertStep(UUID restore, int seq, String step, String status, Instant start, Instant end) throws Exception {
        try (Connection c = db(); var st = c.prepareStatement(
                "insert into restore_step (restore_id, seq, step, status, started_at, finished_at) values (?, ?, ?, ?, ?, ?)")) {
            st.setObject(1, restore);
            st.setInt(2, seq);
            st.setString(3, step);
            st.setString(4, status);
            st.setTimestamp(5, Timestamp.from(start));
            st.setTimestamp(6, end == null ? null : Timestamp.from(end));
            st.executeUpdate();
        }
    }
}
