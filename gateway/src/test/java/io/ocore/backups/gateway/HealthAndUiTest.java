package io.ocore.backups.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import io.ocore.backups.gateway.support.Upstreams;
import io.ocore.backups.gateway.support.UpstreamsResource;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import java.net.URL;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(UpstreamsResource.class)
class HealthAndUiTest {

    private static final String TOKEN = TestTokens.of(UUID.randomUUID(), "view:environments");

    // Relative to the management root path, /q.
    @TestHTTPResource(value = "/metrics", management = true)
    URL managementMetrics;

    @TestHTTPResource(value = "/health", management = true)
    URL managementHealth;

    @Test
    void theSummaryHealthAsksEachServicesManagementInterfaceAndTellsOnlyUpOrDown() {
        Upstreams.clearReceived();
        String body = given().get("/health").then().statusCode(200).contentType("application/json")
                .body("status", equalTo("UP")).extract().asString();
        // The whole system's status, nothing about the services: no names, checks or versions.
        assertThat(new JsonObject(body).fieldNames()).containsExactly("status");
        assertThat(Upstreams.received()).extracting(r -> r.getString("service") + " " + r.getString("uri"))
                .containsExactlyInAnyOrderElementsOf(UpstreamsResource.SERVICES.stream()
                        .map(service -> service + "-management /q/health").toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/health/backup", "/health/backup/ready", "/health/billing", "/health/wal/live"})
    void theServicesDetailedHealthIsNotReachableThroughThePublicPort(String path) {
        Upstreams.clearReceived();
        given().get(path).then().statusCode(404);
        assertThat(Upstreams.received()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/q/metrics", "/q/health", "/q/health/ready", "/q/health/live", "/q/health/started"})
    void thePublicPortServesNoManagementEndpoint(String path) {
        given().get(path).then().statusCode(404);
    }

    @Test
    void theGatewaysOwnHealthIsUpOnItsManagementPort() {
        given().get(managementHealth + "/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get(managementHealth + "/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metricsOnTheManagementPortCountRequestsPerService() {
        given().header("Authorization", "Bearer " + TOKEN).get("/api/backups/some-id").then().statusCode(200);
        given().get(managementMetrics).then().statusCode(200)
                .body(containsString("ocore_gateway_requests_seconds_count{service=\"backup\",status=\"200\"}"));
    }

    @Test
    void aggregatesTheServicesOpenApiDocuments() {
        String document = given().get("/q/openapi").then().statusCode(200).contentType("application/json")
                .body("info.title", equalTo("oCore Backups API"))
                .body("paths", hasKey("/api/backup-destinations"))
                .body("paths", hasKey("/api/environments/{envId}/backups"))
                .body("paths", hasKey("/api/backups/{backupId}/verify"))
                .body("paths", hasKey("/api/verifications/{verificationId}"))
                .body("paths", not(hasKey("/internal/destinations/{destId}/credentials")))
                .body("components.schemas", hasKey("Problem"))
                .body("components.schemas", hasKey("Status"))
                .body("components.schemas", hasKey("destination_Status"))
                .body("x-unavailable-services.size()", equalTo(0))
                .extract().asString();

        JsonObject merged = new JsonObject(document);
        // Each path comes from the service the gateway routes it to, not another that documents it.
        assertThat(merged.getJsonObject("paths").getJsonObject("/api/backup-destinations").fieldNames())
                .containsExactly("get");
        // Services merge in name order: the destination service's Status clashed with the backup
        // service's, so it was renamed and its references rewritten.
        JsonObject schemas = merged.getJsonObject("components").getJsonObject("schemas");
        assertThat(schemas.getJsonObject("Backup").getJsonObject("properties").getJsonObject("status")
                .getString("$ref")).isEqualTo("#/components/schemas/Status");
        assertThat(schemas.getJsonObject("Destination").getJsonObject("properties").getJsonObject("status")
                .getString("$ref")).isEqualTo("#/components/schemas/destination_Status");
        assertThat(schemas.getJsonObject("destination_Status").getJsonArray("enum").getList()).contains("verified");
    }

    @Test
    void listsTheServicesWhoseDocumentCouldNotBeFetched() {
        Upstreams.stop("destination");
        try {
            given().get("/q/openapi").then().statusCode(200)
                    .body("x-unavailable-services", hasItem("destination"))
                    .body("x-unavailable-services.size()", equalTo(1))
                    .body("paths", not(hasKey("/api/backup-destinations")))
                    .body("paths", hasKey("/api/environments/{envId}/backups"));
        } finally {
            Upstreams.start("destination");
        }
    }

    @Test
    void servesSwaggerUiOnTheMergedDocument() {
        given().redirects().follow(false).get("/q/swagger-ui").then().statusCode(302);
        given().get("/q/swagger-ui/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("swagger-ui-bundle.js"));
        given().get("/q/swagger-ui/swagger-initializer.js").then().statusCode(200)
                .body(containsString("url: '/q/openapi'"));
        given().get("/q/swagger-ui/swagger-ui-bundle.js").then().statusCode(200)
                .contentType(containsString("javascript"));
        given().get("/q/swagger-ui/swagger-ui.css").then().statusCode(200);
        given().urlEncodingEnabled(false).get("/q/swagger-ui/..%2Fapplication.properties").then().statusCode(404);
    }

    @Test
    void servesTheDashboardItsModulesAndItsHealthScreen() {
        given().get("/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("oCore Backups"))
                .body(containsString("<script type=\"module\" src=\"app.js\">"));
        for (String module : new String[] {"app.js", "api.js", "dom.js", "pitr.js", "slider.js", "health.js"}) {
            given().get("/" + module).then().statusCode(200).contentType(containsString("javascript"));
        }
        given().get("/style.css").then().statusCode(200).contentType(containsString("text/css"));
        // revalidated on every load: a new version is never mixed with cached old modules
        given().get("/app.js").then().header("Cache-Control", containsString("max-age=0"));
        given().get("/health.js").then().statusCode(200).body(containsString("fetch('/health'"));
        given().get("/app.js").then().statusCode(200).body(containsString("'/health'"));
    }
}
