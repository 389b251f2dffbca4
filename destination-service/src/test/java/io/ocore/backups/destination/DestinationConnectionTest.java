package io.ocore.backups.destination;

import static io.ocore.backups.destination.Fixtures.PATH;
import static io.ocore.backups.destination.Fixtures.as;
import static io.ocore.backups.destination.Fixtures.body;
import static io.ocore.backups.destination.Fixtures.cfg;
import static io.ocore.backups.destination.Fixtures.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.ocore.backups.destination.destination.health.HealthMonitor;
import io.ocore.backups.platform.events.EventTypes;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events.DestinationFailed;
import io.ocore.backups.platform.events.v1.Events.DestinationRecovered;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.ocore.backups.platform.testing.s3.S3TestResource;
import io.ocore.backups.platform.testing.sftp.SftpTestResource;
import io.ocore.backups.platform.testing.sftp.SftpTestServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Test Connection against real servers, health transitions and their events, the health monitor. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(S3TestResource.class)
@QuarkusTestResource(SftpTestResource.class)
@QuarkusTestResource(FakeGoogleResource.class)
class DestinationConnectionTest {

    static KafkaTestClient kafka;

    @Inject
    HealthMonitor monitor;

    @BeforeAll
    static void kafka() {
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    static io.restassured.response.ValidatableResponse test(UUID org, String id) {
        return as(org).post(PATH + "/" + id + "/test").then().statusCode(200);
    }

    @Test
    void s3LocalAndSftpPassAndAreMarkedVerified() {
        UUID org = UUID.randomUUID();
        for (String[] d : List.of(new String[] {"s3", "S3"}, new String[] {"s3_compatible", "MinIO"},
                new String[] {"local", "Disk"}, new String[] {"sftp", "SFTP"})) {
            Map<String, Object> config = switch (d[0]) {
                case "local" -> Fixtures.local();
                case "sftp" -> Fixtures.sftp();
                default -> Fixtures.s3();
            };
            String id = create(org, d[1], d[0], config);
            test(org, id).body("ok", equalTo(true)).body("latencyMs", greaterThanOrEqualTo(0))
                    .body("error", nullValue()).body("testedAt", notNullValue());
            as(org).get(PATH + "/" + id).then().body("isVerified", equalTo(true))
                    .body("lastTestedAt", notNullValue()).body("$", not(hasKey("lastError")));
        }
    }

    @io.quarkus.test.common.http.TestHTTPResource(value = "/metrics", management = true)
    java.net.URL metrics;

    @Test
    void wrongCredentialsAreAClearFailureWithoutTheSecret() {
        UUID org = UUID.randomUUID();
        double s3FailuresBefore = io.ocore.backups.platform.testing.Metrics.sample(metrics,
                "ocore_destination_test_failures_total", "destination_type=\"s3\"");
        String secret = "wrong-secret-" + UUID.randomUUID();
        String id = create(org, "Wrong key", "s3", Fixtures.s3(secret));
        String error = test(org, id).body("ok", equalTo(false)).body("failureKind", equalTo("AUTHENTICATION"))
                .body("testedAt", notNullValue()).extract().path("error");
        assertThat(error).isNotBlank().doesNotContain(secret);
        as(org).get(PATH + "/" + id).then().body("isVerified", equalTo(false)).body("lastTestedAt", notNullValue())
                .body("lastError", equalTo(error));
        // counted for operators (Prometheus), by type
        assertThat(io.ocore.backups.platform.testing.Metrics.sample(metrics, "ocore_destination_test_failures_total",
                "destination_type=\"s3\"")).isGreaterThan(s3FailuresBefore); // the health monitor may test one too

        Map<String, Object> sftp = Fixtures.sftp();
        sftp.put("password", "not-the-password-" + UUID.randomUUID());
        String sftpId = create(org, "Wrong password", "sftp", sftp);
        String sftpError = test(org, sftpId).body("ok", equalTo(false)).body("failureKind", equalTo("AUTHENTICATION"))
                .extract().path("error");
        assertThat(sftpError).doesNotContain(sftp.get("password").toString());
    }

    @Test
    void theSftpHostKeyIsPinnedOnTheFirstSuccessfulTestAndAnotherKeyIsRefused() {
        UUID org = UUID.randomUUID();
        Map<String, Object> config = Fixtures.sftp();
        String id = create(org, "Pinned", "sftp", config);
        as(org).get(PATH + "/" + id).then().body("config", not(hasKey("hostKeyFingerprint")));
        test(org, id).body("ok", equalTo(true));
        String pinned = cfg("ocore.test.sftp.host-key-fingerprint");
        as(org).get(PATH + "/" + id).then().body("config.hostKeyFingerprint", equalTo(pinned))
                .body("config.password", equalTo("********"));
        test(org, id).body("ok", equalTo(true)); // the pinned key still matches

        // another key pinned (as if the server had been replaced): refused, and nothing learned
        byte[] other = new byte[32];
        new java.security.SecureRandom().nextBytes(other);
        String otherFingerprint = "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(other);
        config.put("hostKeyFingerprint", otherFingerprint);
        config.put("password", "********");
        // another pinned key lets another server answer: the password must come with it
        as(org).body(body("Pinned", "sftp", config)).put(PATH + "/" + id).then().statusCode(400)
                .body("errors[0].field", equalTo("config.password"))
                .body("errors[0].message", equalTo("must be sent again when hostKeyFingerprint changes"));
        config.put("password", cfg("ocore.test.sftp.password"));
        as(org).body(body("Pinned", "sftp", config)).put(PATH + "/" + id).then().statusCode(200)
                .body("isVerified", equalTo(false));
        test(org, id).body("ok", equalTo(false)).body("failureKind", equalTo("HOST_KEY_MISMATCH"))
                .body("error", containsString("host key"));
        as(org).get(PATH + "/" + id).then().body("config.hostKeyFingerprint", equalTo(otherFingerprint))
                .body("isVerified", equalTo(false));
    }

    @Test
    void sftpLogsInWithAPrivateKey() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair pair = gen.generateKeyPair();
        Path root = Files.createTempDirectory("ocore-sftp-key-");
        try (SftpTestServer server = new SftpTestServer(root).authorize(pair.getPublic()).start()) {
            UUID org = UUID.randomUUID();
            Map<String, Object> config = new java.util.LinkedHashMap<>(Map.of("host", server.host(),
                    "port", server.port(), "username", server.username(), "privateKey", pem(pair), "path", "/"));
            String id = create(org, "Key login", "sftp", config);
            as(org).get(PATH + "/" + id).then().body("config.privateKey", equalTo("********"));
            test(org, id).body("ok", equalTo(true));
        }
    }

