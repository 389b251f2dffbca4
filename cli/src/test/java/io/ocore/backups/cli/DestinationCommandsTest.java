package io.ocore.backups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DestinationCommandsTest {

    static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    static final String CREATED = """
            {"id":"6f1c2d1e-0000-4000-8000-000000000001","name":"Production S3 Bucket","destinationType":"s3",
             "config":{"bucket":"ocore-backups","region":"eu-west-1","accessKeyId":"AKIAEXAMPLE","secretAccessKey":"****"},
             "isVerified":false,"lastTestedAt":null,"createdAt":"2026-03-15T14:30:00Z","updatedAt":"2026-03-15T14:30:00Z"}
            """;

    @TempDir
    Path home;
    FakeGateway gateway;
    CliRunner cli;

    @BeforeEach
    void start() throws Exception {
        gateway = new FakeGateway();
        cli = new CliRunner(home).against(gateway);
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void seedCreateExampleSendsTheSeedBodyWithSecretsFromTheEnvironment() {
        cli.env.put("OCORE_ACCESS_KEY_ID", "AKIAEXAMPLE");
        cli.env.put("OCORE_SECRET_ACCESS_KEY", SECRET);
        gateway.on("POST", "/api/backup-destinations", 201, CREATED);

        var result = cli.run("backup-destination", "create", "--name", "Production S3 Bucket", "--type", "s3",
                "--bucket", "ocore-backups", "--region", "eu-west-1");

        assertThat(result.exitCode()).as(result.err()).isZero();
        var request = gateway.only("POST", "/api/backup-destinations");
        assertThat(request.authorization()).isEqualTo("Bearer test-token-123");
        assertThat(request.contentType()).startsWith("application/json");
        assertThat(request.json()).isEqualTo(Json.parse("""
                {"name":"Production S3 Bucket","destinationType":"s3",
                 "config":{"bucket":"ocore-backups","region":"eu-west-1","accessKeyId":"AKIAEXAMPLE",
                           "secretAccessKey":"%s"}}
                """.formatted(SECRET)));
        assertThat(request.body()).startsWith("{\"name\":\"Production S3 Bucket\",\"destinationType\":\"s3\","
                + "\"config\":{\"bucket\":\"ocore-backups\",\"region\":\"eu-west-1\",\"accessKeyId\"");
        assertThat(result.out()).contains("6f1c2d1e-0000-4000-8000-000000000001", "Production S3 Bucket",
                "config.accessKeyId:      AKIAEXAMPLE", "config.secretAccessKey:  ****").doesNotContain(SECRET);
        assertThat(result.err()).doesNotContain(SECRET);
    }

    @Test
    void promptsForMissingSecretsOnATerminalWithoutEchoingThem() {
        cli.prompt.available = true;
        cli.prompt.answers.add("AKIAPROMPTED");
        cli.prompt.answers.add(SECRET);
        gateway.on("POST", "/api/backup-destinations", 201, CREATED);

        var result = cli.run("backup-destination", "create", "--name", "Production S3 Bucket", "--type", "s3",
                "--bucket", "ocore-backups", "--region", "eu-west-1");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(cli.prompt.asked.toString()).isEqualTo("line:Access key ID: \nsecret:Secret access key: \n");
        assertThat(gateway.only("POST", "/api/backup-destinations").json().path("config"))
                .isEqualTo(Json.parse("""
                        {"bucket":"ocore-backups","region":"eu-west-1","accessKeyId":"AKIAPROMPTED","secretAccessKey":"%s"}
                        """.formatted(SECRET)));
        assertThat(result.out() + result.err()).doesNotContain(SECRET);
    }

    @Test
    void missingSecretWithoutTerminalIsAUsageErrorNamingTheVariable() {
        var result = cli.run("backup-destination", "create", "--name", "n", "--type", "s3", "--bucket", "b",
                "--region", "r", "--access-key-id", "AKIA");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("secretAccessKey is required", "OCORE_SECRET_ACCESS_KEY", "--secrets-file");
        assertThat(gateway.requests()).isEmpty();
    }

    @Test
    void sftpTakesSecretsFromASecretsFile() throws Exception {
        Path secrets = home.resolve("sftp.json");
        Files.writeString(secrets, "{\"privateKey\":\"-----BEGIN OPENSSH PRIVATE KEY-----\\nabc\\n\",\"passphrase\":\"hunter22\"}");
        gateway.on("POST", "/api/backup-destinations", 201, """
                {"id":"d2","name":"Offsite","destinationType":"sftp","config":{"host":"backup.example.com","port":2222,
                 "username":"ocore","privateKey":"****","passphrase":"hunter22","path":"/srv/backups"},"isVerified":false}
                """);

        var result = cli.run("backup-destination", "create", "--name", "Offsite", "--type", "sftp",
                "--host", "backup.example.com", "--port", "2222", "--username", "ocore", "--path", "/srv/backups",
                "--secrets-file", secrets.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.only("POST", "/api/backup-destinations").json()).isEqualTo(Json.parse("""
                {"name":"Offsite","destinationType":"sftp","config":{"host":"backup.example.com","port":2222,
                 "username":"ocore","privateKey":"-----BEGIN OPENSSH PRIVATE KEY-----\\nabc\\n","passphrase":"hunter22",
                 "path":"/srv/backups"}}
                """));
        // even a server that echoes a secret back cannot make the CLI print it
        assertThat(result.out()).doesNotContain("hunter22").contains("config.passphrase:");
    }

    @Test
    void sftpPrivateKeyFromTheFileNamedByTheVariable() throws Exception {
        Path key = home.resolve("id_ed25519");
        Files.writeString(key, "-----BEGIN OPENSSH PRIVATE KEY-----\nxyz\n-----END OPENSSH PRIVATE KEY-----\n");
        cli.env.put("OCORE_SFTP_PRIVATE_KEY_FILE", key.toString());
        gateway.on("POST", "/api/backup-destinations", 201, "{\"id\":\"d3\",\"destinationType\":\"sftp\"}");

        var result = cli.run("backup-destination", "create", "--name", "k", "--type", "sftp", "--host", "h",
                "--username", "u", "--path", "/p");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.only("POST", "/api/backup-destinations").json().path("config").path("privateKey").asText())
                .isEqualTo(Files.readString(key));
    }

    @Test
    void oauthTypesNeedClientSecretAndRefreshToken() {
        cli.env.put("OCORE_CLIENT_SECRET", "client-secret-value");
        cli.env.put("OCORE_REFRESH_TOKEN", "refresh-token-value");
        gateway.on("POST", "/api/backup-destinations", 201, "{\"id\":\"d4\",\"destinationType\":\"gdrive\"}");

        var result = cli.run("backup-destination", "create", "--name", "Drive", "--type", "gdrive",
                "--client-id", "cid", "--folder-id", "fid");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.only("POST", "/api/backup-destinations").json()).isEqualTo(Json.parse("""
                {"name":"Drive","destinationType":"gdrive","config":{"clientId":"cid","clientSecret":"client-secret-value",
                 "refreshToken":"refresh-token-value","folderId":"fid"}}
                """));
    }

    @Test
    void refusesFlagsTheTypeDoesNotTakeAndUnknownTypes() {
        var stray = cli.run("backup-destination", "create", "--name", "n", "--type", "local", "--path", "/b",
                "--bucket", "x");
        assertThat(stray.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(stray.err()).contains("--bucket does not apply to type local");

        var unknown = cli.run("backup-destination", "create", "--name", "n", "--type", "ftp");
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.err()).contains("expected one of s3, s3_compatible, sftp, local, onedrive, gdrive");
        assertThat(gateway.requests()).isEmpty();
    }

    @Test
    void listShowsTheDestinationColumns() {
        gateway.on("GET", "/api/backup-destinations", 200, """
                [{"id":"d1","name":"Production S3 Bucket","destinationType":"s3","config":{},"isVerified":true,
                  "lastTestedAt":"2026-03-15T14:30:00Z"},
                 {"id":"d2","name":"Offsite","destinationType":"sftp","config":{},"isVerified":false,"lastTestedAt":null}]
                """);

        var result = cli.run("backup-destination", "list");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("""
                ID  NAME                  TYPE  VERIFIED  LAST_TESTED
                d1  Production S3 Bucket  s3    yes       2026-03-15T14:30:00Z
                d2  Offsite               sftp  no        -
                """);
    }

    @Test
    void jsonOutputIsTheServersJsonPrettyPrinted() {
        gateway.on("GET", "/api/backup-destinations/d1", 200, CREATED);

        var result = cli.run("backup-destination", "show", "d1", "--output", "json");

        assertThat(result.exitCode()).isZero();
        assertThat(Json.parse(result.out())).isEqualTo(Json.parse(CREATED));
        assertThat(result.out()).contains("\n  \"name\" : \"Production S3 Bucket\"");
    }

    @Test
    void updateChangesOnlyTheGivenFieldsAndSendsMaskedSecretsBack() {
        gateway.on("GET", "/api/backup-destinations/d1", 200, CREATED);
        gateway.on("PUT", "/api/backup-destinations/d1", 200, CREATED);
        cli.env.put("OCORE_SECRET_ACCESS_KEY", SECRET); // ambient: must not rotate without --rotate-secrets

        var result = cli.run("backup-destination", "update", "d1", "--region", "eu-central-1");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.only("PUT", "/api/backup-destinations/d1").json()).isEqualTo(Json.parse("""
                {"name":"Production S3 Bucket","destinationType":"s3",
                 "config":{"bucket":"ocore-backups","region":"eu-central-1","accessKeyId":"AKIAEXAMPLE","secretAccessKey":"****"}}
                """));
    }

    @Test
    void updateRotatesSecretsOnRequest() {
        gateway.on("GET", "/api/backup-destinations/d1", 200, CREATED);
        gateway.on("PUT", "/api/backup-destinations/d1", 200, CREATED);
        cli.env.put("OCORE_SECRET_ACCESS_KEY", SECRET);

        var result = cli.run("backup-destination", "update", "d1", "--rotate-secrets", "--access-key-id", "AKIANEW");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.only("PUT", "/api/backup-destinations/d1").json().path("config")).isEqualTo(Json.parse("""
                {"bucket":"ocore-backups","region":"eu-west-1","accessKeyId":"AKIANEW","secretAccessKey":"%s"}
                """.formatted(SECRET)));
        assertThat(result.out()).doesNotContain(SECRET);
    }

    @Test
    void testReportsSuccessAndFailure() {
        gateway.on("POST", "/api/backup-destinations/d1/test", 200,
                "{\"ok\":true,\"latencyMs\":42,\"error\":null,\"testedAt\":\"2026-03-15T14:30:00Z\"}");
        gateway.on("POST", "/api/backup-destinations/d2/test", 200,
                "{\"ok\":false,\"latencyMs\":null,\"error\":\"AccessDenied: s3:PutObject\",\"testedAt\":\"2026-03-15T14:30:00Z\"}");

        var ok = cli.run("backup-destination", "test", "d1");
        var failed = cli.run("backup-destination", "test", "d2");

        assertThat(ok.exitCode()).isZero();
        assertThat(ok.out()).contains("OK", "42 ms");
        assertThat(failed.exitCode()).isEqualTo(ExitCodes.ERROR);
        assertThat(failed.err()).contains("Destination d2 test failed: AccessDenied: s3:PutObject");
    }

    @Test
    void deleteConflictExitsFive() {
        gateway.on("DELETE", "/api/backup-destinations/d1", 409, """
                {"type":"https://ocore.io/problems/conflict","title":"Conflict","status":409,
                 "detail":"destination d1 is used by the schedule of environment e1"}
                """);
        gateway.on("DELETE", "/api/backup-destinations/d2", 204, null);

        var conflict = cli.run("backup-destination", "delete", "d1");
        var deleted = cli.run("backup-destination", "delete", "d2");

        assertThat(conflict.exitCode()).isEqualTo(ExitCodes.CONFLICT);
        assertThat(conflict.err()).isEqualTo("Error 409: Conflict\n  destination d1 is used by the schedule of environment e1\n");
        assertThat(deleted.exitCode()).isZero();
        assertThat(deleted.out()).isEqualTo("Deleted backup destination d2\n");
    }
}
