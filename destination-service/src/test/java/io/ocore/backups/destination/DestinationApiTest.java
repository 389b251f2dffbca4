package io.ocore.backups.destination;

import static io.ocore.backups.destination.Fixtures.PATH;
import static io.ocore.backups.destination.Fixtures.as;
import static io.ocore.backups.destination.Fixtures.body;
import static io.ocore.backups.destination.Fixtures.create;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.ocore.backups.platform.testing.s3.S3TestResource;
import io.ocore.backups.platform.testing.sftp.SftpTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The REST contract of API.md "Destinations": CRUD of every type, validation, masking, scoping. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(S3TestResource.class)
@QuarkusTestResource(SftpTestResource.class)
@QuarkusTestResource(FakeGoogleResource.class)
class DestinationApiTest {

    static final String MASK = "********";

    @Test
    void everyTypeIsCreatedListedShownUpdatedAndDeleted() {
        UUID org = UUID.randomUUID();
        Map<String, Map<String, Object>> configs = new LinkedHashMap<>();
        configs.put("s3", Fixtures.s3());
        Map<String, Object> compatible = Fixtures.s3();
        configs.put("s3_compatible", compatible);
        configs.put("sftp", Fixtures.sftp());
        configs.put("local", Fixtures.local());
        configs.put("onedrive", Fixtures.onedrive("od-secret", "od-refresh"));
        configs.put("gdrive", Fixtures.gdrive("gd-secret", "gd-refresh"));

        configs.forEach((type, config) -> {
            String name = "My " + type;
            String id = as(org).body(body(name, type, config)).post(PATH).then().statusCode(201)
                    .contentType(ContentType.JSON)
                    .body("name", equalTo(name))
                    .body("destinationType", equalTo(type))
                    .body("isVerified", equalTo(false))
                    .body("lastTestedAt", nullValue())
                    .body("createdAt", notNullValue())
                    .body("updatedAt", notNullValue())
                    .body("$", not(hasKey("lastError")))
                    .extract().path("id");
            as(org).get(PATH + "/" + id).then().statusCode(200).body("id", equalTo(id))
                    .body("destinationType", equalTo(type));

            Map<String, Object> changed = new LinkedHashMap<>(config);
            as(org).body(body(name + " (renamed)", type, changed)).put(PATH + "/" + id).then().statusCode(200)
                    .body("name", equalTo(name + " (renamed)"));
        });

        as(org).get(PATH).then().statusCode(200).body("items", hasSize(6))
                .body("items.destinationType", containsInAnyOrder("s3", "s3_compatible", "sftp", "local", "onedrive",
                        "gdrive"))
                .body("nextCursor", nullValue());

        List<String> ids = as(org).get(PATH).then().extract().path("items.id");
        for (String id : ids) {
            as(org).delete(PATH + "/" + id).then().statusCode(204);
            as(org).get(PATH + "/" + id).then().statusCode(404).contentType("application/problem+json");
        }
        as(org).get(PATH).then().body("items", hasSize(0));
    }

    @Test
    void createAnswersLocationOfTheNewDestination() {
        UUID org = UUID.randomUUID();
        var response = as(org).body(body("Located", "local", Fixtures.local())).post(PATH).then().statusCode(201)
                .extract();
        String id = response.path("id");
        assertThat(response.header("Location")).endsWith(PATH + "/" + id);
    }

