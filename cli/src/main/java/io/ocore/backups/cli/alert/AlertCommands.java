package io.ocore.backups.cli.alert;

import static io.ocore.backups.cli.http.ApiClient.seg;

import com.fasterxml.jackson.databind.JsonNode;
import io.ocore.backups.cli.ApiCommand;
import io.ocore.backups.cli.ExitCodes;
import io.ocore.backups.cli.Json;
import io.ocore.backups.cli.output.Format;
import io.ocore.backups.cli.output.Output.Column;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ocore backup alerts ...}: failed backups, unreachable destinations, retention warnings. */
@Command(name = "alerts",
        description = "List and acknowledge backup alerts.",
        subcommands = {
            AlertCommands.ListAlerts.class,
            AlertCommands.Read.class,
            AlertCommands.ReadAll.class,
        })
public class AlertCommands {

    static final String PATH = "/api/backup-alerts";

    @Command(name = "list", description = "List alerts, newest first.")
    static class ListAlerts extends ApiCommand {
        @Option(names = "--unread", description = "Only alerts not yet read.")
        boolean unread;

        @Option(names = "--severity", paramLabel = "SEVERITY", description = "info, warning, error or critical.")
        String severity;

        @Option(names = "--type", paramLabel = "TYPE",
                description = "Alert type, e.g. backup_failed, destination_unreachable, retention_warning.")
        String type;

        @Option(names = "--environment", paramLabel = "ENV", description = "Only this environment's alerts.")
        String environment;

        @Override
        protected int run() {
            oneOf("--severity", severity, List.of("info", "warning", "error", "critical"));
            Map<String, Object> query = new LinkedHashMap<>();
            query.put("isRead", unread ? "false" : null);
            query.put("severity", severity);
            query.put("alertType", type);
            query.put("environmentId", environment);
            out().list(api().listAll(PATH, query, null), List.of(
                    Column.field("ID", "id"),
                    Column.field("SEVERITY", "severity"),
                    Column.field("TYPE", "alertType"),
                    Column.of("READ", a -> Format.yesNo(a, "isRead")),
                    Column.field("ENVIRONMENT", "environmentId"),
                    Column.field("CREATED", "createdAt"),
                    Column.field("MESSAGE", "message")));
            return ExitCodes.OK;
        }
    }

    @Command(name = "read", description = "Mark an alert read.")
    static class Read extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "Alert id.")
        String id;

        @Override
        protected int run() {
            JsonNode answer = api().post(PATH + "/" + seg(id) + "/read", null);
            if (out().json()) {
                if (!answer.isMissingNode()) {
                    out().printJson(answer);
                }
            } else {
                ctx().println("Marked alert " + id + " read");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "read-all", description = "Mark every alert read.")
    static class ReadAll extends ApiCommand {
        @Override
        protected int run() {
            JsonNode answer = api().post(PATH + "/read-all", null);
            if (out().json()) {
                if (!answer.isMissingNode()) {
                    out().printJson(answer);
                }
            } else {
                String count = answer.isObject() ? Json.text(answer, "updated") : null;
                ctx().println(count != null ? "Marked " + count + " alerts read" : "Marked all alerts read");
            }
            return ExitCodes.OK;
        }
    }
}
