package io.ocore.backups.destination;

import static io.restassured.RestAssured.given;

import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.testing.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/** Request bodies and helpers shared by the destination tests. */
final class Fixtures {

    static final String PATH = "/api/backup-destinations";

    private Fixtures() {
    }

    static String cfg(String key) {
        return ConfigProvider.getConfig().getValue(key, String.class);
    }

    static String admin(UUID org) {
        return TestTokens.of(org, Permissions.MANAGE_ORG_SETTINGS);
    }

    static RequestSpecification as(UUID org) {
        return given().auth().oauth2(admin(org)).contentType(ContentType.JSON);
    }

    static Map<String, Object> body(String name, String type, Map<String, Object> config) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("name", name);
        b.put("destinationType", type);
        b.put("config", config);
        return b;
    }

    static Map<String, Object> s3(String secret) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("bucket", cfg("ocore.test.s3.bucket"));
        c.put("region", cfg("ocore.test.s3.region"));
        c.put("accessKeyId", cfg("ocore.test.s3.access-key"));
        c.put("secretAccessKey", secret);
        c.put("endpoint", cfg("ocore.test.s3.endpoint"));
        c.put("pathPrefix", "org-" + UUID.randomUUID());
        return c;
    }

    static Map<String, Object> s3() {
        return s3(cfg("ocore.test.s3.secret-key"));
    }

    static Map<String, Object> sftp() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("host", cfg("ocore.test.sftp.host"));
        c.put("port", Integer.parseInt(cfg("ocore.test.sftp.port")));
        c.put("username", cfg("ocore.test.sftp.username"));
        c.put("password", cfg("ocore.test.sftp.password"));
        c.put("path", cfg("ocore.test.sftp.root"));
        return c;
    }

    /** A fresh folder inside the allowed local root of the test profile. */
    static Map<String, Object> local() {
        try {
            Path dir = Files.createDirectories(Path.of("target/local-roots", UUID.randomUUID().toString()))
                    .toAbsolutePath();
            return new LinkedHashMap<>(Map.of("path", dir.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> onedrive(String secret, String refreshToken) {
        return new LinkedHashMap<>(Map.of("clientId", "11111111-2222-3333-4444-555555555555", "clientSecret", secret,
                "refreshToken", refreshToken, "tenant", "common", "folderPath", "Backups/odoo"));
    }

    static Map<String, Object> gdrive(String secret, String refreshToken) {
        return new LinkedHashMap<>(Map.of("clientId", "1234-abc.apps.googleusercontent.com", "clientSecret", secret,
                "refreshToken", refreshToken, "folderId", "1AbCdEfGhIjKlMnOp"));
    }

    /** Creates a destination and answers its id. */
    static String create(UUID org, String name, String type, Map<String, Object> config) {
        return as(org).body(body(name, type, config)).post(PATH).then().statusCode(201).extract().path("id");
    }

    static Connection db() throws SQLException {
        Config c = ConfigProvider.getConfig();
        String url = "jdbc:postgresql://127.0.0.1:" + c.getValue("ocore.test.postgres.port", String.class) + "/"
                + c.getValue("ocore.test.postgres.database", String.class);
        return DriverManager.getConnection(url, "postgres", "");
    }

    static void sql(String statement, Object... params) {
        try (Connection c = db(); var st = c.prepareStatement(statement)) {
            for (int i = 0; i < params.length; i++) {
                st.setObject(i + 1, params[i]);
            }
            st.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static String queryString(String statement, Object... params) {
        try (Connection c = db(); var st = c.prepareStatement(statement)) {
            for (int i = 0; i < params.length; i++) {
                st.setObject(i + 1, params[i]);
            }
            try (var rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
