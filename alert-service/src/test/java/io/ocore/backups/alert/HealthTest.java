package io.ocore.backups.alert;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.containsString;

import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * Readiness really checks the service's database and Kafka; metrics and health are served on the
 * management port only, OpenAPI on the API port.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
class HealthTest {

    // Relative to the management root path, /q.
    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @TestHTTPResource(value = "/health", management = true)
    URL health;

    @Test
    void readinessChecksTheDatabaseAndKafka() {
        given().get(health + "/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("PostgreSQL")))
                .body("checks.name", hasItem(containsString("Kafka")));
        given().get(health + "/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metricsOnTheManagementPortAndOpenApiOnTheApiPortAreServed() {
        given().get(metrics).then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("paths.'/api/backup-alerts'", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void theApiPortServesNeitherMetricsNorHealth() {
        for (String path : new String[] {"/q/metrics", "/q/health", "/q/health/ready", "/q/health/live"}) {
            given().get(path).then().statusCode(404);
        }
    }
}