    @Test
    void secretsAreMaskedEverywhereAndAMaskedOrOmittedSecretIsKept() {
        UUID org = UUID.randomUUID();
        Map<String, Object> config = Fixtures.s3("first-secret-value");
        String id = as(org).body(body("Masked", "s3", config)).post(PATH).then().statusCode(201)
                .body("config.secretAccessKey", equalTo(MASK))
                .body("config.accessKeyId", equalTo(config.get("accessKeyId")))
                .body("config.bucket", equalTo(config.get("bucket")))
                .extract().path("id");
        as(org).get(PATH + "/" + id).then().body("config.secretAccessKey", equalTo(MASK));
        as(org).get(PATH).then().body("items[0].config.secretAccessKey", equalTo(MASK));

        // sent back masked, with a field changed that does not move it: the stored secret stays
        Map<String, Object> masked = new LinkedHashMap<>(config);
        masked.put("secretAccessKey", MASK);
        as(org).body(body("Masked, renamed", "s3", masked)).put(PATH + "/" + id).then().statusCode(200)
                .body("name", equalTo("Masked, renamed"))
                .body("config.secretAccessKey", equalTo(MASK));
        assertInternalSecret(org, id, "secretAccessKey", "first-secret-value");

        // left out: kept as well
        Map<String, Object> omitted = new LinkedHashMap<>(config);
        omitted.remove("secretAccessKey");
        as(org).body(body("Masked", "s3", omitted)).put(PATH + "/" + id).then().statusCode(200)
                .body("config.secretAccessKey", equalTo(MASK));
        assertInternalSecret(org, id, "secretAccessKey", "first-secret-value");

        // masked while the prefix moves: refused (the rule of movedDestinationsMustCarryTheirSecretsAgain)
        masked.put("pathPrefix", "changed/prefix");
        as(org).body(body("Masked", "s3", masked)).put(PATH + "/" + id).then().statusCode(400)
                .body("errors.field", hasItem("config.secretAccessKey"));
        as(org).get(PATH + "/" + id).then().body("config.pathPrefix", equalTo(config.get("pathPrefix")));

        // a new value replaces it
        Map<String, Object> replaced = new LinkedHashMap<>(config);
        replaced.put("secretAccessKey", "second-secret-value");
        as(org).body(body("Masked", "s3", replaced)).put(PATH + "/" + id).then().statusCode(200);
        assertInternalSecret(org, id, "secretAccessKey", "second-secret-value");

        // the mask is never accepted as a value on create
        Map<String, Object> maskOnCreate = Fixtures.s3(MASK);
        as(org).body(body("Mask on create", "s3", maskOnCreate)).post(PATH).then().statusCode(400)
                .body("errors.field", hasItem("config.secretAccessKey"));
    }

    static void assertInternalSecret(UUID org, String id, String field, String expected) {
        given().auth().oauth2(TestTokens.service()).queryParam("orgId", org.toString())
                .get("/internal/destinations/" + id).then().statusCode(200)
                .body("config." + field, equalTo(expected));
    }