    static String pem(KeyPair pair) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    @Test
    void eventsFireExactlyWhenADestinationTurnsFailingAndWhenItRecovers() {
        UUID org = UUID.randomUUID();
        Map<String, Object> wrong = Fixtures.s3("wrong-" + UUID.randomUUID());
        String id = create(org, "Flaky", "s3", wrong);

        test(org, id).body("ok", equalTo(false));
        test(org, id).body("ok", equalTo(false)); // still failing: no second event
        assertThat(outboxCount(id, DestinationFailed.class)).isEqualTo(1);

        KafkaTestClient.Received failed = kafka.awaitRecord(Topics.DESTINATION,
                r -> r.data().contains(id) && r.type().equals(EventTypes.typeOf(DestinationFailed.class)),
                Duration.ofSeconds(30));
        DestinationFailed event = failed.as(DestinationFailed.class);
        assertThat(event.orgId()).isEqualTo(org);
        assertThat(event.destinationName()).isEqualTo("Flaky");
        assertThat(event.failureKind()).isEqualTo("AUTHENTICATION");
        assertThat(event.message()).isNotBlank().doesNotContain(wrong.get("secretAccessKey").toString());

        Map<String, Object> fixed = Fixtures.s3();
        fixed.put("pathPrefix", wrong.get("pathPrefix"));
        as(org).body(body("Flaky", "s3", fixed)).put(PATH + "/" + id).then().statusCode(200);
        test(org, id).body("ok", equalTo(true));
        test(org, id).body("ok", equalTo(true)); // still fine: no second event
        KafkaTestClient.Received recovered = kafka.awaitRecord(Topics.DESTINATION,
                r -> r.data().contains(id) && r.type().equals(EventTypes.typeOf(DestinationRecovered.class)),
                Duration.ofSeconds(30));
        assertThat(recovered.as(DestinationRecovered.class).destinationId()).hasToString(id);
        assertThat(outboxCount(id, DestinationFailed.class)).isEqualTo(1);
        assertThat(outboxCount(id, DestinationRecovered.class)).isEqualTo(1);

        // a destination that passes from its first test never "recovers"
        String healthy = create(org, "Healthy", "local", Fixtures.local());
        test(org, healthy).body("ok", equalTo(true));
        assertThat(outboxCount(healthy, DestinationRecovered.class)).isZero();
    }

