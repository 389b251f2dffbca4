package io.ocore.backups.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.ocore.backups.gateway.support.RawHttp;
import io.ocore.backups.gateway.support.Upstreams;
import io.ocore.backups.gateway.support.UpstreamsResource;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(UpstreamsResource.class)
class RoutingTest {

    private static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    private static final String TOKEN = TestTokens.of(UUID.randomUUID(), "view:environments", "manage:environments");
    private static final String ENV = UUID.randomUUID().toString();
    private static final String BACKUP = UUID.randomUUID().toString();
    private static final String DEST = UUID.randomUUID().toString();
    private static final String RESTORE = UUID.randomUUID().toString();
    private static final String ALERT = UUID.randomUUID().toString();

    @TestHTTPResource("/")
    URL gateway;

    /** Every path of API.md, with the service that owns it. */
    static Stream<Arguments> documentedPaths() {
        return Stream.of(
                arguments("POST", "/api/backup-destinations", "destination"),
                arguments("GET", "/api/backup-destinations", "destination"),
                arguments("GET", "/api/backup-destinations/" + DEST, "destination"),
                arguments("PUT", "/api/backup-destinations/" + DEST, "destination"),
                arguments("DELETE", "/api/backup-destinations/" + DEST, "destination"),
                arguments("POST", "/api/backup-destinations/" + DEST + "/test", "destination"),
                arguments("POST", "/api/environments", "backup"),
                arguments("GET", "/api/environments?projectId=p-1", "backup"),
                arguments("GET", "/api/environments/" + ENV, "backup"),
                arguments("POST", "/api/environments/" + ENV + "/backups", "backup"),
                arguments("GET", "/api/environments/" + ENV + "/backups?status=completed&backupType=full&limit=5&cursor=a%2Bb",
                        "backup"),
                arguments("GET", "/api/backups/" + BACKUP, "backup"),
                arguments("DELETE", "/api/backups/" + BACKUP, "backup"),
                arguments("GET", "/api/backups/" + BACKUP + "/components/database", "backup"),
                arguments("POST", "/api/backups/" + BACKUP + "/verify", "backup"),
                arguments("GET", "/api/verifications/" + BACKUP, "backup"),
                arguments("GET", "/api/environments/" + ENV + "/snapshots", "backup"),
                arguments("PUT", "/api/environments/" + ENV + "/backup-schedule", "scheduler"),
                arguments("GET", "/api/environments/" + ENV + "/backup-schedule", "scheduler"),
                arguments("GET", "/api/environments/" + ENV + "/backup-schedule/retention-preview", "scheduler"),
                arguments("POST", "/api/backups/" + BACKUP + "/restore", "restore"),
                arguments("GET", "/api/restores/" + RESTORE, "restore"),
                arguments("GET", "/api/restores/" + RESTORE + "/logs", "restore"),
                arguments("GET", "/api/environments/" + ENV + "/restores", "restore"),
                arguments("POST", "/api/environments/" + ENV + "/neutralize", "restore"),
                arguments("GET", "/api/environments/" + ENV + "/wal-coverage", "wal"),
                arguments("GET", "/api/environments/" + ENV + "/wal-config", "wal"),
                arguments("GET", "/api/backups/" + BACKUP + "/pitr-range", "wal"),
                arguments("PUT", "/api/wal/" + ENV + "/000000010000000000000001", "wal"),
                arguments("GET", "/api/wal/" + ENV + "/000000010000000000000001", "wal"),
                arguments("GET", "/api/backup-alerts?isRead=false&severity=error&environmentId=" + ENV, "alert"),
                arguments("POST", "/api/backup-alerts/" + ALERT + "/read", "alert"),
                arguments("POST", "/api/backup-alerts/read-all", "alert"));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("documentedPaths")
    void routesEveryDocumentedPathToItsOwnerWithPathAndQueryIntact(String method, String uri, String service) {
        boolean hasBody = method.equals("POST") || method.equals("PUT");
        Response response = given().urlEncodingEnabled(false)
                .header("Authorization", "Bearer " + TOKEN)
                .contentType("application/json")
                .body(hasBody ? "{\"name\":\"x\"}" : "")
                .request(method, uri);

        response.then().statusCode(200).header("X-Upstream", service);
        JsonObject echo = new JsonObject(response.asString());
        assertThat(echo.getString("service")).isEqualTo(service);
        assertThat(echo.getString("method")).isEqualTo(method);
        assertThat(echo.getString("uri")).isEqualTo(uri);
        assertThat(echo.getJsonObject("headers").getString("authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(echo.getLong("bodyBytes")).isEqualTo(hasBody ? 12 : 0);
    }

    @Test
    void forwardsEndToEndHeadersAndSetsForwardedOnes() {
        Response response = given()
                .header("Authorization", "Bearer " + TOKEN)
                .header("Accept-Language", "fr")
                .header("If-None-Match", "\"v1\"")
                .header("X-Forwarded-For", "10.9.9.9")
                .get("/api/backups/" + BACKUP);

        JsonObject headers = new JsonObject(response.asString()).getJsonObject("headers");
        assertThat(headers.getString("accept-language")).isEqualTo("fr");
        assertThat(headers.getString("if-none-match")).isEqualTo("\"v1\"");
        // The gateway is the edge: a client's own X-Forwarded-For is not trusted.
        assertThat(headers.getString("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(headers.getString("x-forwarded-proto")).isEqualTo("http");
        assertThat(headers.getString("x-forwarded-host")).isEqualTo(gateway.getHost() + ":" + gateway.getPort());
    }

    @Test
    void passesTheServicesStatusAndBodyThrough() {
        given().header("Authorization", "Bearer " + TOKEN).header("X-Test-Status", "409")
                .post("/api/backup-destinations/" + DEST + "/test")
                .then().statusCode(409).body("service", equalTo("destination"));
    }

    @Test
    void generatesARequestIdAndSendsItUpstreamAndBack() {
        Response response = given().header("Authorization", "Bearer " + TOKEN).get("/api/environments/" + ENV);

        String requestId = response.header("X-Request-Id");
        assertThat(requestId).matches(UUID_PATTERN);
        assertThat(new JsonObject(response.asString()).getJsonObject("headers").getString("x-request-id"))
                .isEqualTo(requestId);
    }

    @Test
    void keepsAValidIncomingRequestId() {
        Response response = given().header("Authorization", "Bearer " + TOKEN).header("X-Request-Id", "cli-42.abc")
                .get("/api/environments/" + ENV);

        assertThat(response.header("X-Request-Id")).isEqualTo("cli-42.abc");
        assertThat(new JsonObject(response.asString()).getJsonObject("headers").getString("x-request-id"))
                .isEqualTo("cli-42.abc");
    }

    @Test
    void replacesAnInvalidIncomingRequestId() {
        given().header("Authorization", "Bearer " + TOKEN).header("X-Request-Id", "bad id\twith \"quotes\"")
                .get("/api/environments/" + ENV)
                .then().statusCode(200).header("X-Request-Id", matchesPattern(UUID_PATTERN));
    }

    @Test
    void answersItsOwnResponsesWithARequestIdToo() {
        given().get("/api/nowhere").then().statusCode(404).header("X-Request-Id", matchesPattern(UUID_PATTERN));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/nowhere", "/api/environments/" + "e1/unknown", "/api/backups/b1/restore/extra",
            "/api/restores"})
    void unknownApiPathIsANotFoundProblem(String path) {
        Upstreams.clearReceived();
        given().header("Authorization", "Bearer " + TOKEN).get(path)
                .then().statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404))
                .body("title", equalTo("Not Found"))
                .body("type", startsWith("https://"))
                .body("detail", not(equalTo(null)));
        assertThat(Upstreams.received()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/internal/destinations/d1/credentials",
            "/api/x/internal/y",
            "/api/backup-destinations/internal/credentials",
            "/api/backup-destinations/INTERNAL/credentials",
            "/api/backup-destinations/%69nternal/credentials",
            "/api/backup-destinations/internal;v=1/credentials",
            "/api/backup-destinations/d1/..%2F..%2Finternal",
            "/api/backup-destinations/%2e%2e/internal",
            "/api/wal/internal/x"})
    void neverRoutesInternalPaths(String rawPath) {
        Upstreams.clearReceived();

        HttpResponse<String> response = RawHttp.get(gateway, rawPath, "Authorization", "Bearer " + TestTokens.service());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(new JsonObject(response.body()).getInteger("status")).isEqualTo(404);
        assertThat(Upstreams.received()).isEmpty();
    }
}
