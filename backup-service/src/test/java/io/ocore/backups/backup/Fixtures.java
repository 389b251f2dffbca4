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

    /** A platform operator's token: registers environments. */
    static String platform(UUID org) {
        return TestTokens.of(org, Permissions.MANAGE_PLATFORM);
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

    /** A filestore path inside the test's filestore root (not created). */
    static String filestore(String name) throws Exception {
        return SourceEnvironment.get().filestoreRoot.resolve(name).toString();
    }

    /** An odoo.conf path inside the test's config root (not created). */
    static String config(String name) throws Exception {
        return SourceEnvironment.get().configRoot.resolve(name).toString();
    }

    /** Registers an environment on the source's server that has no database, filestore or config; answers its id. */
    static UUID registerNowhere(UUID org) throws Exception {
        String name = "nowhere_" + UUID.randomUUID().toString().substring(0, 8);
        String id = given().auth().oauth2(platform(org)).contentType(ContentType.JSON)
                .body(environmentBody(UUID.randomUUID(), SourceEnvironment.get().cluster.port(), name,
                        filestore(name), config(name + ".conf")))
                .post("/api/environments").then().statusCode(201).extract().path("id");
        return UUID.fromString(id);
    }

    /** Registers an environment pointing at the generated source; answers its id. */
    static UUID register(UUID org, SourceEnvironment src) {
        String id = given().auth().oauth2(platform(org)).contentType(ContentType.JSON)
                .body(environmentBody(UUID.randomUUID(), src.cluster.port(), SourceEnvironment.DATABASE,
                        src.filestore.toString(), src.config.toString()))
                .post("/api/environments").then().statusCode(201).extract().path("id");
        return UUID.fromString(id);
    }
}