    @Test
    void aRefreshTokenTheProviderRotatesWhileTestingIsStoredSealed() {
        UUID org = UUID.randomUUID();
        String id = create(org, "Drive", "gdrive", Fixtures.gdrive("client-secret", "good-refresh-token"));
        test(org, id).body("ok", equalTo(false)); // the fake Drive refuses everything after signing in
        String rotated = internalConfig(org, id).get("refreshToken").toString();
        assertThat(rotated).startsWith("rotated-");
        assertThat(Fixtures.queryString("select secrets_sealed from destination where id = ?", UUID.fromString(id)))
                .doesNotContain(rotated);
        as(org).get(PATH + "/" + id).then().body("config.refreshToken", equalTo("********"));

        // the next use signs in with the stored token and stores the next one
        test(org, id);
        assertThat(internalConfig(org, id).get("refreshToken").toString()).startsWith("rotated-").isNotEqualTo(rotated);

        String revoked = create(org, "Revoked", "gdrive", Fixtures.gdrive("client-secret", "revoked-token"));
        test(org, revoked).body("ok", equalTo(false)).body("failureKind", equalTo("AUTHENTICATION"))
                .body("error", containsString("refresh token"));
        assertThat(internalConfig(org, revoked).get("refreshToken")).isEqualTo("revoked-token");
    }

    static Map<String, Object> internalConfig(UUID org, String id) {
        return io.restassured.RestAssured.given().auth().oauth2(io.ocore.backups.platform.testing.TestTokens.service())
                .queryParam("orgId", org.toString()).get("/internal/destinations/" + id).then().statusCode(200)
                .extract().path("config");
    }

    @Test
    void theGuardAppliesAgainAtTestTime() {
        UUID org = UUID.randomUUID();
        String id = create(org, "Was fine", "s3_compatible", Fixtures.s3());
        // as if the stored endpoint had been accepted under a laxer operator setting
        Fixtures.sql("update destination set config = jsonb_set(config, '{endpoint}', '\"http://169.254.169.254\"') "
                + "where id = ?", UUID.fromString(id));
        test(org, id).body("ok", equalTo(false)).body("failureKind", equalTo("PERMANENT"))
                .body("error", containsString("endpoint"));
    }

    @Test
    void theHealthMonitorRetestsDueDestinationsWithTheSameTransitions() throws Exception {
        UUID org = UUID.randomUUID();
        Map<String, Object> brokenConfig = Fixtures.local();
        Path folder = Path.of(brokenConfig.get("path").toString());
        Files.delete(folder);
        Files.writeString(folder, "a file where the folder should be");
        String broken = create(org, "Broken disk", "local", brokenConfig);
        String fine = create(org, "Fine disk", "local", Fixtures.local());
        // only these two are due; other tests' destinations wait
        Fixtures.sql("update destination set next_check_at = now() + interval '1 day' where org_id <> ?", org);

        assertThat(monitor.checkDue().await().atMost(Duration.ofSeconds(60))).isEqualTo(2);
        as(org).get(PATH + "/" + broken).then().body("isVerified", equalTo(false)).body("lastError", notNullValue());
        as(org).get(PATH + "/" + fine).then().body("isVerified", equalTo(true));
        assertThat(outboxCount(broken, DestinationFailed.class)).isEqualTo(1);
        kafka.awaitRecord(Topics.DESTINATION, r -> r.data().contains(broken)
                && r.type().equals(EventTypes.typeOf(DestinationFailed.class)), Duration.ofSeconds(30));

        // claimed destinations moved on by one interval: nothing is due now
        assertThat(monitor.claim().await().atMost(Duration.ofSeconds(10))).isEmpty();

        Files.delete(folder);
        Files.createDirectories(folder);
        Fixtures.sql("update destination set next_check_at = now() - interval '1 second' where org_id = ?", org);
        assertThat(monitor.checkDue().await().atMost(Duration.ofSeconds(60))).isEqualTo(2);
        as(org).get(PATH + "/" + broken).then().body("isVerified", equalTo(true));
        assertThat(outboxCount(broken, DestinationRecovered.class)).isEqualTo(1);
        assertThat(outboxCount(fine, DestinationFailed.class) + outboxCount(fine, DestinationRecovered.class)).isZero();
    }

    static int outboxCount(String destinationId, Class<? extends io.ocore.backups.platform.events.OcoreEvent> type) {
        return Integer.parseInt(Fixtures.queryString(
                "select count(*) from outbox_event where event_type = ? and payload like ?",
                EventTypes.typeOf(type), "%" + destinationId + "%"));
    }
}
