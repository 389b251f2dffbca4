package io.ocore.backups.backup;

import static io.restassured.RestAssured.given;

import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.testing.TestTokens;
import io.restassured.http.ContentType;
import java.util.Map;
import java.util.UUID;

final class Fixtures {

    private Fixtures() {
    }

    static String manager(UUID org) {
        return TestTokens.of(org, Permissions.MANAGE_ENVIRONMENTS, Permissions.VIEW_ENVIRONMENTS);
    }

    static String viewer(UUID org) {
        return TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS);
    }

    static Map<String, Object> environmentBody(UUID project, int port, String db, String filestore, String config) {
        return Map.of("name", "prod-" + UUID.randomUUID().toString().substring(0, 6), "projectId", project.toString(),
                "environmentType", "production",
                "database", Map.of("host", "127.0.0.1", "port", port, "name", db, "user", "postgres",
                        "password", "s3cret-pw"),
                "filestorePath", filestore, "configPath", config);
    }

    /** Registers an environment pointing at the generated source; answers its id. */
    static UUID register(UUID org, SourceEnvironment src) {
        String id = given().auth().oauth2(manager(org)).contentType(ContentType.JSON)
                .body(environmentBody(UUID.randomUUID(), src.cluster.port(), SourceEnvironment.DATABASE,
                        src.filestore.toString(), src.config.toString()))
                .post("/api/environments").then().statusCode(201).extract().path("id");
        return UUID.fromString(id);
    }
}
