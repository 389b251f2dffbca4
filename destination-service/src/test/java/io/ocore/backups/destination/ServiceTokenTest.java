package io.ocore.backups.destination;

import static io.ocore.backups.destination.Fixtures.PATH;
import static io.ocore.backups.destination.Fixtures.create;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.ocore.backups.platform.testing.s3.S3TestResource;
import io.ocore.backups.platform.testing.sftp.SftpTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.UUID;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The internal endpoint takes a service token and nothing else (docs/adr/0010-service-tokens.md);
 * the API takes user tokens meant for it (aud ocore-api) and never a service token.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(S3TestResource.class)
@QuarkusTestResource(SftpTestResource.class)
@QuarkusTestResource(FakeGoogleResource.class)
class ServiceTokenTest {

    final UUID org = UUID.randomUUID();
    String internal;

    @BeforeEach
    void destination() {
        internal = "/internal/destinations/" + create(org, "S3", "s3", Fixtures.s3("secret-1"));
    }

    void internalAnswers401(String token) {
        given().auth().oauth2(token).queryParam("orgId", org.toString()).get(internal).then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("status", equalTo(401))
                .body("type", equalTo("https://ocore.io/problems/unauthorized"));
    }

    @Test
    void aServiceTokenReadsTheDecryptedDestination() {
        given().auth().oauth2(TestTokens.service()).queryParam("orgId", org.toString()).get(internal).then()
                .statusCode(200).body("config.secretAccessKey", equalTo("secret-1"));
    }

    @Test
    void aUserTokenCarryingInternalServiceIsRefused() {
        internalAnswers401(TestTokens.of(org, Permissions.INTERNAL_SERVICE, Permissions.MANAGE_ORG_SETTINGS));
    }

    @Test
    void aServiceTokenSignedWithAnotherKeyIsRefused() {
        internalAnswers401(TestTokens.serviceSignedByOtherKey());
    }

    @Test
    void aServiceTokenForAnotherAudienceIsRefused() {
        JwtClaims claims = TestTokens.serviceClaims("backup-service");
        claims.setAudience("ocore-api");
        internalAnswers401(TestTokens.signService(claims, TestTokens.SERVICE_SIGNING_KEY));
    }

    @Test
    void aServiceTokenLivingOverAnHourIsRefused() throws Exception {
        JwtClaims claims = TestTokens.serviceClaims("backup-service");
        claims.setExpirationTime(NumericDate.fromSeconds(claims.getIssuedAt().getValue() + 3601));
        internalAnswers401(TestTokens.signService(claims, TestTokens.SERVICE_SIGNING_KEY));
    }

    @Test
    void anExpiredServiceTokenIsRefused() {
        JwtClaims claims = TestTokens.serviceClaims("backup-service");
        long now = Instant.now().getEpochSecond();
        claims.setIssuedAt(NumericDate.fromSeconds(now - 900));
        claims.setExpirationTime(NumericDate.fromSeconds(now - 61));
        internalAnswers401(TestTokens.signService(claims, TestTokens.SERVICE_SIGNING_KEY));
    }

    @Test
    void anUnsignedServiceTokenIsRefused() {
        internalAnswers401(TestTokens.serviceAlgNone());
    }

    @Test
    void aUserTokenForAnotherOrNoAudienceIsRefusedOnTheApi() {
        given().auth().oauth2(TestTokens.wrongAudience(org, Permissions.MANAGE_ORG_SETTINGS)).get(PATH).then()
                .statusCode(401).contentType("application/problem+json");
        given().auth().oauth2(TestTokens.noAudience(org, Permissions.MANAGE_ORG_SETTINGS)).get(PATH).then()
                .statusCode(401).contentType("application/problem+json");
        given().auth().oauth2(TestTokens.of(org, Permissions.MANAGE_ORG_SETTINGS)).get(PATH).then().statusCode(200);
    }

    @Test
    void aServiceTokenIsRefusedOnTheApi() {
        given().auth().oauth2(TestTokens.service()).get(PATH).then().statusCode(401)
                .contentType("application/problem+json");
    }
}
