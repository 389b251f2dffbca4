package io.ocore.backups.backup;

import io.ocore.backups.platform.testing.fakes.DestinationStub;

import static io.ocore.backups.backup.Fixtures.manager;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.oneOf;

import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code GET /internal/backups/{id}?orgId=}: restore-service's view of a backup, service token only. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
@QuarkusTestResource(EnvironmentPolicyResource.class)
class InternalBackupApiTest {

    @Test
    void aBackupIsServedToServicesOnlyWithinItsOrganisation() throws Exception {
        UUID org = UUID.randomUUID();
        UUID dest = UUID.randomUUID();
        String env = Fixtures.registerNowhere(org).toString();
        String backup = given().auth().oauth2(manager(org)).contentType(ContentType.JSON)
                .body(Map.of("backupType", "full", "destinationIds", List.of(dest.toString())))
                .post("/api/environments/" + env + "/backups").then().statusCode(202).extract().path("id");

        given().auth().oauth2(TestTokens.service()).get("/internal/backups/" + backup + "?orgId=" + org).then()
                .statusCode(200)
                .body("id", equalTo(backup))
                .body("environmentId", equalTo(env))
                .body("backupType", equalTo("full"))
                .body("trigger", equalTo("manual"))
                .body("status", oneOf("pending", "in_progress", "failed", "completed"))
                .body("remotePaths", notNullValue())
                .body("checksums", notNullValue())
                .body("createdAt", notNullValue());
        given().auth().oauth2(TestTokens.service()).get("/internal/backups/" + backup + "?orgId=" + UUID.randomUUID())
                .then().statusCode(404);
        given().auth().oauth2(TestTokens.service()).get("/internal/backups/" + backup).then().statusCode(400)
                .body("errors.field", hasItem("orgId"));
        given().auth().oauth2(manager(org)).get("/internal/backups/" + backup + "?orgId=" + org).then().statusCode(401);
        given().get("/internal/backups/" + backup + "?orgId=" + org).then().statusCode(401);
    }
}