    @Test
    void validationNamesEveryBadFieldAtOnce() {
        UUID org = UUID.randomUUID();
        Map<String, Object> s3 = new HashMap<>();
        s3.put("region", "Not A Region");
        s3.put("bucket", "B");
        s3.put("endpoint", "ftp://example.com");
        s3.put("typoField", "x");
        as(org).body(body(" ", "s3", s3)).post(PATH).then().statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("errors.field", hasItems("name", "config.bucket", "config.region", "config.accessKeyId",
                        "config.secretAccessKey", "config.endpoint", "config.typoField"));

        Map<String, Object> sftp = new HashMap<>(Map.of("port", 70000, "hostKeyFingerprint", "md5:aa"));
        as(org).body(body("x".repeat(101), "sftp", sftp)).post(PATH).then().statusCode(400)
                .body("errors.field", hasItems("name", "config.host", "config.port", "config.username",
                        "config.password", "config.privateKey", "config.hostKeyFingerprint"));

        as(org).body(body("Relative", "local", Map.of("path", "relative/dir"))).post(PATH).then().statusCode(400)
                .body("errors.field", hasItem("config.path"));
        as(org).body(body("Outside", "local", Map.of("path", "/etc/ocore"))).post(PATH).then().statusCode(400)
                .body("errors[0].field", equalTo("config.path"))
                .body("errors[0].message", containsString("allowed"));

        as(org).body(body("OneDrive", "onedrive", Map.of("tenant", "bad tenant!"))).post(PATH).then().statusCode(400)
                .body("errors.field", hasItems("config.clientId", "config.clientSecret", "config.refreshToken",
                        "config.tenant"));
        as(org).body(body("Drive", "gdrive", Map.of("folderId", "../x"))).post(PATH).then().statusCode(400)
                .body("errors.field", hasItems("config.clientId", "config.clientSecret", "config.refreshToken",
                        "config.folderId"));

        as(org).body(body("Ftp", "ftp", Map.of())).post(PATH).then().statusCode(400)
                .body("errors[0].field", equalTo("destinationType"))
                .body("errors[0].message", containsString("s3, s3_compatible, sftp, local, onedrive, gdrive"));
        as(org).body(Map.of("name", "No type", "config", Map.of())).post(PATH).then().statusCode(400)
                .body("errors.field", hasItem("destinationType"));
        as(org).body(Map.of("name", "No config", "destinationType", "local")).post(PATH).then().statusCode(400)
                .body("errors.field", hasItem("config"));
        as(org).body(Map.of("name", "Odd", "destinationType", "local", "config", Fixtures.local(), "colour", "red"))
                .post(PATH).then().statusCode(400).body("errors[0].field", equalTo("colour"));
        as(org).body(Map.of("name", "Odd", "destinationType", "local", "config", "path=/x")).post(PATH).then()
                .statusCode(400).body("errors[0].field", equalTo("config"));
        as(org).body("{not json").post(PATH).then().statusCode(400).contentType("application/problem+json");
        as(org).get(PATH).then().body("items", hasSize(0));
    }

    @Test
    void userSuppliedEndpointsAndHostsCannotReachMetadataOrLinkLocalAddresses() {
        UUID org = UUID.randomUUID();
        for (String endpoint : List.of("http://169.254.169.254", "http://metadata.google.internal",
                "http://[fe80::1]:9000")) {
            Map<String, Object> c = Fixtures.s3();
            c.put("endpoint", endpoint);
            as(org).body(body("Metadata", "s3_compatible", c)).post(PATH).then().statusCode(400)
                    .body("errors.field", hasItem("config.endpoint"));
        }
        for (String host : List.of("169.254.169.254", "metadata.google.internal", "fd00:ec2::254")) {
            Map<String, Object> sftp = Fixtures.sftp();
            sftp.put("host", host);
            as(org).body(body("Metadata host", "sftp", sftp)).post(PATH).then().statusCode(400)
                    .body("errors.field", hasItem("config.host"));
        }

        // and on update
        String id = create(org, "Fine", "s3_compatible", Fixtures.s3());
        Map<String, Object> c = Fixtures.s3();
        c.put("endpoint", "http://169.254.169.254");
        as(org).body(body("Fine", "s3_compatible", c)).put(PATH + "/" + id).then().statusCode(400)
                .body("errors.field", hasItem("config.endpoint"));
    }

