package io.ocore.backups.destination;

import static io.ocore.backups.destination.Fixtures.as;
import static io.ocore.backups.destination.Fixtures.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.fakes.FakeGraphServer;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Test Connection of a OneDrive destination against a local server speaking Microsoft Graph's protocol. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(FakeGoogleResource.class)
@QuarkusTestResource(GraphResource.class)
class OneDriveConnectionTest {

    static Map<String, Object> config(String clientSecret, String refreshToken) {
        Map<String, Object> c = new HashMap<>();
        c.put("clientId", "client-1");
        c.put("clientSecret", clientSecret);
        c.put("refreshToken", refreshToken);
        c.put("tenant", "contoso.onmicrosoft.com");
        c.put("driveId", FakeGraphServer.DRIVE_ID);
        c.put("folderPath", "Backups/oCore");
        return c;
    }

    @Test
    void aOneDriveDestinationPassesItsTestAndAWrongSecretFailsInPlainWords() {
        UUID org = UUID.randomUUID();
        String id = create(org, "OneDrive", "onedrive",
                config("client-secret-1", GraphResource.graph.oauth.currentRefreshToken()));
        as(org).post("/api/backup-destinations/" + id + "/test").then().statusCode(200)
                .body("ok", equalTo(true));
        as(org).get("/api/backup-destinations/" + id).then().body("isVerified", equalTo(true))
                .body("config.clientSecret", equalTo("********"))
                .body("config.refreshToken", equalTo("********"));

        String wrong = create(org, "OneDrive, wrong secret", "onedrive",
                config("not-the-secret-0042", GraphResource.graph.oauth.currentRefreshToken()));
        String error = as(org).post("/api/backup-destinations/" + wrong + "/test").then().statusCode(200)
                .body("ok", equalTo(false)).body("failureKind", equalTo("AUTHENTICATION"))
                .extract().path("error");
        assertThat(error).doesNotContain("not-the-secret-0042");
    }
}
