package io.ocore.backups.alert;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.ocore.backups.alert.webhook.WebhookResolver;
import io.ocore.backups.alert.webhook.WebhookSignature;
import io.ocore.backups.platform.events.v1.Events.BackupFailed;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Signed webhook deliveries to a real HTTP receiver, retried after a failure, with a delivery log. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
class WebhookTest {

    record Received(Map<String, String> headers, String body) {
    }

    static KafkaTestClient kafka;
    static HttpServer receiver;
    static final List<Received> received = new CopyOnWriteArrayList<>();
    static final AtomicInteger failuresLeft = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> headers = new java.util.HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
            received.add(new Received(headers, body));
            int status = failuresLeft.getAndDecrement() > 0 ? 500 : 204;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stop() {
        receiver.stop(0);
        kafka.close();
    }

    static String admin(UUID org) {
        return TestTokens.of(org, Permissions.MANAGE_ORG_SETTINGS);
    }

    @Test
    void aFailedDeliveryIsRetriedAndEveryAttemptIsSignedAndLogged() throws Exception {
        UUID org = UUID.randomUUID();
        String secret = "a-shared-secret-of-the-receiver";
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        String webhookId = given().auth().oauth2(admin(org)).contentType(ContentType.JSON)
                .body(Map.of("url", url, "secret", secret))
                .post("/api/backup-alerts/webhooks").then().statusCode(201)
                .body("url", equalTo(url)).body("secret", equalTo(secret))
                .extract().path("id");
        given().auth().oauth2(admin(org)).get("/api/backup-alerts/webhooks").then()
                .body("items", hasSize(1)).body("items[0].secret", nullValue());

        received.clear();
        failuresLeft.set(1);
        UUID backup = UUID.randomUUID();
        kafka.publish(new BackupFailed(org, UUID.randomUUID(), backup, "full", "scheduled", "k", "disk full", Instant.now()));

        await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= 2);
        Received first = received.get(0);
        Received second = received.get(1);
        assertThat(first.headers().get("x-ocore-delivery")).isEqualTo(second.headers().get("x-ocore-delivery"));
        assertThat(first.headers().get("x-ocore-attempt")).isEqualTo("1");
        // nothing of the system's traces leaves it
        assertThat(first.headers()).doesNotContainKeys("traceparent", "tracestate", "baggage");
        assertThat(second.headers().get("x-ocore-attempt")).isEqualTo("2");
        for (Received r : List.of(first, second)) {
            long ts = Long.parseLong(r.headers().get("x-ocore-timestamp"));
            assertThat(WebhookSignature.verify(secret, ts, r.body(), r.headers().get("x-ocore-signature"))).isTrue();
            assertThat(WebhookSignature.verify("another-secret-entirely", ts, r.body(),
                    r.headers().get("x-ocore-signature"))).isFalse();
        }
        JsonNode body = new ObjectMapper().readTree(second.body());
        assertThat(body.path("event").asText()).isEqualTo("alert.raised");
        assertThat(body.path("alert").path("alertType").asText()).isEqualTo("backup_failed");
        assertThat(body.path("alert").path("backupId").asText()).isEqualTo(backup.toString());

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().auth().oauth2(admin(org))
                .get("/api/backup-alerts/webhooks/{id}/deliveries", webhookId).then().statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].status", equalTo("delivered"))
                .body("items[0].attempts", equalTo(2))
                .body("items[0].lastStatus", equalTo(204)));
    }

    @Test
    void webhooksAreAnOrganisationSettingAndRefuseMetadataAddresses() {
        UUID org = UUID.randomUUID();
        given().auth().oauth2(admin(org)).contentType(ContentType.JSON)
                .body(Map.of("url", "http://169.254.169.254/latest/meta-data/"))
                .post("/api/backup-alerts/webhooks").then().statusCode(400)
                .body("errors[0].field", equalTo("url"));
        given().auth().oauth2(admin(org)).contentType(ContentType.JSON).body(Map.of("url", "ftp://example.org/x"))
                .post("/api/backup-alerts/webhooks").then().statusCode(400).body("errors[0].field", equalTo("url"));
        given().auth().oauth2(admin(org)).contentType(ContentType.JSON).body(Map.of("url", "http://127.0.0.1:9/x", "x", 1))
                .post("/api/backup-alerts/webhooks").then().statusCode(400).body("errors[0].field", equalTo("x"));
        given().auth().oauth2(TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS))
                .get("/api/backup-alerts/webhooks").then().statusCode(403);

        String id = given().auth().oauth2(admin(org)).contentType(ContentType.JSON)
                .body(Map.of("url", "http://127.0.0.1:9/hook")).post("/api/backup-alerts/webhooks").then()
                .statusCode(201).body("secret", startsWith("whsec_")).extract().path("id");
        given().auth().oauth2(admin(UUID.randomUUID())).get("/api/backup-alerts/webhooks/{id}/deliveries", id).then()
                .statusCode(404);
        given().auth().oauth2(admin(UUID.randomUUID())).delete("/api/backup-alerts/webhooks/{id}", id).then()
                .statusCode(404);
        given().auth().oauth2(admin(org)).delete("/api/backup-alerts/webhooks/{id}", id).then().statusCode(204);
    }

    /** A DNS stand-in: each name answers its scripted addresses in turn, the last one repeating. */
    @jakarta.enterprise.inject.Vetoed
    static final class ScriptedResolver extends WebhookResolver {
        final Map<String, List<String>> answers = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<String, AtomicInteger> lookups = new java.util.concurrent.ConcurrentHashMap<>();

        ScriptedResolver answer(String host, String... addresses) {
            answers.put(host, List.of(addresses));
            return this;
        }

        int lookups(String host) {
            return lookups.getOrDefault(host, new AtomicInteger()).get();
        }

        @Override
        public java.net.InetAddress[] resolve(String host) throws java.net.UnknownHostException {
            int n = lookups.computeIfAbsent(host, h -> new AtomicInteger()).getAndIncrement();
            List<String> script = answers.get(host);
            if (script == null) {
                throw new java.net.UnknownHostException(host);
            }
            return new java.net.InetAddress[] {java.net.InetAddress.getByName(script.get(Math.min(n, script.size() - 1)))};
        }
    }

    static List<Received> receivedFor(UUID org) {
        return received.stream().filter(r -> r.body().contains(org.toString())).toList();
    }

    @Test
    void aDeliveryGoesToTheAddressItsAttemptResolvedAndKeepsTheHostName() {
        // a name only this resolver knows: a client resolving it again by itself would fail
        ScriptedResolver dns = new ScriptedResolver().answer("hooks.example.test", "127.0.0.1");
        QuarkusMock.installMockForType(dns, WebhookResolver.class);
        UUID org = UUID.randomUUID();
        int port = receiver.getAddress().getPort();
        String url = "http://hooks.example.test:" + port + "/hook";
        String webhookId = given().auth().oauth2(admin(org)).contentType(ContentType.JSON).body(Map.of("url", url))
                .post("/api/backup-alerts/webhooks").then().statusCode(201).extract().path("id");
        failuresLeft.set(0);
        kafka.publish(new BackupFailed(org, UUID.randomUUID(), UUID.randomUUID(), "full", "scheduled", "k", "disk full",
                Instant.now()));

        await().atMost(Duration.ofSeconds(30)).until(() -> !receivedFor(org).isEmpty());
        assertThat(receivedFor(org).get(0).headers().get("host")).isEqualTo("hooks.example.test:" + port);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().auth().oauth2(admin(org))
                .get("/api/backup-alerts/webhooks/{id}/deliveries", webhookId).then()
                .body("items[0].status", equalTo("delivered")));
        // one lookup to register it, one for the attempt: the connection used the attempt's answer
        assertThat(dns.lookups("hooks.example.test")).isEqualTo(2);
    }

    @Test
    void aNameThatRebindsToALinkLocalAddressIsRefusedWhenDelivering() {
        // the receiver's address while the webhook is registered, the metadata address afterwards
        ScriptedResolver dns = new ScriptedResolver().answer("rebind.example.test", "127.0.0.1", "169.254.169.254");
        QuarkusMock.installMockForType(dns, WebhookResolver.class);
        UUID org = UUID.randomUUID();
        String url = "http://rebind.example.test:" + receiver.getAddress().getPort() + "/hook";
        String webhookId = given().auth().oauth2(admin(org)).contentType(ContentType.JSON).body(Map.of("url", url))
                .post("/api/backup-alerts/webhooks").then().statusCode(201).extract().path("id");
        kafka.publish(new BackupFailed(org, UUID.randomUUID(), UUID.randomUUID(), "full", "scheduled", "k", "disk full",
                Instant.now()));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(admin(org))
                .get("/api/backup-alerts/webhooks/{id}/deliveries", webhookId).then().statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].attempts", greaterThanOrEqualTo(1))
                .body("items[0].lastError", containsString("link-local")));
        assertThat(receivedFor(org)).isEmpty();
    }

    @Test
    void linkLocalMetadataAndUnresolvableUrlsAreRefused() {
        UUID org = UUID.randomUUID();
        for (String url : List.of("http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/",
                "http://[fe80::1]:8080/hook", "http://metadata.google.internal/computeMetadata/v1/",
                "http://no-such-host.invalid/hook")) {
            given().auth().oauth2(admin(org)).contentType(ContentType.JSON).body(Map.of("url", url))
                    .post("/api/backup-alerts/webhooks").then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("errors[0].field", equalTo("url"));
        }
        given().auth().oauth2(admin(org)).contentType(ContentType.JSON).body(Map.of("url", "http://no-such-host.invalid/"))
                .post("/api/backup-alerts/webhooks").then().statusCode(400)
                .body("errors[0].message", equalTo("does not resolve"));
        given().auth().oauth2(admin(org)).get("/api/backup-alerts/webhooks").then().body("items", hasSize(0));
    }
}
