package io.ocore.backups.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

import io.ocore.backups.gateway.support.Upstreams;
import io.ocore.backups.gateway.support.UpstreamsResource;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(UpstreamsResource.class)
class FailureTest {

    private static final String TOKEN = TestTokens.of(UUID.randomUUID(), "view:environments");

    @Test
    void aServiceThatIsDownIsABadGatewayProblemNamingIt() {
        Upstreams.stop("alert");
        try {
            given().header("Authorization", "Bearer " + TOKEN).get("/api/backup-alerts")
                    .then().statusCode(502)
                    .contentType("application/problem+json")
                    .header("X-Request-Id", not(equalTo(null)))
                    .body("status", equalTo(502))
                    .body("type", equalTo("https://ocore.io/problems/bad-gateway"))
                    .body("detail", equalTo("Service 'alert' is unavailable"))
                    .body("detail", not(containsString("127.0.0.1")));
            given().header("Authorization", "Bearer " + TOKEN).contentType("application/json").body("{}")
                    .post("/api/backup-alerts/read-all")
                    .then().statusCode(502).body("detail", equalTo("Service 'alert' is unavailable"));
        } finally {
            Upstreams.start("alert");
        }
        given().header("Authorization", "Bearer " + TOKEN).get("/api/backup-alerts").then().statusCode(200);
    }

    @Test
    void aServiceThatDoesNotAnswerInTimeIsAGatewayTimeoutProblem() {
        given().header("Authorization", "Bearer " + TOKEN).get("/api/restores/slow")
                .then().statusCode(504)
                .contentType("application/problem+json")
                .body("status", equalTo(504))
                .body("type", equalTo("https://ocore.io/problems/gateway-timeout"))
                .body("detail", equalTo("Service 'restore' did not answer in time"));
    }

    @Test
    void healthIsUpWhenEveryServiceIsAndDownWhenOneIsNot() {
        given().get("/health").then().statusCode(200).body("status", equalTo("UP"));

        Upstreams.stop("scheduler");
        try {
            given().get("/health").then().statusCode(503)
                    .body("status", equalTo("DOWN"))
                    .body("services", equalTo(null));
        } finally {
            Upstreams.start("scheduler");
        }
    }

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URL gateway;

    @Test
    void aServiceThatDiesMidAnswerIsNeverPassedOnAsAComplete() {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(gateway + "api/backup-alerts/broken-response"))
                .header("Authorization", "Bearer " + TOKEN).build();
        // A clean end here would hand a truncated download to the client as if it were whole.
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> client.send(request, java.net.http.HttpResponse.BodyHandlers.ofByteArray()))
                .isInstanceOf(java.io.IOException.class);
    }
}
