package io.ocore.backups.cli.backup;

import static io.ocore.backups.cli.http.ApiClient.seg;

import com.fasterxml.jackson.databind.JsonNode;
import io.ocore.backups.cli.ApiCommand;
import io.ocore.backups.cli.CliException;
import io.ocore.backups.cli.ExitCodes;
import io.ocore.backups.cli.Json;
import io.ocore.backups.cli.WaitOptions;
import io.ocore.backups.cli.Waiter;
import io.ocore.backups.cli.output.Output;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code ocore backup verify BACKUP [--wait [--timeout D]]}: reads every stored copy of a completed
 * backup back (checksum, decryption, decompression, manifest). With {@code --wait}: each
 * destination's verdict; exit 8 when a copy is corrupt or missing (or the verification failed),
 * 1 when a destination could not be reached and none was found bad.
 */
@Command(name = "verify", description = "Verify every stored copy of a completed backup (checksum, decryption,"
        + " manifest); --wait shows each destination's status, exit 8 if a copy is corrupt or missing.")
public class VerifyCommand extends ApiCommand {

    @Parameters(paramLabel = "BACKUP", description = "Backup id.")
    String id;

    @Mixin
    WaitOptions waiting;

    @Override
    protected int run() {
        JsonNode started = api().post("/api/backups/" + seg(id) + "/verify", Json.object());
        String verificationId = Json.text(started, "id");
        if (verificationId == null) {
            throw new CliException(ExitCodes.ERROR, "The server's answer has no verification id");
        }
        if (!waiting.wait) {
            if (out().json()) {
                out().printJson(started);
            } else {
                ctx().println("Verification " + verificationId + " of backup " + id + " started; "
                        + "follow it with GET /api/verifications/" + verificationId);
            }
            return ExitCodes.OK;
        }
        JsonNode last = new Waiter(ctx()).await("verification", verificationId,
                () -> api().get("/api/verifications/" + seg(verificationId)),
                v -> new Waiter.Progress(Json.text(v, "status"), progressOf(v), null, null, null), waiting.timeout,
                "GET /api/verifications/" + verificationId);
        show(out(), last);
        if (Waiter.failed(last)) {
            String error = Json.text(last, "error");
            throw new CliException(ExitCodes.OPERATION_FAILED, "Verification " + verificationId + " failed"
                    + (error != null ? ": " + error : ""));
        }
        List<String> bad = new ArrayList<>();
        List<String> unreachable = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = last.path("destinations").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> d = it.next();
            String status = Json.text(d.getValue(), "status");
            if ("corrupt".equals(status) || "missing".equals(status)) {
                bad.add(d.getKey() + " (" + status + ")");
            } else if ("unreachable".equals(status)) {
                unreachable.add(d.getKey());
            }
        }
        if (!bad.isEmpty()) {
            throw new CliException(ExitCodes.OPERATION_FAILED, "Backup " + id + " has bad copies on "
                    + String.join(", ", bad));
        }
        if (!unreachable.isEmpty()) {
            throw new CliException(ExitCodes.ERROR, "Backup " + id + " could not be verified on unreachable "
                    + "destination(s) " + String.join(", ", unreachable) + "; the others are ok");
        }
        return ExitCodes.OK;
    }

    /** "2 of 3 destinations" while it runs. */
    private static String progressOf(JsonNode v) {
        int n = v.path("destinations").size();
        return n == 0 ? null : n + " destination(s) checked";
    }

    static void show(Output out, JsonNode v) {
        if (out.json()) {
            out.printJson(v);
            return;
        }
        Map<String, String> fields = Output.fieldMap();
        fields.put("Verification", Json.text(v, "id"));
        fields.put("Backup", Json.text(v, "backupId"));
        fields.put("Status", Json.text(v, "status"));
        fields.put("Error", Json.text(v, "error"));
        fields.put("Started", Json.text(v, "startedAt"));
        fields.put("Completed", Json.text(v, "completedAt"));
        out.fields(v, fields);
        List<List<String>> rows = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.path("destinations").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> d = it.next();
            rows.add(List.of(d.getKey(), String.valueOf(Json.text(d.getValue(), "status")),
                    String.valueOf(Json.text(d.getValue(), "detail"))));
        }
        if (!rows.isEmpty()) {
            out.table(List.of("DESTINATION", "STATUS", "DETAIL"), rows);
        }
    }
}
