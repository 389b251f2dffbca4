package io.ocore.backups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertAndEnvironmentCommandsTest {

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
    void alertsListPassesTheFilters() {
        gateway.on("GET", "/api/backup-alerts", 200, """
                [{"id":"a1","alertType":"backup_failed","severity":"error","message":"Backup b1 failed: disk full",
                  "isRead":false,"environmentId":"e1","destinationId":null,"backupId":"b1","createdAt":"2026-03-15T14:30:00Z"}]
                """);

        var result = cli.run("backup", "alerts", "list", "--unread", "--severity", "error", "--type", "backup_failed",
                "--environment", "e1");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.only("GET", "/api/backup-alerts").query())
                .isEqualTo("isRead=false&severity=error&alertType=backup_failed&environmentId=e1");
        assertThat(result.out()).isEqualTo("""
                ID  SEVERITY  TYPE           READ  ENVIRONMENT  CREATED               MESSAGE
                a1  error     backup_failed  no    e1           2026-03-15T14:30:00Z  Backup b1 failed: disk full
                """);
    }

    @Test
    void alertsReadAndReadAll() {
        gateway.on("POST", "/api/backup-alerts/a1/read", 204, null)
                .on("POST", "/api/backup-alerts/read-all", 200, "{\"updated\":3}");

        var read = cli.run("backup", "alerts", "read", "a1");
        var all = cli.run("backup", "alerts", "read-all");

        assertThat(read.exitCode()).isZero();
        assertThat(read.out()).isEqualTo("Marked alert a1 read\n");
        assertThat(all.exitCode()).isZero();
        assertThat(all.out()).isEqualTo("Marked 3 alerts read\n");
        assertThat(gateway.requests()).extracting(r -> r.method() + " " + r.path())
                .containsExactly("POST /api/backup-alerts/a1/read", "POST /api/backup-alerts/read-all");
    }

    @Test
    void environmentCreateTakesThePasswordFromTheEnvironment() {
        cli.env.put("OCORE_DB_PASSWORD", "odoo-db-secret");
        gateway.on("POST", "/api/environments", 201, """
                {"id":"e1","name":"acme-prod","projectId":"p1","environmentType":"production",
                 "database":{"host":"db.internal","port":5432,"name":"acme","user":"odoo","password":"****"},
                 "filestorePath":"/var/lib/odoo/filestore/acme","configPath":"/etc/odoo/odoo.conf"}
                """);

        var result = cli.run("environment", "create", "--name", "acme-prod", "--project", "p1", "--type", "production",
                "--db-host", "db.internal", "--db-name", "acme", "--db-user", "odoo",
                "--filestore-path", "/var/lib/odoo/filestore/acme", "--config-path", "/etc/odoo/odoo.conf");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.only("POST", "/api/environments").json()).isEqualTo(Json.parse("""
                {"name":"acme-prod","projectId":"p1","environmentType":"production",
                 "database":{"host":"db.internal","port":5432,"name":"acme","user":"odoo","password":"odoo-db-secret"},
                 "filestorePath":"/var/lib/odoo/filestore/acme","configPath":"/etc/odoo/odoo.conf"}
                """));
        assertThat(result.out()).contains("odoo@db.internal:5432/acme").doesNotContain("odoo-db-secret");
    }

    @Test
    void environmentListAndShow() {
        gateway.on("GET", "/api/environments", 200, """
                [{"id":"e1","name":"acme-prod","projectId":"p1","environmentType":"production",
                  "database":{"host":"db","port":5432,"name":"acme","user":"odoo"}}]
                """).on("GET", "/api/environments/e1", 200, "{\"id\":\"e1\",\"name\":\"acme-prod\"}");

        var list = cli.run("environment", "list", "--project", "p1");
        var show = cli.run("environment", "show", "e1", "--output", "json");

        assertThat(list.exitCode()).isZero();
        assertThat(gateway.only("GET", "/api/environments").query()).isEqualTo("projectId=p1");
        assertThat(list.out()).isEqualTo("""
                ID  NAME       TYPE        PROJECT  DATABASE
                e1  acme-prod  production  p1       odoo@db:5432/acme
                """);
        assertThat(Json.parse(show.out())).isEqualTo(Json.parse("{\"id\":\"e1\",\"name\":\"acme-prod\"}"));
    }
}
