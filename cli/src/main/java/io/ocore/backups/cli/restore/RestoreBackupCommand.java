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
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ocore backup restore BACKUP --target ...}: POST /api/backups/{id}/restore. */
@Command(name = "restore", description = {
    "Restore a backup or snapshot to the same, another or a new environment.",
    "same/other overwrite the target's database and filestore (a pre-restore snapshot is taken first);"
        + " new creates an environment."})
public class RestoreBackupCommand extends ApiCommand {

    @Parameters(paramLabel = "BACKUP", description = "Backup (or snapshot) id.")
    String backupId;

    @Option(names = "--target", required = true, paramLabel = "TARGET", description = "same, other or new.")
    String target;

    @Option(names = "--target-environment", paramLabel = "ENV", description = "The environment to overwrite (--target other).")
    String targetEnvironment;

    @Option(names = "--name", paramLabel = "NAME", description = "Name of the new environment (--target new).")
    String name;

    @Option(names = "--pitr", paramLabel = "TIMESTAMP",
            description = "Point in time to recover to, ISO 8601 UTC, e.g. 2026-03-15T14:30:00Z: checked against the"
                    + " backup's WAL coverage, then the database is recovered to it by replaying the WAL.")
    String pitr;

    @Option(names = "--neutralize", negatable = true,
            description = "Disable outgoing mail, scheduled actions and payment providers afterwards (--no-neutralize: "
                    + "keep them). Without either, the service decides: on for staging, development and new targets.")
    Boolean neutralize;

    @Option(names = "--confirm", paramLabel = "NAME",
            description = "The target environment's name, needed to restore onto a production environment (same or"
                    + " other); asked on a terminal when left out.")
    String confirm;

    @Mixin
    WaitOptions waiting;

    @Override
    protected int run() {
        oneOf("--target", target, List.of("same", "other", "new"));
        if ("other".equals(target) && targetEnvironment == null) {
            throw CliException.usage("--target other needs --target-environment ENV");
        }
        if ("new".equals(target) && (name == null || name.isBlank())) {
            throw CliException.usage("--target new needs --name NAME");
        }
        if (targetEnvironment != null && !"other".equals(target)) {
            throw CliException.usage("--target-environment only goes with --target other");
        }
        if (name != null && !"new".equals(target)) {
            throw CliException.usage("--name only goes with --target new");
        }
        if (pitr != null) {
            try {
                Instant.parse(pitr);
            } catch (DateTimeParseException e) {
                throw CliException.usage("--pitr must be an ISO 8601 UTC timestamp such as 2026-03-15T14:30:00Z");
            }
        }
        ObjectNode body = Json.object();
        body.put("targetType", target);
        if (targetEnvironment != null) {
            body.put("targetEnvironmentId", targetEnvironment);
        }
        if (name != null) {
            body.put("newEnvironmentName", name);
        }
        if (pitr != null) {
            body.put("pitrTimestamp", pitr);
        }
        if (neutralize != null) {
            body.put("neutralize", neutralize);
        }
        String confirmation = confirm;
        if (confirmation == null && !"new".equals(target)) {
            confirmation = ProductionConfirmation.ask(ctx(), api(), targetEnvironment(),
                    "restoring onto it replaces its data");
        }
        if (confirmation != null) {
            body.put("confirm", confirmation);
        }
        JsonNode started = api().post("/api/backups/" + seg(backupId) + "/restore", body);
        String restoreId = Json.text(started, "restoreId");
        if (restoreId == null) {
            restoreId = Json.text(started, "id");
        }
        if (!waiting.wait) {
            if (out().json()) {
                out().printJson(started);
            } else {
                RestoreCommands.show(out(), restoreId, started);
                ctx().println("Follow it with: ocore restore show " + restoreId);
            }
            return ExitCodes.OK;
        }
        if (restoreId == null) {
            throw new CliException(ExitCodes.ERROR, "The server's answer has no restoreId to wait for");
        }
        JsonNode last = RestoreCommands.await(new Waiter(ctx()), api(), restoreId, waiting.timeout);
        RestoreCommands.show(out(), restoreId, last);
        if (Waiter.failed(last)) {
            String error = Json.text(last, "error");
            throw new CliException(ExitCodes.OPERATION_FAILED, "Restore " + restoreId + " failed"
                    + (error != null ? ": " + error : "") + " (details: ocore restore logs " + restoreId + ")");
        }
        return ExitCodes.OK;
    }

    /** The environment a same/other restore overwrites; for same, the backup's (asked only on a terminal). */
    private String targetEnvironment() {
        if (targetEnvironment != null || !ctx().prompt().available()) {
            return targetEnvironment;
        }
        return Json.text(api().get("/api/backups/" + seg(backupId)), "environmentId");
    }
}
