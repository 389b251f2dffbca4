package io.ocore.backups.cli.schedule;

import static io.ocore.backups.cli.http.ApiClient.seg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ocore.backups.cli.ApiCommand;
import io.ocore.backups.cli.CliException;
import io.ocore.backups.cli.ExitCodes;
import io.ocore.backups.cli.Json;
import io.ocore.backups.cli.output.Format;
import io.ocore.backups.cli.output.Output;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ocore backup schedule ...}: an environment's backup schedule and GFS retention. */
@Command(name = "schedule",
        description = "Show and change an environment's backup schedule and GFS retention.",
        subcommands = {
            ScheduleCommands.Set.class,
            ScheduleCommands.Get.class,
            ScheduleCommands.Preview.class,
        })
public class ScheduleCommands {

    /** The fields a PUT carries; the rest of a GET answer (nextDbBackupAt, ids, timestamps) is read-only. */
    static final List<String> WRITABLE = List.of("enabled", "dbFrequency", "fullFrequency", "retainHourly",
            "retainDaily", "retainWeekly", "retainMonthly", "walEnabled", "walRetentionDays", "timezone",
            "destinationIds");

    static String path(String environment) {
        return "/api/environments/" + seg(environment) + "/backup-schedule";
    }

    static void show(Output out, JsonNode schedule) {
        Map<String, String> fields = Output.fieldMap();
        fields.put("Enabled", Format.yesNo(schedule, "enabled"));
        fields.put("DB frequency", Json.text(schedule, "dbFrequency"));
        fields.put("Full frequency", Json.text(schedule, "fullFrequency"));
        fields.put("Retain hourly", Json.text(schedule, "retainHourly"));
        fields.put("Retain daily", Json.text(schedule, "retainDaily"));
        fields.put("Retain weekly", Json.text(schedule, "retainWeekly"));
        fields.put("Retain monthly", Json.text(schedule, "retainMonthly"));
        fields.put("WAL archiving", Format.yesNo(schedule, "walEnabled"));
        fields.put("WAL retention days", Json.text(schedule, "walRetentionDays"));
        fields.put("Time zone", schedule.hasNonNull("timezone") ? Json.text(schedule, "timezone") : "UTC");
        fields.put("Destinations", Format.join(schedule, "destinationIds"));
        fields.put("Next DB backup", Json.text(schedule, "nextDbBackupAt"));
        fields.put("Next full backup", Json.text(schedule, "nextFullBackupAt"));
        out.fields(schedule, fields);
    }

    @Command(name = "set", description = {
        "Change the schedule: only the flags given.",
        "Reads the current schedule and changes only the flags given (`set --retain-daily 9` changes just"
            + " retainDaily). On an environment with no schedule yet (no destinations), giving --destinations"
            + " also enables it unless --disabled is given."})
    static class Set extends ApiCommand {
        @Option(names = "--environment", required = true, paramLabel = "ENV", description = "Environment id.")
        String environment;

        @Option(names = "--enabled", description = "Run the schedule.")
        boolean enable;

        @Option(names = "--disabled", description = "Pause the schedule.")
        boolean disable;

        @Option(names = "--db-frequency", paramLabel = "FREQ", description = "hourly, 6h, 12h or daily.")
        String dbFrequency;

        @Option(names = "--full-frequency", paramLabel = "FREQ", description = "daily or weekly.")
        String fullFrequency;

        @Option(names = "--retain-hourly", paramLabel = "N", description = "Hourly backups to keep (>= 0).")
        Integer retainHourly;

        @Option(names = "--retain-daily", paramLabel = "N", description = "Daily backups to keep (>= 0).")
        Integer retainDaily;

        @Option(names = "--retain-weekly", paramLabel = "N", description = "Weekly backups to keep (>= 0).")
        Integer retainWeekly;

        @Option(names = "--retain-monthly", paramLabel = "N", description = "Monthly backups to keep (>= 0).")
        Integer retainMonthly;

        @Option(names = "--wal", negatable = true, description = "Archive WAL for point-in-time recovery (--no-wal: stop).")
        Boolean wal;

        @Option(names = "--wal-retention-days", paramLabel = "N", description = "Days of WAL to keep (>= 1).")
        Integer walRetentionDays;

        @Option(names = "--timezone", paramLabel = "TZ", description = "Time zone of the GFS periods, e.g. Europe/Brussels (default UTC).")
        String timezone;

        @Option(names = "--destinations", split = ",", paramLabel = "ID", description = "Destination ids, comma separated.")
        List<String> destinations;

        @Override
        protected int run() {
            if (enable && disable) {
                throw CliException.usage("--enabled and --disabled are mutually exclusive");
            }
            oneOf("--db-frequency", dbFrequency, List.of("hourly", "6h", "12h", "daily"));
            oneOf("--full-frequency", fullFrequency, List.of("daily", "weekly"));

            JsonNode current = api().get(path(environment));
            ObjectNode body = Json.object();
            for (String field : WRITABLE) {
                if (current.has(field)) {
                    body.set(field, current.get(field).deepCopy());
                }
            }
            boolean neverConfigured = !current.path("enabled").asBoolean(false)
                    && current.path("destinationIds").isEmpty();
            if (dbFrequency != null) {
                body.put("dbFrequency", dbFrequency);
            }
            if (fullFrequency != null) {
                body.put("fullFrequency", fullFrequency);
            }
            putIfSet(body, "retainHourly", retainHourly);
            putIfSet(body, "retainDaily", retainDaily);
            putIfSet(body, "retainWeekly", retainWeekly);
            putIfSet(body, "retainMonthly", retainMonthly);
            if (wal != null) {
                body.put("walEnabled", wal);
            }
            putIfSet(body, "walRetentionDays", walRetentionDays);
            if (timezone != null) {
                body.put("timezone", timezone);
            }
            if (destinations != null) {
                ArrayNode ids = body.putArray("destinationIds");
                destinations.stream().map(String::strip).filter(s -> !s.isEmpty()).forEach(ids::add);
            }
            if (enable || disable) {
                body.put("enabled", enable);
            } else if (neverConfigured && !body.path("destinationIds").isEmpty()) {
                // First `set` with destinations, as in the seed's example: the user is creating the schedule.
                body.put("enabled", true);
            }
            show(out(), api().put(path(environment), body));
            return ExitCodes.OK;
        }

        private static void putIfSet(ObjectNode body, String field, Integer value) {
            if (value != null) {
                body.put(field, value);
            }
        }
    }

    @Command(name = "get", description = "Show the schedule (the recommended one, disabled, before any set).")
    static class Get extends ApiCommand {
        @Option(names = "--environment", required = true, paramLabel = "ENV", description = "Environment id.")
        String environment;

        @Override
        protected int run() {
            show(out(), api().get(path(environment)));
            return ExitCodes.OK;
        }
    }

    @Command(name = "preview", description = "Which existing backups each GFS tier keeps, and which the next pruning deletes.")
    static class Preview extends ApiCommand {
        @Option(names = "--environment", required = true, paramLabel = "ENV", description = "Environment id.")
        String environment;

        @Override
        protected int run() {
            out().generic(api().get(path(environment) + "/retention-preview"));
            return ExitCodes.OK;
        }
    }
}
