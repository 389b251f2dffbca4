package io.ocore.backups.cli.backup;

import static io.ocore.backups.cli.http.ApiClient.seg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ocore.backups.cli.ApiCommand;
import io.ocore.backups.cli.CliException;
import io.ocore.backups.cli.ExitCodes;
import io.ocore.backups.cli.Json;
import io.ocore.backups.cli.WaitOptions;
import io.ocore.backups.cli.Waiter;
import io.ocore.backups.cli.alert.AlertCommands;
import io.ocore.backups.cli.http.ApiException;
import io.ocore.backups.cli.output.Format;
import io.ocore.backups.cli.output.Output;
import io.ocore.backups.cli.output.Output.Column;
import io.ocore.backups.cli.restore.RestoreBackupCommand;
import io.ocore.backups.cli.schedule.ScheduleCommands;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ocore backup ...}: backups of an environment, and its schedule, restores and alerts. */
@Command(name = "backup",
        description = "Create, list and delete backups; schedules, restores and alerts.",
        subcommands = {
            BackupCommands.Create.class,
            BackupCommands.ListBackups.class,
            BackupCommands.Show.class,
            BackupCommands.Delete.class,
            BackupCommands.Snapshots.class,
            DownloadCommand.class,
            VerifyCommand.class,
            ScheduleCommands.class,
            RestoreBackupCommand.class,
            AlertCommands.class,
        })
public class BackupCommands {

    static final List<Column> COLUMNS = List.of(
            Column.field("ID", "id"),
            Column.field("TYPE", "backupType"),
            Column.field("TRIGGER", "trigger"),
            Column.field("STATUS", "status"),
            Column.of("SIZE", b -> Format.bytes(b, "sizeBytes")),
            Column.of("TIERS", b -> Format.join(b, "gfsTiers")),
            Column.field("CREATED", "createdAt"));

    /** The backup's fields for people. */
    public static void show(Output out, JsonNode backup) {
        Map<String, String> fields = Output.fieldMap();
        fields.put("ID", Json.text(backup, "id"));
        fields.put("Environment", Json.text(backup, "environmentId"));
        fields.put("Type", Json.text(backup, "backupType"));
        fields.put("Trigger", Json.text(backup, "trigger"));
        fields.put("Status", Json.text(backup, "status"));
        JsonNode progress = backup.path("progress");
        if (progress.isObject() && !"completed".equals(Json.text(backup, "status"))) {
            String phase = Json.text(progress, "phase");
            String done = Format.bytes(progress, "bytesDone");
            fields.put("Progress", (phase != null ? phase : "") + (done != null ? " " + done : ""));
        }
        fields.put("Size", Format.bytes(backup, "sizeBytes"));
        fields.put("GFS tiers", Format.join(backup, "gfsTiers"));
        fields.put("Checksums", Format.join(backup, "checksums"));
        fields.put("Remote paths", Format.join(backup, "remotePaths"));
        fields.put("Failed destinations", Format.join(backup, "failedDestinations"));
        fields.put("Error", Json.text(backup, "error"));
        fields.put("Started", Json.text(backup, "startedAt"));
        fields.put("Completed", Json.text(backup, "completedAt"));
        fields.put("Created", Json.text(backup, "createdAt"));
        out.fields(backup, fields);
    }

    /** {@code --wait} for a backup: polls until completed or failed (exit 8, with the error). */
    static JsonNode await(Waiter waiter, String id, Duration timeout,
            java.util.function.Function<String, JsonNode> fetch) {
        return waiter.await("backup", id, () -> fetch.apply(id), backup -> {
            JsonNode progress = backup.path("progress");
            JsonNode bytes = progress.get("bytesDone");
            return new Waiter.Progress(Json.text(backup, "status"), Json.text(progress, "phase"), null,
                    bytes != null && bytes.isNumber() ? bytes.asLong() : null, null);
        }, timeout);
    }

    @Command(name = "create", description = "Start a manual backup of an environment (202).")
    static class Create extends ApiCommand {
        @Option(names = "--environment", required = true, paramLabel = "ENV", description = "Environment id.")
        String environment;

        @Option(names = "--type", required = true, paramLabel = "TYPE",
                description = "db (database dump) or full (database + filestore + config).")
        String type;

        @Option(names = "--destinations", split = ",", paramLabel = "ID",
                description = "Destination ids, comma separated (default: the schedule's).")
        List<String> destinations;

