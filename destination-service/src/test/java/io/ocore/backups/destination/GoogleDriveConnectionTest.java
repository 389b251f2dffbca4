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

import io.ocore.backups.platform.events.EventTypes;
import io.ocore.backups.platform.events.OcoreEvent;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.events.v1.Events.DestinationFailed;
import io.ocore.backups.platform.events.v1.Events.DestinationRecovered;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Test Connection of a Google Drive destination through the REST API against a local server
 * speaking Drive v3 and Google's OAuth token endpoint ({@code FakeDriveServer}).
 *
 * <p>The fake sets the same properties ({@code ocore.destinations.drive-base-url},
 * {@code google-token-url}) as the module's global, token-only {@link FakeGoogleResource}, so this
 * class runs under its own profile that disables the global resources and starts only its own
 * (Quarkus restarts the application for it).
 */
@QuarkusTest
@TestProfile(GoogleDriveConnectionTest.DriveProfile.class)
class GoogleDriveConnectionTest {

    /** The service's Google is the fake Drive, and only it: no global test resource competes for its URLs. */
    public static class DriveProfile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(PostgresTestResource.class),
                    new TestResourceEntry(KafkaTestResource.class),
                    new TestResourceEntry(JwtTestResource.class),
                    new TestResourceEntry(DriveResource.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    /** What {@code Probe} writes: this text followed by the probe object's name. */
    static final String PROBE_TEXT = "oCore Backups destination probe ";

    static KafkaTestClient kafka;

    @BeforeAll
    static void kafka() {
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    static Map<String, Object> config(String clientSecret, String refreshToken, String folderId) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("clientId", DriveResource.CLIENT_ID);
        c.put("clientSecret", clientSecret);
        c.put("refreshToken", refreshToken);
        c.put("folderId", folderId);
        return c;
    }

    static Response test(UUID org, String id) {
        return as(org).post(PATH + "/" + id + "/test").then().statusCode(200).extract().response();
    }

    @Test
    void aDriveDestinationWithValidCredentialsPassesAndTheProbeIsUploadedAndDeleted() {
        // the service really talks to the fake Drive (not to the token-only fake of the other tests)
        assertThat(cfg("ocore.destinations.drive-base-url")).isEqualTo(DriveResource.drive.baseUrl().toString());
        assertThat(cfg("ocore.destinations.google-token-url")).isEqualTo(DriveResource.drive.tokenUrl().toString());

        UUID org = UUID.randomUUID();
        String folderId = DriveResource.drive.createFolder("oCore Backups " + org, "root");
        String id = create(org, "Google Drive", "gdrive",
                config(DriveResource.CLIENT_SECRET, DriveResource.REFRESH_TOKEN, folderId));
        int grants = DriveResource.drive.oauth.grants();
        Set<Path> uploadsBefore = completedUploads();

        Response result = test(org, id);
        result.then().body("ok", equalTo(true)).body("latencyMs", greaterThanOrEqualTo(0))
                .body("error", nullValue()).body("failureKind", nullValue()).body("testedAt", notNullValue());
        Instant testedAt = Instant.parse(result.path("testedAt"));

        // what the fake Drive saw: one refresh-token grant, one complete upload of the probe, then its delete
        assertThat(DriveResource.drive.oauth.grants()).isEqualTo(grants + 1);
        List<Path> uploads = completedUploads().stream().filter(p -> !uploadsBefore.contains(p)).toList();
        assertThat(uploads).hasSize(1);
        String payload = read(uploads.get(0));
        assertThat(payload).startsWith(PROBE_TEXT + ".ocore-probe-");
        String probeName = payload.substring(PROBE_TEXT.length());
        assertThat(DriveResource.drive.idsNamed(probeName)).as("the probe file is deleted again").isEmpty();

        // what the user sees
        as(org).get(PATH + "/" + id).then().statusCode(200)
                .body("isVerified", equalTo(true))
                .body("lastTestedAt", notNullValue())
                .body("$", not(hasKey("lastError")))
                .body("config.folderId", equalTo(folderId))
                .body("config.clientSecret", equalTo("********"))
                .body("config.refreshToken", equalTo("********"));
        String lastTestedAt = as(org).get(PATH + "/" + id).then().extract().path("lastTestedAt");
        assertThat(Instant.parse(lastTestedAt)).isEqualTo(testedAt);
        assertThat(outboxCount(id, DestinationFailed.class)).isZero();
    }

    @Test
    void aRevokedRefreshTokenFailsInPlainWordsWithoutSecretsAndTheDestinationShowsFailingUntilReconnected() {
        UUID org = UUID.randomUUID();
        String revoked = "1//0revoked-refresh-token-" + UUID.randomUUID();
        String id = create(org, "Google Drive, revoked", "gdrive",
                config(DriveResource.CLIENT_SECRET, revoked, "root"));
        int grants = DriveResource.drive.oauth.grants();
        Set<Path> uploadsBefore = completedUploads();

        Response result = test(org, id);
        result.then().body("ok", equalTo(false)).body("failureKind", equalTo("AUTHENTICATION"))
                .body("latencyMs", greaterThanOrEqualTo(0)).body("testedAt", notNullValue());
        String error = result.path("error");
        assertThat(error).contains("Google rejected the refresh token").contains("expired or was revoked")
                .contains("Connect the destination again");
        assertNoSecret(result.asString(), revoked);
        Instant testedAt = Instant.parse(result.path("testedAt"));
        // refused at the token endpoint: nothing reached the Drive
        assertThat(DriveResource.drive.oauth.grants()).isEqualTo(grants);
        assertThat(completedUploads()).isEqualTo(uploadsBefore);

        // the destination shows it, without secrets
        Response view = as(org).get(PATH + "/" + id).then().statusCode(200)
                .body("isVerified", equalTo(false))
                .body("lastError", equalTo(error))
                .body("config.clientSecret", equalTo("********"))
                .body("config.refreshToken", equalTo("********"))
                .extract().response();
        assertThat(Instant.parse(view.path("lastTestedAt"))).isEqualTo(testedAt);
        assertNoSecret(view.asString(), revoked);

        // it turned failing: one DestinationFailed (alert-service raises destination_unreachable from it)
        assertThat(outboxCount(id, DestinationFailed.class)).isEqualTo(1);
        KafkaTestClient.Received failed = kafka.awaitRecord(Topics.DESTINATION,
                r -> r.data().contains(id) && r.type().equals(EventTypes.typeOf(DestinationFailed.class)),
                Duration.ofSeconds(30));
        DestinationFailed event = failed.as(DestinationFailed.class);
        assertThat(event.destinationId()).hasToString(id);
        assertThat(event.orgId()).isEqualTo(org);
        assertThat(event.failureKind()).isEqualTo("AUTHENTICATION");
        assertThat(event.message()).isEqualTo(error);
        assertNoSecret(failed.data(), revoked);

        // failing again publishes nothing more
        test(org, id).then().body("ok", equalTo(false)).body("failureKind", equalTo("AUTHENTICATION"));
        assertThat(outboxCount(id, DestinationFailed.class)).isEqualTo(1);

        // reconnected: a fresh refresh token (the client secret sent back masked is kept)
        as(org).body(body("Google Drive, revoked", "gdrive", config("********", DriveResource.REFRESH_TOKEN, "root")))
                .put(PATH + "/" + id).then().statusCode(200);
        test(org, id).then().body("ok", equalTo(true));
        as(org).get(PATH + "/" + id).then().body("isVerified", equalTo(true)).body("$", not(hasKey("lastError")));
        assertThat(outboxCount(id, DestinationRecovered.class)).isEqualTo(1);
        kafka.awaitRecord(Topics.DESTINATION,
                r -> r.data().contains(id) && r.type().equals(EventTypes.typeOf(DestinationRecovered.class)),
                Duration.ofSeconds(30));
    }

    @Test
    void aWrongClientSecretIsAnAuthenticationFailureThatNamesTheClientCredentials() {
        UUID org = UUID.randomUUID();
        String wrongSecret = "GOCSPX-not-the-secret-" + UUID.randomUUID();
        String id = create(org, "Google Drive, wrong secret", "gdrive",
                config(wrongSecret, DriveResource.REFRESH_TOKEN, "root"));
        Response result = test(org, id);
        result.then().body("ok", equalTo(false)).body("failureKind", equalTo("AUTHENTICATION"))
                .body("error", containsString("client ID or client secret"));
        assertThat(result.asString()).doesNotContain(wrongSecret).doesNotContain(DriveResource.REFRESH_TOKEN);
        as(org).get(PATH + "/" + id).then().body("isVerified", equalTo(false))
                .body("lastError", equalTo(result.path("error")));
    }

    private static void assertNoSecret(String text, String refreshToken) {
        assertThat(text).doesNotContain(refreshToken).doesNotContain(DriveResource.CLIENT_SECRET)
                .doesNotContain(DriveResource.REFRESH_TOKEN);
    }

    /**
     * The fake keeps the content of every completed upload as a file in its storage folder, also
     * after the Drive file is deleted: the probes it received, whole.
     */
    private static Set<Path> completedUploads() {
        try (Stream<Path> files = Files.list(DriveResource.storage)) {
            return files.filter(p -> p.getFileName().toString().startsWith("content-")).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int outboxCount(String destinationId, Class<? extends OcoreEvent> type) {
        return Integer.parseInt(Fixtures.queryString(
                "select count(*) from outbox_event where event_type = ? and payload like ?",
                EventTypes.typeOf(type), "%" + destinationId + "%"));
    }
}
