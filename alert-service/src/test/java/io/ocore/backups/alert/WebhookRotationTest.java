package io.ocore.backups.alert;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import com.sun.net.httpserver.HttpServer;
import io.ocore.backups.alert.webhook.WebhookSignature;
import io.ocore.backups.platform.events.v1.Events.BackupFailed;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code POST /internal/admin/rewrap}: webhook secrets sealed with k1 are signed with after k1 is gone. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
class WebhookRotationTest {

    static KafkaTestClient kafka;
    static HttpServer receiver;
    static final List<Map<String, String>> received = new CopyOnWriteArrayList<>();

    @Inject
    Pool pool;

    @BeforeAll
    static void start() throws Exception {
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/rotated", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(Map.of("body", body, "timestamp", exchange.getRequestHeaders().getFirst("X-Ocore-Timestamp"),
                    "signature", exchange.getRequestHeaders().getFirst("X-Ocore-Signature")));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stop() {
        receiver.stop(0);
        kafka.close();
    }

    @Test
    void webhookSecretsSealedWithThePreviousKeyMoveToTheActiveOne() {
        String k1 = ConfigProvider.getConfig().getValue("ocore.previous-master-keys.k1", String.class);
        String k2 = ConfigProvider.getConfig().getValue("ocore.master-key", String.class);
        EnvelopeCipher beforeRotation = new EnvelopeCipher("k1", Map.of("k1", k1));
        UUID org = UUID.randomUUID();
        String secret = "the-receivers-secret-before-rotation";
        String admin = TestTokens.of(org, Permissions.MANAGE_ORG_SETTINGS);
        String id = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/rotated", "secret", secret))
                .post("/api/backup-alerts/webhooks").then().statusCode(201).extract().path("id");
        pool.preparedQuery("update webhook set secret_sealed = $1 where id = $2")
                .execute(Tuple.of(beforeRotation.seal(secret, id), UUID.fromString(id))).await().indefinitely();

        given().post("/internal/admin/rewrap").then().statusCode(401);
        given().auth().oauth2(TestTokens.of(org, Permissions.MANAGE_ORG_SETTINGS, Permissions.MANAGE_ENVIRONMENTS,
                Permissions.VIEW_ENVIRONMENTS)).post("/internal/admin/rewrap").then().statusCode(401);
        given().auth().oauth2(TestTokens.service()).post("/internal/admin/rewrap").then().statusCode(200)
                .body("rewrapped", greaterThanOrEqualTo(1)).body("remaining", equalTo(0))
                .body("failed", equalTo(0)).body("activeMasterKeyId", equalTo("k2"));
        given().auth().oauth2(TestTokens.service()).post("/internal/admin/rewrap").then().statusCode(200)
                .body("rewrapped", equalTo(0)).body("remaining", equalTo(0));

        String sealed = pool.preparedQuery("select secret_sealed from webhook where id = $1")
                .execute(Tuple.of(UUID.fromString(id))).await().indefinitely().iterator().next().getString(0);
        assertThat(new EnvelopeCipher("k2", Map.of("k2", k2)).openString(sealed, id)).isEqualTo(secret);

        // deliveries are still signed with the receiver's secret
        received.clear();
        kafka.publish(new BackupFailed(org, UUID.randomUUID(), UUID.randomUUID(), "full", "scheduled", "k",
                "disk full", Instant.now()));
        await().atMost(Duration.ofSeconds(30)).until(() -> !received.isEmpty());
        Map<String, String> r = received.getFirst();
        assertThat(WebhookSignature.verify(secret, Long.parseLong(r.get("timestamp")), r.get("body"),
                r.get("signature"))).isTrue();
    }
}