    @Test
    void movedDestinationsMustCarryTheirSecretsAgain() {
        UUID org = UUID.randomUUID();
        Map<String, Object> original = Fixtures.s3();
        String id = create(org, "Moving", "s3_compatible", original);
        String endpoint = original.get("endpoint").toString();
        // another server that resolves and is allowed here (loopback in the test profile)
        String elsewhere = endpoint.replace("127.0.0.1", "127.0.0.2");

        Map<String, Object> moved = new LinkedHashMap<>(original);
        moved.put("endpoint", elsewhere);
        moved.put("secretAccessKey", MASK);
        as(org).body(body("Moving", "s3_compatible", moved)).put(PATH + "/" + id).then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", hasItem("config.secretAccessKey"))
                .body("errors.find { it.field == 'config.secretAccessKey' }.message",
                        equalTo("must be sent again when endpoint changes"));
        moved.remove("secretAccessKey");
        moved.put("bucket", "another-bucket");
        as(org).body(body("Moving", "s3_compatible", moved)).put(PATH + "/" + id).then().statusCode(400)
                .body("errors.find { it.field == 'config.secretAccessKey' }.message",
                        equalTo("must be sent again when endpoint and bucket change"));
        // unchanged: the old endpoint, the old secret, and the next test still goes there and passes
        as(org).get(PATH + "/" + id).then().body("config.endpoint", equalTo(endpoint))
                .body("config.bucket", equalTo(original.get("bucket")));
        assertInternalSecret(org, id, "secretAccessKey", original.get("secretAccessKey").toString());
        as(org).post(PATH + "/" + id + "/test").then().statusCode(200).body("ok", equalTo(true));

        // with the secret sent again the move is accepted
        Map<String, Object> withSecret = new LinkedHashMap<>(original);
        withSecret.put("endpoint", elsewhere);
        withSecret.put("secretAccessKey", "the-secret-for-the-other-server");
        as(org).body(body("Moving", "s3_compatible", withSecret)).put(PATH + "/" + id).then().statusCode(200)
                .body("config.endpoint", equalTo(elsewhere)).body("config.secretAccessKey", equalTo(MASK));
        assertInternalSecret(org, id, "secretAccessKey", "the-secret-for-the-other-server");

        // SFTP: another host or port with the password masked names the password
        Map<String, Object> sftp = Fixtures.sftp();
        String sftpId = create(org, "Moving SFTP", "sftp", sftp);
        Map<String, Object> sftpMoved = new LinkedHashMap<>(sftp);
        sftpMoved.put("host", "localhost");
        sftpMoved.put("password", MASK);
        as(org).body(body("Moving SFTP", "sftp", sftpMoved)).put(PATH + "/" + sftpId).then().statusCode(400)
                .body("errors.find { it.field == 'config.password' }.message",
                        equalTo("must be sent again when host changes"));
        as(org).get(PATH + "/" + sftpId).then().body("config.host", equalTo(sftp.get("host")));
        sftpMoved.put("password", sftp.get("password"));
        as(org).body(body("Moving SFTP", "sftp", sftpMoved)).put(PATH + "/" + sftpId).then().statusCode(200)
                .body("config.host", equalTo("localhost"));

        // OneDrive: every stored secret is named at once
        String drive = create(org, "Moving drive", "onedrive", Fixtures.onedrive("od-secret", "od-refresh"));
        Map<String, Object> driveMoved = Fixtures.onedrive(MASK, MASK);
        driveMoved.put("driveId", "someone-elses-drive");
        as(org).body(body("Moving drive", "onedrive", driveMoved)).put(PATH + "/" + drive).then().statusCode(400)
                .body("errors.field", hasItems("config.clientSecret", "config.refreshToken"));
        driveMoved.remove("driveId");
        as(org).body(body("Moving drive, renamed", "onedrive", driveMoved)).put(PATH + "/" + drive).then()
                .statusCode(200);
        assertInternalSecret(org, drive, "refreshToken", "od-refresh");
    }

    @Test
    void unresolvableNamesAreRefused() {
        UUID org = UUID.randomUUID();
        Map<String, Object> s3 = Fixtures.s3();
        s3.put("endpoint", "http://no-such-host.invalid:9000");
        as(org).body(body("Nowhere", "s3_compatible", s3)).post(PATH).then().statusCode(400)
                .body("errors.field", hasItem("config.endpoint"))
                .body("errors.find { it.field == 'config.endpoint' }.message", equalTo("does not resolve"));
        Map<String, Object> sftp = Fixtures.sftp();
        sftp.put("host", "no-such-host.invalid");
        as(org).body(body("Nowhere", "sftp", sftp)).post(PATH).then().statusCode(400)
                .body("errors.find { it.field == 'config.host' }.message", equalTo("does not resolve"));
        String id = create(org, "Somewhere", "sftp", Fixtures.sftp());
        Map<String, Object> update = Fixtures.sftp();
        update.put("host", "no-such-host.invalid");
        as(org).body(body("Somewhere", "sftp", update)).put(PATH + "/" + id).then().statusCode(400)
                .body("errors.field", hasItem("config.host"));
    }

