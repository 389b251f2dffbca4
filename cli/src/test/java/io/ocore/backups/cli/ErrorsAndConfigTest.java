package io.ocore.backups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ErrorsAndConfigTest {

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

    private static String problem(int status, String title, String detail) {
        return "{\"type\":\"https://ocore.io/problems/x\",\"title\":\"" + title + "\",\"status\":" + status
                + ",\"detail\":\"" + detail + "\"}";
    }

    @Test
    void validationProblemIsRenderedWithItsFields() {
        cli.env.put("OCORE_SECRET_ACCESS_KEY", "secret-value-1");
        gateway.on("POST", "/api/backup-destinations", 400, """
                {"type":"https://ocore.io/problems/validation","title":"Validation failed","status":400,
                 "detail":"config.bucket: must not be blank","errors":[{"field":"config.bucket","message":"must not be blank"}]}
                """);

        var result = cli.run("backup-destination", "create", "--name", "n", "--type", "s3", "--bucket", " ",
                "--region", "r", "--access-key-id", "AKIA");

        assertThat(result.exitCode()).isEqualTo(6);
        assertThat(result.err()).isEqualTo("Error 400: Validation failed\n  config.bucket: must not be blank\n");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void statusesMapToTheDocumentedExitCodes() {
        gateway.on("GET", "/api/backups/a", 401, problem(401, "Unauthorized", "token expired"))
                .on("GET", "/api/backups/b", 403, problem(403, "Forbidden", "needs view:environments"))
                .on("GET", "/api/backups/c", 413, problem(413, "Payload Too Large", "body over 1 MiB"))
                .on("GET", "/api/backups/d", 422, problem(422, "Unprocessable Content", "no"))
                .on("GET", "/api/backups/e", 500, problem(500, "Internal Server Error", "boom"))
                .on("GET", "/api/backups/f", 502, "<html>bad gateway</html>");

        assertThat(cli.run("backup", "show", "a").exitCode()).isEqualTo(3);
        assertThat(cli.run("backup", "show", "b").exitCode()).isEqualTo(3);
        assertThat(cli.run("backup", "show", "c").exitCode()).isEqualTo(6);
        assertThat(cli.run("backup", "show", "d").exitCode()).isEqualTo(6);
        assertThat(cli.run("backup", "show", "e").exitCode()).isEqualTo(1);
        var proxy = cli.run("backup", "show", "f");
        assertThat(proxy.exitCode()).isEqualTo(1);
        assertThat(proxy.err()).isEqualTo("Error 502: Bad Gateway\n  <html>bad gateway</html>\n");
        assertThat(cli.run("backup", "show", "a").err())
                .isEqualTo("Error 401: Unauthorized\n  token expired\n"
                        + "  (set OCORE_TOKEN, --token or \"token\" in ~/.config/ocore/config.json)\n");
    }

    @Test
    void connectionRefusedExitsSevenNamingTheUrl() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        cli.env.put("OCORE_URL", "http://127.0.0.1:" + port);

        var result = cli.run("backup-destination", "list");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.CONNECTION);
        assertThat(result.err()).isEqualTo("Error: Cannot connect to the oCore gateway at http://127.0.0.1:" + port
                + ": connection refused (check OCORE_URL or --url)\n");
    }

    @Test
    void configFileIsUsedWhenTheVariablesAreUnsetAndFlagsWin() throws Exception {
        cli.env.clear();
        Path config = home.resolve(".config/ocore/config.json");
        Files.createDirectories(config.getParent());
        Files.writeString(config, "{\"url\":\"" + gateway.url() + "/\",\"token\":\"file-token\"}");
        gateway.on("GET", "/api/backup-destinations", 200, "[]");

        var fromFile = cli.run("backup-destination", "list");
        cli.env.put("OCORE_TOKEN", "env-token");
        var fromEnv = cli.run("backup-destination", "list");
        var fromFlag = cli.run("backup-destination", "list", "--token", "flag-token");
        var fromRootFlag = cli.run("--token", "root-token", "backup-destination", "list");

        assertThat(fromFile.exitCode()).as(fromFile.err()).isZero();
        assertThat(fromFile.out()).isEqualTo("ID  NAME  TYPE  VERIFIED  LAST_TESTED\n");
        assertThat(gateway.requests()).extracting(FakeGateway.Request::authorization).containsExactly(
                "Bearer file-token", "Bearer env-token", "Bearer flag-token", "Bearer root-token");
        assertThat(fromEnv.exitCode() + fromFlag.exitCode() + fromRootFlag.exitCode()).isZero();
    }

    @Test
    void urlFlagOverridesTheVariable() {
        cli.env.put("OCORE_URL", "http://127.0.0.1:1");
        gateway.on("GET", "/api/backup-destinations", 200, "[]");

        var result = cli.run("backup-destination", "list", "--url", gateway.url());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.requests()).hasSize(1);
    }

    @Test
    void secretsEchoedByTheServerAreNeverPrinted() {
        cli.env.put("OCORE_SECRET_ACCESS_KEY", "very-secret-key-42");
        cli.env.put("OCORE_TOKEN", "token-that-must-not-show");
        gateway.on("POST", "/api/backup-destinations", 400, """
                {"title":"Validation failed","status":400,"errors":[{"field":"config.secretAccessKey",
                 "message":"very-secret-key-42 is not a valid key for token-that-must-not-show"}]}
                """);

        var result = cli.run("backup-destination", "create", "--name", "n", "--type", "s3", "--bucket", "b",
                "--region", "r", "--access-key-id", "AKIA", "-o", "json");

        assertThat(result.exitCode()).isEqualTo(6);
        assertThat(result.err()).isEqualTo("Error 400: Validation failed\n  config.secretAccessKey: **** is not a valid key for ****\n");
    }

    @Test
    void versionHelpAndUsageErrors() {
        var version = cli.run("--version");
        var help = cli.run("--help");
        var subHelp = cli.run("backup", "create", "--help");
        var unknown = cli.run("backup", "create", "--environment", "e", "--type", "full", "--bogus");
        var missing = cli.run("backup", "create", "--type", "full");
        var badOutput = cli.run("backup-destination", "list", "--output", "yaml");
        var noCommand = cli.run();

        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).matches("ocore \\S+\n");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("backup-destination", "environment", "backup", "restore", "Exit codes:");
        assertThat(subHelp.exitCode()).isZero();
        assertThat(subHelp.out()).contains("--environment=ENV", "--wait", "--timeout");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown option: '--bogus'");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required option: '--environment=ENV'");
        assertThat(badOutput.exitCode()).isEqualTo(2);
        assertThat(noCommand.exitCode()).isEqualTo(2);
        assertThat(gateway.requests()).isEmpty();
    }

    @Test
    void badConfigFileIsAUsageError() throws Exception {
        cli.env.clear();
        Path config = home.resolve(".config/ocore/config.json");
        Files.createDirectories(config.getParent());
        Files.writeString(config, "{not json");

        var result = cli.run("backup-destination", "list");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("cannot read config file");
    }
}
