package io.ocore.backups.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleCommandsTest {

    static final String PATH = "/api/environments/e1/backup-schedule";
    static final String RECOMMENDED = """
            {"environmentId":"e1","enabled":false,"dbFrequency":"6h","fullFrequency":"daily","retainHourly":24,
             "retainDaily":7,"retainWeekly":4,"retainMonthly":12,"walEnabled":false,"walRetentionDays":7,
             "destinationIds":[],"nextDbBackupAt":null,"nextFullBackupAt":null}
            """;
    static final String CONFIGURED = """
            {"environmentId":"e1","enabled":true,"dbFrequency":"12h","fullFrequency":"weekly","retainHourly":0,
             "retainDaily":5,"retainWeekly":2,"retainMonthly":1,"walEnabled":true,"walRetentionDays":3,
             "timezone":"Europe/Brussels","destinationIds":["d1"],"nextDbBackupAt":"2026-03-15T18:00:00Z",
             "nextFullBackupAt":"2026-03-16T00:00:00Z","updatedAt":"2026-03-15T14:30:00Z"}
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
    void seedExampleCreatesAndEnablesTheSchedule() {
        gateway.on("GET", PATH, 200, RECOMMENDED).on("PUT", PATH, 200, CONFIGURED);

        var result = cli.run("backup", "schedule", "set", "--environment", "e1", "--db-frequency", "6h",
                "--full-frequency", "daily", "--retain-hourly", "24", "--retain-daily", "7",
                "--destinations", "DEST_UUID_1,DEST_UUID_2");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.requests()).extracting(FakeGateway.Request::method).containsExactly("GET", "PUT");
        assertThat(gateway.only("PUT", PATH).json()).isEqualTo(Json.parse("""
                {"enabled":true,"dbFrequency":"6h","fullFrequency":"daily","retainHourly":24,"retainDaily":7,
                 "retainWeekly":4,"retainMonthly":12,"walEnabled":false,"walRetentionDays":7,
                 "destinationIds":["DEST_UUID_1","DEST_UUID_2"]}
                """));
        assertThat(result.out()).contains("Next DB backup:", "2026-03-15T18:00:00Z");
    }

    @Test
    void setChangesOnlyTheFlagsGiven() {
        gateway.on("GET", PATH, 200, CONFIGURED).on("PUT", PATH, 200, CONFIGURED);

        var result = cli.run("backup", "schedule", "set", "--environment", "e1", "--retain-daily", "9");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.only("PUT", PATH).json()).isEqualTo(Json.parse("""
                {"enabled":true,"dbFrequency":"12h","fullFrequency":"weekly","retainHourly":0,"retainDaily":9,
                 "retainWeekly":2,"retainMonthly":1,"walEnabled":true,"walRetentionDays":3,
                 "timezone":"Europe/Brussels","destinationIds":["d1"]}
                """));
    }

    @Test
    void setTogglesEnabledWalAndTimezone() {
        gateway.on("GET", PATH, 200, CONFIGURED).on("PUT", PATH, 200, CONFIGURED);

        var result = cli.run("backup", "schedule", "set", "--environment", "e1", "--disabled", "--no-wal",
                "--wal-retention-days", "14", "--timezone", "UTC", "--retain-monthly", "0");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.only("PUT", PATH).json()).isEqualTo(Json.parse("""
                {"enabled":false,"dbFrequency":"12h","fullFrequency":"weekly","retainHourly":0,"retainDaily":5,
                 "retainWeekly":2,"retainMonthly":0,"walEnabled":false,"walRetentionDays":14,
                 "timezone":"UTC","destinationIds":["d1"]}
                """));
    }

    @Test
    void setWithoutDestinationsLeavesANeverConfiguredScheduleDisabled() {
        gateway.on("GET", PATH, 200, RECOMMENDED).on("PUT", PATH, 200, RECOMMENDED);

        var result = cli.run("backup", "schedule", "set", "--environment", "e1", "--wal");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(gateway.only("PUT", PATH).json().path("enabled").asBoolean()).isFalse();
        assertThat(gateway.only("PUT", PATH).json().path("walEnabled").asBoolean()).isTrue();
    }

    @Test
    void badValuesAreRefusedBeforeAnyRequest() {
        var frequency = cli.run("backup", "schedule", "set", "--environment", "e1", "--db-frequency", "3h");
        var both = cli.run("backup", "schedule", "set", "--environment", "e1", "--enabled", "--disabled");
        var notANumber = cli.run("backup", "schedule", "set", "--environment", "e1", "--retain-daily", "many");

        assertThat(frequency.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(frequency.err()).contains("invalid value '3h' for --db-frequency: expected one of hourly, 6h, 12h, daily");
        assertThat(both.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(notANumber.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(gateway.requests()).isEmpty();
    }

    @Test
    void serverValidationIsRenderedFieldByField() {
        gateway.on("GET", PATH, 200, CONFIGURED).on("PUT", PATH, 400, """
                {"type":"https://ocore.io/problems/validation","title":"Validation failed","status":400,
                 "detail":"2 fields are invalid","errors":[{"field":"retainDaily","message":"must be greater than or equal to 0"},
                 {"field":"walRetentionDays","message":"must be greater than or equal to 1"}]}
                """);

        var result = cli.run("backup", "schedule", "set", "--environment", "e1", "--retain-daily", "-1",
                "--wal-retention-days", "0");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.VALIDATION);
        assertThat(result.err()).isEqualTo("""
                Error 400: Validation failed
                  retainDaily: must be greater than or equal to 0
                  walRetentionDays: must be greater than or equal to 1
                """);
    }

    @Test
    void getAndPreview() {
        gateway.on("GET", PATH, 200, CONFIGURED).on("GET", PATH + "/retention-preview", 200, """
                {"keep":{"daily":[{"backupId":"b1","createdAt":"2026-03-14T00:00:00Z"}],"hourly":[]},
                 "delete":[{"backupId":"b0","createdAt":"2026-01-01T00:00:00Z"}]}
                """);

        var get = cli.run("backup", "schedule", "get", "--environment", "e1");
        var preview = cli.run("backup", "schedule", "preview", "--environment", "e1");

        assertThat(get.exitCode()).isZero();
        assertThat(get.out()).contains("Enabled:", "yes", "DB frequency:", "12h", "Time zone:", "Europe/Brussels",
                "Destinations:", "d1");
        assertThat(preview.exitCode()).isZero();
        assertThat(preview.out()).isEqualTo("""
                keep:
                  daily:
                    - backupId: b1
                      createdAt: 2026-03-14T00:00:00Z
                  hourly: []
                delete:
                  - backupId: b0
                    createdAt: 2026-01-01T00:00:00Z
                """);
    }
}