    @Test
    void namesAreUniquePerOrganisationAndTypesCannotChange() {
        UUID org = UUID.randomUUID();
        String id = create(org, "Primary", "local", Fixtures.local());
        as(org).body(body("primary", "local", Fixtures.local())).post(PATH).then().statusCode(409)
                .contentType("application/problem+json").body("detail", containsString("primary"));
        create(UUID.randomUUID(), "Primary", "local", Fixtures.local()); // another org may
        String other = create(org, "Secondary", "local", Fixtures.local());
        as(org).body(body("PRIMARY", "local", Fixtures.local())).put(PATH + "/" + other).then().statusCode(409);

        as(org).body(body("Primary", "s3", Fixtures.s3())).put(PATH + "/" + id).then().statusCode(400)
                .body("errors.field", hasItem("destinationType"));
        as(org).get(PATH + "/" + id).then().body("destinationType", equalTo("local"));
    }

    @Test
    void tokensAndOrganisationsAreChecked() {
        UUID org = UUID.randomUUID();
        String id = create(org, "Mine", "local", Fixtures.local());

        given().get(PATH).then().statusCode(401).contentType("application/problem+json");
        given().auth().oauth2(TestTokens.expired(org, Permissions.MANAGE_ORG_SETTINGS)).get(PATH).then().statusCode(401);
        String viewer = TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS);
        given().auth().oauth2(viewer).get(PATH).then().statusCode(403).contentType("application/problem+json");
        given().auth().oauth2(viewer).get(PATH + "/" + id).then().statusCode(403);
        given().auth().oauth2(viewer).post(PATH + "/" + id + "/test").then().statusCode(403);
        given().auth().oauth2(viewer).delete(PATH + "/" + id).then().statusCode(403);

        UUID other = UUID.randomUUID();
        as(other).get(PATH + "/" + id).then().statusCode(404).contentType("application/problem+json");
        as(other).body(body("Mine", "local", Fixtures.local())).put(PATH + "/" + id).then().statusCode(404);
        as(other).delete(PATH + "/" + id).then().statusCode(404);
        as(other).post(PATH + "/" + id + "/test").then().statusCode(404);
        as(other).get(PATH).then().body("items", hasSize(0));
        as(org).get(PATH + "/" + id).then().statusCode(200);
        as(org).get(PATH + "/not-a-uuid").then().statusCode(404);
    }

    @Test
    void listsPageNewestFirstAndFilterByType() {
        UUID org = UUID.randomUUID();
        String first = create(org, "One", "local", Fixtures.local());
        create(org, "Two", "s3", Fixtures.s3());
        String third = create(org, "Three", "local", Fixtures.local());

        String next = as(org).queryParam("limit", 2).get(PATH).then().statusCode(200)
                .body("items", hasSize(2)).body("items[0].id", equalTo(third)).body("nextCursor", notNullValue())
                .extract().path("nextCursor");
        as(org).queryParam("limit", 2).queryParam("cursor", next).get(PATH).then()
                .body("items", hasSize(1)).body("items[0].id", equalTo(first)).body("nextCursor", nullValue());
        as(org).queryParam("destinationType", "local").get(PATH).then().body("items", hasSize(2));
        as(org).queryParam("destinationType", "ftp").get(PATH).then().statusCode(400)
                .body("errors[0].field", equalTo("destinationType"));
        as(org).queryParam("limit", 0).get(PATH).then().statusCode(400).body("errors[0].field", equalTo("limit"));
        as(org).queryParam("cursor", "garbage").get(PATH).then().statusCode(400)
                .body("errors[0].field", equalTo("cursor"));
    }
}
