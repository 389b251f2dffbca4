package io.ocore.backups.backup;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.fakes.DestinationStub;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * The log context of a request (what the JSON logs of prod print with every line; docs/operations.md
 * "Logs"): the gateway's request id and the trace the gateway began, continued here.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
@QuarkusTestResource(EnvironmentPolicyResource.class)
class LogContextTest {

    @Test
    void aRequestsLogLinesCarryItsRequestIdAndTheCallersTrace() {
        given().header("X-Request-Id", "cli-42.abc")
                .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")
                .get("/test/log-context").then().statusCode(200)
                .body("requestId", equalTo("cli-42.abc"))
                .body("traceId", equalTo("4bf92f3577b34da6a3ce929d0e0e4736"))
                .body("spanId", matchesPattern("[0-9a-f]{16}"));
    }

    @Test
    void anIdNotOfTheGatewaysFormIsNotLogged() {
        given().header("X-Request-Id", "bad id\twith \"quotes\"").get("/test/log-context").then().statusCode(200)
                .body("requestId", emptyString())
                .body("traceId", matchesPattern("[0-9a-f]{32}"));
    }
}
