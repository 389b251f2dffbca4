package io.ocore.backups.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.ocore.backups.gateway.support.Upstreams;
import io.ocore.backups.gateway.support.UpstreamsResource;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(UpstreamsResource.class)
class AuthenticationTest {

    private static final UUID ORG = UUID.randomUUID();
    private static final String ENV = UUID.randomUUID().toString();

    @BeforeEach
    void clear() {
        Upstreams.clearReceived();
    }

    static Stream<Arguments> refusedCredentials() {
        UnaryOperator<RequestSpecification> none = spec -> spec;
        return Stream.of(
                Arguments.of("missing", none, "A bearer token is required"),
                Arguments.of("expired", bearer(TestTokens.expired(ORG, "view:environments")), "The token has expired"),
                Arguments.of("foreign key", bearer(TestTokens.signedByOtherKey(ORG, "view:environments")),
                        "The token is not valid"),
                Arguments.of("garbage", bearer("not.a.jwt"), "The token is not valid"),
                Arguments.of("wrong audience", bearer(TestTokens.wrongAudience(ORG, "view:environments")),
                        "The token is not valid"),
                Arguments.of("no audience", bearer(TestTokens.noAudience(ORG, "view:environments")),
                        "The token is not valid"),
                Arguments.of("wrong issuer", bearer(TestTokens.wrongIssuer(ORG, "view:environments")),
                        "The token is not valid"),
                Arguments.of("alg none", bearer(TestTokens.algNone(ORG, "view:environments")),
                        "The token is not valid"),
                Arguments.of("service token", bearer(TestTokens.service()), "The token is not valid"),
                Arguments.of("basic scheme", (UnaryOperator<RequestSpecification>) spec -> spec.header("Authorization",
                        "Basic dXNlcjpwYXNz"), "The Authorization header must use the Bearer scheme"));
    }

    private static UnaryOperator<RequestSpecification> bearer(String token) {
        return spec -> spec.header("Authorization", "Bearer " + token);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedCredentials")
    void refusesWithAnUnauthorizedProblemBeforeReachingTheService(String name, UnaryOperator<RequestSpecification> auth,
            String detail) {
        auth.apply(given()).get("/api/environments/" + ENV + "/backups")
                .then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("type", equalTo("https://ocore.io/problems/unauthorized"))
                .body("title", equalTo("Unauthorized"))
                .body("status", equalTo(401))
                .body("detail", equalTo(detail));
        assertThat(Upstreams.received()).isEmpty();
    }

    @Test
    void refusesAPostWithABodyWithoutAToken() {
        given().contentType("application/json").body("{\"backupType\":\"full\"}")
                .post("/api/environments/" + ENV + "/backups")
                .then().statusCode(401).contentType("application/problem+json");
        assertThat(Upstreams.received()).isEmpty();
    }

    @Test
    void letsAValidTokenThroughWhateverItsPermissions() {
        // Permissions are the services' business: a token without any still passes the edge.
        given().header("Authorization", "Bearer " + TestTokens.of(ORG))
                .get("/api/environments/" + ENV + "/backups")
                .then().statusCode(200).body("service", equalTo("backup"));
    }

    @Test
    void walSegmentsPassWithoutAUserJwtAndKeepTheirWalToken() {
        String segment = "/api/wal/" + ENV + "/000000010000000000000002";
        String walToken = "wal-token-for-" + ENV;

        String withToken = given().header("Authorization", "Bearer " + walToken).body(new byte[] {1, 2, 3})
                .put(segment).then().statusCode(200).body("service", equalTo("wal")).extract().asString();
        given().get(segment).then().statusCode(200).body("service", equalTo("wal"));

        assertThat(new JsonObject(withToken).getJsonObject("headers").getString("authorization"))
                .isEqualTo("Bearer " + walToken);
        assertThat(new JsonObject(withToken).getLong("bodyBytes")).isEqualTo(3);
    }

    @Test
    void theSummaryHealthAndTheDashboardArePublic() {
        given().get("/health").then().statusCode(200);
        given().get("/").then().statusCode(200);
    }
}
