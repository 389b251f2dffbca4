package io.ocore.backups.cli.restore;

import static io.ocore.backups.cli.http.ApiClient.seg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ocore.backups.cli.ApiCommand;
import io.ocore.backups.cli.CliException;
import io.ocore.backups.cli.ExitCodes;
import io.ocore.backups.cli.Json;
import io.ocore.backups.cli.WaitOptions;
import io.ocore.backups.cli.Waiter;
import io.ocore.backups.cli.http.ApiClient;
import io.ocore.backups.cli.output.Format;
import io.ocore.backups.cli.output.Output;
import io.ocore.backups.cli.output.Output.Column;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ocore restore ...}: follow a restore started with {@code ocore backup restore}; neutralize in place. */
@Command(name = "restore",
        description = "Follow restores: progress and per-step logs; neutralize an environment in place.",
        subcommands = {
            RestoreCommands.Show.class,
            RestoreCommands.Logs.class,
            RestoreCommands.Neutralize.class,
        })
public class RestoreCommands {

    static String path(String restoreId) {
        return "/api/restores/" + seg(restoreId);
    }

    static void show(Output out, String id, JsonNode restore) {
        Map<String, String> fields = Output.fieldMap();
        fields.put("ID", Json.text(restore, "id") != null ? Json.text(restore, "id") : id);
        fields.put("Status", Json.text(restore, "status"));
        fields.put("Target", Json.text(restore, "targetType"));
        fields.put("Target environment", Json.text(restore, "targetEnvironmentId"));
        fields.put("Pre-restore snapshot", Json.text(restore, "preRestoreSnapshotId"));
        JsonNode progress = restore.path("progress");
        if (progress.isObject()) {
            fields.put("Step", Json.text(progress, "step"));
            String percent = Json.text(progress, "percent");
            String done = Format.bytes(progress, "bytesDone");
            String total = Format.bytes(progress, "bytesTotal");
            fields.put("Progress", (percent != null ? percent + "%" : "")
                    + (done != null ? " " + done + (total != null ? " / " + total : "") : ""));
            // a point-in-time restore's WAL replay (docs/restores.md, progress.replay)
            JsonNode replay = progress.path("replay");
            if (replay.isObject()) {
                String at = Json.text(replay, "replayedLsn");
                String replayed = Format.bytes(replay, "bytesReplayed");
                String toReplay = Format.bytes(replay, "bytesToReplay");
                fields.put("WAL replay", (at != null ? "at " + at : "not consistent yet") + " of "
                        + Json.text(replay, "endLsn") + " from " + Json.text(replay, "startLsn")
                        + (replayed != null ? " (" + replayed + (toReplay != null ? " / " + toReplay : "") + ")" : ""));
            }
        }
        fields.put("Started", Json.text(restore, "startedAt"));
        fields.put("Completed", Json.text(restore, "completedAt"));
        fields.put("Error", Json.text(restore, "error"));
        // attachment files the restored database references that the restore could not find
        // (docs/restores.md, check_attachments): the restore completes, and says so here
        JsonNode missing = restore.get("missingAttachmentCount");
        if (missing != null && missing.isNumber() && missing.asLong() > 0) {
            List<String> names = new java.util.ArrayList<>();
            restore.path("missingAttachments").forEach(n -> {
                if (names.size() < 5) {
                    names.add(n.asText());
                }
            });
            fields.put("Missing attachments", missing.asLong() + (names.isEmpty() ? ""
                    : " (" + String.join(", ", names) + (missing.asLong() > names.size() ? ", ..." : "") + ")"));
        }
        out.fields(restore, fields);
    }

    /** Polls GET /api/restores/{id} until completed or failed. */
    static JsonNode await(Waiter waiter, ApiClient api, String id, Duration timeout) {
        return waiter.await("restore", id, () -> api.get(path(id)), restore -> {
            JsonNode progress = restore.path("progress");
            JsonNode percent = progress.get("percent");
            JsonNode done = progress.get("bytesDone");
            JsonNode total = progress.get("bytesTotal");
            return new Waiter.Progress(Json.text(restore, "status"), Json.text(progress, "step"),
                    percent != null && percent.isNumber() ? percent.asDouble() / 100 : null,
                    done != null && done.isNumber() ? done.asLong() : null,
                    total != null && total.isNumber() ? total.asLong() : null);
        }, timeout);
    }

    @Command(name = "show", description = "Show a restore's status and progress.")
    static class Show extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "Restore id.")
        String id;

        @Override
        protected int run() {
            show(out(), id, api().get(path(id)));
            return ExitCodes.OK;
        }
    }

    @Command(name = "logs", description = "Show a restore's operation log: one entry per step with its timing.")
    static class Logs extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "Restore id.")
        String id;

        @Override
        protected int run() {
            JsonNode answer = api().get(path(id) + "/logs");
            List<JsonNode> entries = Json.items(answer);
            if (entries.isEmpty() && answer.isObject()) {
                entries = Json.items(answer.path("logs"));
            }
            out().list(entries, List.of(
                    Column.field("STEP", "step"),
                    Column.field("STATUS", "status"),
                    Column.field("STARTED", "startedAt"),
                    Column.field("FINISHED", "finishedAt"),
                    Column.of("DURATION", e -> e.hasNonNull("durationMs") ? e.get("durationMs").asLong() + " ms" : null),
                    Column.field("MESSAGE", "message")));
            return ExitCodes.OK;
        }
    }

    @Command(name = "neutralize", description = {
        "Neutralize an environment in place: outgoing mail, scheduled actions and payment providers off.",
        "A production environment needs its name: --confirm NAME, or typed when asked on a terminal."})
    static class Neutralize extends ApiCommand {
        @Parameters(paramLabel = "ENV", description = "Environment id.")
        String environmentId;

        @Option(names = "--confirm", paramLabel = "NAME",
                description = "The environment's name, needed for a production environment; asked on a terminal"
                        + " when left out.")
        String confirm;

        @Mixin
        WaitOptions waiting;

        @Override
        protected int run() {
            String confirmation = confirm != null ? confirm : ProductionConfirmation.ask(ctx(), api(), environmentId,
                    "neutralizing it turns off its mail, scheduled actions and payment providers");
            ObjectNode body = Json.object();
            if (confirmation != null) {
                body.put("confirm", confirmation);
            }
            JsonNode started = api().post("/api/environments/" + seg(environmentId) + "/neutralize", body);
            String restoreId = Json.text(started, "restoreId");
            if (!waiting.wait) {
                if (out().json()) {
                    out().printJson(started);
                } else {
                    show(out(), restoreId, started);
                    ctx().println("Follow it with: ocore restore show " + restoreId);
                }
                return ExitCodes.OK;
            }
            if (restoreId == null) {
                throw new CliException(ExitCodes.ERROR, "The server's answer has no restoreId to wait for");
            }
            JsonNode last = await(new Waiter(ctx()), api(), restoreId, waiting.timeout);
            show(out(), restoreId, last);
            if (Waiter.failed(last)) {
                String error = Json.text(last, "error");
                throw new CliException(ExitCodes.OPERATION_FAILED, "Neutralization " + restoreId + " failed"
                        + (error != null ? ": " + error : "") + " (details: ocore restore logs " + restoreId + ")");
            }
            return ExitCodes.OK;
        }
    }
}