        @Mixin
        WaitOptions waiting;

        @Override
        protected int run() {
            oneOf("--type", type, List.of("db", "full"));
            ObjectNode body = Json.object();
            body.put("backupType", type);
            if (destinations != null && !destinations.isEmpty()) {
                var ids = body.putArray("destinationIds");
                destinations.stream().map(String::strip).filter(s -> !s.isEmpty()).forEach(ids::add);
            }
            JsonNode backup = api().post("/api/environments/" + seg(environment) + "/backups", body);
            if (!waiting.wait) {
                show(out(), backup);
                return ExitCodes.OK;
            }
            String id = Json.text(backup, "id");
            if (id == null) {
                throw new CliException(ExitCodes.ERROR, "The server's answer has no backup id to wait for");
            }
            JsonNode last = await(new Waiter(ctx()), id, waiting.timeout, b -> api().get("/api/backups/" + seg(b)));
            show(out(), last);
            if (Waiter.failed(last)) {
                String error = Json.text(last, "error");
                throw new CliException(ExitCodes.OPERATION_FAILED, "Backup " + id + " failed"
                        + (error != null ? ": " + error : ""));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", description = "List an environment's backups, newest first (follows pagination).")
    static class ListBackups extends ApiCommand {
        @Option(names = "--environment", required = true, paramLabel = "ENV", description = "Environment id.")
        String environment;

        @Option(names = "--status", paramLabel = "STATUS", description = "pending, in_progress, completed or failed.")
        String status;

        @Option(names = "--type", paramLabel = "TYPE", description = "db or full.")
        String type;

        @Option(names = "--limit", paramLabel = "N", description = "At most N backups (default: all).")
        Integer limit;

        @Override
        protected int run() {
            oneOf("--status", status, List.of("pending", "in_progress", "completed", "failed"));
            oneOf("--type", type, List.of("db", "full"));
            if (limit != null && limit < 1) {
                throw CliException.usage("--limit must be at least 1");
            }
            Map<String, Object> query = new LinkedHashMap<>();
            query.put("status", status);
            query.put("backupType", type);
            query.put("limit", limit);
            out().list(api().listAll("/api/environments/" + seg(environment) + "/backups", query, limit), COLUMNS);
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", description = "Show one backup: status, progress, checksums, tiers, remote paths.")
    static class Show extends ApiCommand {
        @Parameters(paramLabel = "BACKUP", description = "Backup id.")
        String id;

        @Override
        protected int run() {
            show(out(), api().get("/api/backups/" + seg(id)));
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete", description = "Delete a backup from every destination: accepted at once (status "
            + "deleting); it leaves the catalogue once every copy is gone. --wait polls until then.")
    static class Delete extends ApiCommand {
        @Parameters(paramLabel = "BACKUP", description = "Backup id.")
        String id;

        @Mixin
        WaitOptions waiting;

        @Override
        protected int run() {
            JsonNode answer = api().delete("/api/backups/" + seg(id));
            if (!waiting.wait) {
                if (out().json()) {
                    if (!answer.isMissingNode()) {
                        out().printJson(answer);
                    }
                } else {
                    String status = Json.text(answer, "status");
                    ctx().println("Deletion of backup " + id + " accepted (status " + (status == null ? "deleting"
                            : status) + "); it is removed from every destination, then leaves the catalogue");
                }
                return ExitCodes.OK;
            }
            // deleting until every copy on every destination is gone; then the backup answers 404
            new Waiter(ctx()).await("backup", id, () -> {
                try {
                    return api().get("/api/backups/" + seg(id));
                } catch (ApiException e) {
                    if (e.status() == 404) {
                        return Json.object().put("status", Waiter.DELETED);
                    }
                    throw e;
                }
            }, b -> new Waiter.Progress(Json.text(b, "status"), null, null, null, null), waiting.timeout);
            if (out().json()) {
                out().printJson(Json.object().put("id", id).put("status", Waiter.DELETED));
            } else {
                ctx().println("Deleted backup " + id + " from every destination");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "snapshots", description = "List an environment's pre-restore snapshots.")
    static class Snapshots extends ApiCommand {
        @Option(names = "--environment", required = true, paramLabel = "ENV", description = "Environment id.")
        String environment;

        @Override
        protected int run() {
            out().list(api().listAll("/api/environments/" + seg(environment) + "/snapshots", Map.of(), null), COLUMNS);
            return ExitCodes.OK;
        }
    }
}
