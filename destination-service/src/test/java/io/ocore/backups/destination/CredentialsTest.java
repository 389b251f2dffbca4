package io.ocore.backups.destination;

import static io.ocore.backups.destination.Fixtures.PATH;
import static io.ocore.backups.destination.Fixtures.as;
import static io.ocore.backups.destination.Fixtures.body;
import static io.ocore.backups.destination.Fixtures.create;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import io.ocore.backups.platform.events.EventTypes;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events.DestinationFailed;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresCluster;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.ocore.backups.platform.testing.s3.S3TestResource;
import io.ocore.backups.platform.testing.sftp.SftpTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Credentials at rest (sealed, never in a dump), in responses, logs and events; internal endpoints; rotation. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(S3TestResource.class)
@QuarkusTestResource(SftpTestResource.class)
@QuarkusTestResource(FakeGoogleResource.class)
class CredentialsTest {

    static final List<String> LOG = Collections.synchronizedList(new ArrayList<>());
    static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord r) {
            StringBuilder sb = new StringBuilder(String.valueOf(r.getMessage()));
            if (r.getParameters() != null) {
                for (Object p : r.getParameters()) {
                    sb.append(' ').append(p);
                }
            }
            for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
                sb.append(' ').append(t);
            }
            LOG.add(sb.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    static KafkaTestClient kafka;

    @BeforeAll
    static void setUp() {
        Logger.getLogger("").addHandler(CAPTURE);
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @AfterAll
    static void tearDown() {
        Logger.getLogger("").removeHandler(CAPTURE);
        kafka.close();
    }

    static String marker(String what) {
        return what + "-" + UUID.randomUUID().toString().replace("-", "");
    }

    @Test
    void secretsAreNeverStoredLoggedReturnedOrPublishedInPlaintext() throws Exception {
        UUID org = UUID.randomUUID();
        List<String> responses = new ArrayList<>();

        String s3Secret = marker("s3secret");
        String sftpPassword = marker("sftppw");
        String passphrase = marker("passphrase");
        String odSecret = marker("odclient");
        String odRefresh = marker("odrefresh");
        String gdSecret = marker("gdclient");
        String gdRefresh = marker("gdrefresh");
        var gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        String privateKey = DestinationConnectionTest.pem(gen.generateKeyPair());
        // a run of the key's base64 body: what a plaintext copy of the key would contain
        String keyBody = privateKey.split("\n")[3];
        List<String> secrets = List.of(s3Secret, sftpPassword, passphrase, odSecret, odRefresh, gdSecret, gdRefresh,
                keyBody);

        Map<String, Object> sftpWithPassword = Fixtures.sftp();
        sftpWithPassword.put("password", sftpPassword);
        Map<String, Object> sftpWithKey = Fixtures.sftp();
        sftpWithKey.remove("password");
        sftpWithKey.put("privateKey", privateKey);
        sftpWithKey.put("passphrase", passphrase);
        Map<String, Map<String, Object>> all = Map.of(
                "s3", Fixtures.s3(s3Secret),
                "sftp", sftpWithPassword,
                "sftp ", sftpWithKey,
                "onedrive", Fixtures.onedrive(odSecret, odRefresh),
                "gdrive", Fixtures.gdrive(gdSecret, gdRefresh));
        List<String> ids = new ArrayList<>();
        all.forEach((type, config) -> {
            ExtractableResponse<Response> r = as(org).body(body("Secret " + type.trim() + " " + ids.size(),
                    type.trim(), config)).post(PATH).then().statusCode(201).extract();
            responses.add(r.asString());
            ids.add(r.path("id"));
        });
        for (String id : ids) {
            responses.add(as(org).get(PATH + "/" + id).then().statusCode(200).extract().asString());
            responses.add(as(org).post(PATH + "/" + id + "/test").then().statusCode(200).extract().asString());
            // internal callers get them decrypted (not scanned: that is the point of the endpoint)
            given().auth().oauth2(TestTokens.service()).queryParam("orgId", org.toString())
                    .get("/internal/destinations/" + id).then().statusCode(200);
        }
        responses.add(as(org).get(PATH).then().statusCode(200).extract().asString());

        // the s3 destination failed its test: its event carries words, not the secret
        String s3Id = ids.get(new ArrayList<>(all.keySet()).indexOf("s3"));
        KafkaTestClient.Received failed = kafka.awaitRecord(Topics.DESTINATION, r -> r.data().contains(s3Id)
                && r.type().equals(EventTypes.typeOf(DestinationFailed.class)), Duration.ofSeconds(30));

        String dump = pgDump();
        assertThat(dump).as("the dump worked").contains("destination_type").contains("v1:k2:");
        for (String secret : secrets) {
            assertThat(dump).as("database dump").doesNotContain(secret);
            for (String response : responses) {
                assertThat(response).as("response").doesNotContain(secret);
            }
            assertThat(failed.data()).doesNotContain(secret);
            synchronized (LOG) {
                for (String line : LOG) {
                    assertThat(line).as("log line").doesNotContain(secret);
                }
            }
        }
        assertThat(responses).allSatisfy(r -> assertThat(r).doesNotContain("v1:k"));
    }

    static String pgDump() throws Exception {
        var c = ConfigProvider.getConfig();
        String port = c.getValue("ocore.test.postgres.port", String.class);
        String db = c.getValue("ocore.test.postgres.database", String.class);
        Process p = new ProcessBuilder(List.of(PostgresCluster.binaries().resolve("pg_dump").toString(),
                "-h", "127.0.0.1", "-p", port, "-U", PostgresCluster.SUPERUSER, "--no-password", db))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void internalEndpointsServeServiceTokensOnly() {
        UUID org = UUID.randomUUID();
        String id = create(org, "Drive", "onedrive", Fixtures.onedrive("client-secret", "refresh-1"));
        String internal = "/internal/destinations/" + id;

        given().queryParam("orgId", org.toString()).get(internal).then().statusCode(401);
        // a user token is no credential here, whatever it carries
        given().auth().oauth2(Fixtures.admin(org)).queryParam("orgId", org.toString()).get(internal).then()
                .statusCode(401).contentType("application/problem+json");
        given().auth().oauth2(TestTokens.of(org, Permissions.MANAGE_ORG_SETTINGS, Permissions.VIEW_ENVIRONMENTS,
                Permissions.MANAGE_ENVIRONMENTS)).queryParam("orgId", org.toString()).get(internal).then()
                .statusCode(401);

        String service = TestTokens.service();
        given().auth().oauth2(service).queryParam("orgId", org.toString()).get(internal).then().statusCode(200)
                .body("id", equalTo(id))
                .body("orgId", equalTo(org.toString()))
                .body("name", equalTo("Drive"))
                .body("destinationType", equalTo("onedrive"))
                .body("config.clientSecret", equalTo("client-secret"))
                .body("config.refreshToken", equalTo("refresh-1"))
                .body("config.folderPath", equalTo("Backups/odoo"));
        given().auth().oauth2(service).queryParam("orgId", UUID.randomUUID().toString()).get(internal).then()
                .statusCode(404);
        given().auth().oauth2(service).get(internal).then().statusCode(400)
                .body("errors[0].field", equalTo("orgId"));

        // a rotated refresh token reported by another service is stored sealed
        given().auth().oauth2(Fixtures.admin(org)).contentType("application/json")
                .queryParam("orgId", org.toString()).body(Map.of("refreshToken", "refresh-2"))
                .put(internal + "/refresh-token").then().statusCode(401);
        given().auth().oauth2(service).contentType("application/json").queryParam("orgId", org.toString())
                .body(Map.of("refreshToken", "refresh-2")).put(internal + "/refresh-token").then().statusCode(204);
        given().auth().oauth2(service).queryParam("orgId", org.toString()).get(internal).then()
                .body("config.refreshToken", equalTo("refresh-2"))
                .body("config.clientSecret", equalTo("client-secret"));
        as(org).get(PATH + "/" + id).then().body("config.refreshToken", equalTo("********"));

        String s3 = create(org, "S3", "s3", Fixtures.s3());
        given().auth().oauth2(service).contentType("application/json").queryParam("orgId", org.toString())
                .body(Map.of("refreshToken", "x")).put("/internal/destinations/" + s3 + "/refresh-token").then()
                .statusCode(400).body("errors[0].field", equalTo("refreshToken"));
    }

    @Test
    void valuesSealedByAPreviousMasterKeyAreReWrappedOnReadAndByTheAdminEndpoint() {
        String previousKey = ConfigProvider.getConfig().getValue("ocore.previous-master-keys.k1", String.class);
        EnvelopeCipher old = new EnvelopeCipher("k1", Map.of("k1", previousKey));
        UUID org = UUID.randomUUID();
        String lazy = create(org, "Lazy", "s3", Fixtures.s3("lazy-secret"));
        String eager1 = create(org, "Eager 1", "s3", Fixtures.s3("eager-secret-1"));
        String eager2 = create(org, "Eager 2", "s3", Fixtures.s3("eager-secret-2"));
        sealWithOldKey(old, lazy, "lazy-secret");
        sealWithOldKey(old, eager1, "eager-secret-1");
        sealWithOldKey(old, eager2, "eager-secret-2");

        // read through the internal endpoint: decrypts with the previous key, re-wraps under the active one
        given().auth().oauth2(TestTokens.service()).queryParam("orgId", org.toString())
                .get("/internal/destinations/" + lazy).then().statusCode(200)
                .body("config.secretAccessKey", equalTo("lazy-secret"));
        assertThat(sealed(lazy)).startsWith("v1:k2:");
        assertThat(sealed(eager1)).startsWith("v1:k1:");

        given().auth().oauth2(Fixtures.admin(org)).post("/internal/admin/rewrap-credentials").then().statusCode(401);
        given().auth().oauth2(TestTokens.service()).post("/internal/admin/rewrap-credentials").then().statusCode(200)
                .body("rewrapped", greaterThanOrEqualTo(2)).body("activeMasterKeyId", equalTo("k2"));
        assertThat(sealed(eager1)).startsWith("v1:k2:");
        assertThat(sealed(eager2)).startsWith("v1:k2:");
        DestinationApiTest.assertInternalSecret(org, eager2, "secretAccessKey", "eager-secret-2");
        given().auth().oauth2(TestTokens.service()).post("/internal/admin/rewrap-credentials").then().statusCode(200)
                .body("rewrapped", equalTo(0));
    }

    @Test
    void theRewrapEndpointMovesEverySecretToTheActiveKeyAndCountsWhatStillNeedsAnOlderOne() {
        String previousKey = ConfigProvider.getConfig().getValue("ocore.previous-master-keys.k1", String.class);
        String activeKey = ConfigProvider.getConfig().getValue("ocore.master-key", String.class);
        EnvelopeCipher old = new EnvelopeCipher("k1", Map.of("k1", previousKey));
        UUID org = UUID.randomUUID();
        String a = create(org, "Rotated A", "s3", Fixtures.s3("rotated-secret-a"));
        String b = create(org, "Rotated B", "s3", Fixtures.s3("rotated-secret-b"));
        String lost = create(org, "Lost key", "s3", Fixtures.s3("lost-secret"));
        sealWithOldKey(old, a, "rotated-secret-a");
        sealWithOldKey(old, b, "rotated-secret-b");
        // sealed by a key this service no longer has: reported, never overwritten
        String byUnknownKey = new EnvelopeCipher("k0", Map.of("k0", activeKey)).seal("{}", lost);
        Fixtures.sql("update destination set secrets_sealed = ? where id = ?", byUnknownKey, UUID.fromString(lost));
        try {
            given().post("/internal/admin/rewrap").then().statusCode(401);
            given().auth().oauth2(Fixtures.admin(org)).post("/internal/admin/rewrap").then().statusCode(401);

            given().auth().oauth2(TestTokens.service()).post("/internal/admin/rewrap").then().statusCode(200)
                    .body("rewrapped", greaterThanOrEqualTo(2)).body("failed", greaterThanOrEqualTo(1))
                    .body("remaining", greaterThanOrEqualTo(1)).body("activeMasterKeyId", equalTo("k2"));
            assertThat(sealed(lost)).isEqualTo(byUnknownKey);
            EnvelopeCipher onlyNew = new EnvelopeCipher("k2", Map.of("k2", activeKey));
            assertThat(onlyNew.openString(sealed(a), a)).contains("rotated-secret-a");
            assertThat(onlyNew.openString(sealed(b), b)).contains("rotated-secret-b");
        } finally {
            Fixtures.sql("delete from destination where id = ?", UUID.fromString(lost));
        }
        // once nothing is left under an older key, a re-run changes nothing and says so
        given().auth().oauth2(TestTokens.service()).post("/internal/admin/rewrap").then().statusCode(200)
                .body("rewrapped", equalTo(0)).body("remaining", equalTo(0)).body("failed", equalTo(0));
    }

    static void sealWithOldKey(EnvelopeCipher old, String id, String secret) {
        Fixtures.sql("update destination set secrets_sealed = ? where id = ?",
                old.seal("{\"secretAccessKey\":\"" + secret + "\"}", id), UUID.fromString(id));
    }

    static String sealed(String id) {
        return Fixtures.queryString("select secrets_sealed from destination where id = ?", UUID.fromString(id));
    }
}
