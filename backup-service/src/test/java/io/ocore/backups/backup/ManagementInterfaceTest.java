package io.ocore.backups.backup;

import io.ocore.backups.platform.testing.fakes.DestinationStub;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Metrics and detailed health are on the management port only; the API port answers 404 for them. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
class ManagementInterfaceTest {

    // Relative to the management root path, /q.
    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @TestHTTPResource(value = "/health", management = true)
    URL health;

    @ParameterizedTest
    @ValueSource(strings = {"/q/metrics", "/q/health", "/q/health/ready", "/q/health/live", "/q/health/started"})
    void theApiPortServesNoManagementEndpoint(String path) {
        given().get(path).then().statusCode(404);
    }

    @Test
    void theManagementPortServesMetricsAndDetailedHealth() {
        given().get(metrics).then().statusCode(200)
                .body(containsString("jvm_memory_used_bytes"));
        given().get(health + "/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("PostgreSQL")));
        given().get(health + "/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void theOpenApiDocumentStaysOnTheApiPortForTheGateway() {
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("paths.'/api/environments'", org.hamcrest.Matchers.notNullValue());
    }
}
