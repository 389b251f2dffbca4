package io.ocore.backups.cli.destination;

import static io.ocore.backups.cli.http.ApiClient.seg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ocore.backups.cli.ApiCommand;
import io.ocore.backups.cli.CliException;
import io.ocore.backups.cli.ExitCodes;
import io.ocore.backups.cli.Json;
import io.ocore.backups.cli.Secrets;
import io.ocore.backups.cli.output.Format;
import io.ocore.backups.cli.output.Output;
import io.ocore.backups.cli.output.Output.Column;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ocore backup-destination ...}: where backups are stored (API.md "Destinations"). */
@Command(name = "backup-destination",
        description = "Manage backup destinations (needs manage:org_settings).",
        subcommands = {
            DestinationCommands.Create.class,
            DestinationCommands.ListDestinations.class,
            DestinationCommands.Show.class,
            DestinationCommands.Update.class,
            DestinationCommands.Delete.class,
            DestinationCommands.Test.class,
        })
public class DestinationCommands {

    static final String PATH = "/api/backup-destinations";

    static final List<Column> COLUMNS = List.of(
            Column.field("ID", "id"),
            Column.field("NAME", "name"),
            Column.field("TYPE", "destinationType"),
            Column.of("VERIFIED", d -> Format.yesNo(d, "isVerified")),
            Column.field("LAST_TESTED", "lastTestedAt"));

    static void show(Output out, JsonNode destination) {
        Map<String, String> fields = Output.fieldMap();
        fields.put("ID", Json.text(destination, "id"));
        fields.put("Name", Json.text(destination, "name"));
        fields.put("Type", Json.text(destination, "destinationType"));
        fields.put("Verified", Format.yesNo(destination, "isVerified"));
        fields.put("Last tested", Json.text(destination, "lastTestedAt"));
        JsonNode config = destination.path("config");
        config.properties().forEach(entry -> fields.put("config." + entry.getKey(),
                DestinationTypes.SECRET_FIELDS.contains(entry.getKey()) && !entry.getValue().isNull()
                        ? "****" : Json.text(config, entry.getKey())));
        fields.put("Created", Json.text(destination, "createdAt"));
        fields.put("Updated", Json.text(destination, "updatedAt"));
        out.fields(destination, fields);
    }

    @Command(name = "create", description = {
        "Create a destination.",
        "Secrets (secretAccessKey, password, privateKey, passphrase, clientSecret, refreshToken) come from"
            + " --secrets-file, then OCORE_SECRET_ACCESS_KEY, OCORE_SFTP_PASSWORD, OCORE_SFTP_PRIVATE_KEY_FILE,"
            + " OCORE_SFTP_PASSPHRASE, OCORE_CLIENT_SECRET, OCORE_REFRESH_TOKEN, then a no-echo prompt on a"
            + " terminal; never from the command line. The access key id: --access-key-id, --secrets-file,"
            + " OCORE_ACCESS_KEY_ID, prompt."})
    static class Create extends ApiCommand {

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Display name.")
        String name;

        @Option(names = "--type", required = true, paramLabel = "TYPE",
                description = "s3, s3_compatible, sftp, local, onedrive or gdrive.")
        String type;

        @Mixin
        DestinationConfigOptions config;

        @Option(names = "--secrets-file", paramLabel = "FILE",
                description = "JSON object with the secrets, keyed by API field name, e.g. {\"secretAccessKey\": \"...\"}.")
        Path secretsFile;

        @Override
        protected int run() {
            oneOf("--type", type, DestinationTypes.TYPES);
            Map<String, Object> given = config.given();
            DestinationTypes.checkApplicable(type, given);
            Secrets secrets = new Secrets(ctx(), secretsFile, DestinationTypes.SECRETS_FILE_KEYS, Set.of("accessKeyId"));
            Map<String, String> secretValues = DestinationTypes.secrets(type, secrets, given, true);
            ObjectNode body = Json.object();
            body.put("name", name);
            body.put("destinationType", type);
            DestinationTypes.fill(body.putObject("config"), type, given, secretValues);
            JsonNode created = api().post(PATH, body);
            show(out(), created);
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", description = "List destinations, with their verification state.")
    static class ListDestinations extends ApiCommand {
        @Override
        protected int run() {
            out().list(Json.items(api().get(PATH)), COLUMNS);
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", description = "Show one destination (secrets masked).")
    static class Show extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "Destination id.")
        String id;

        @Override
        protected int run() {
            show(out(), api().get(PATH + "/" + seg(id)));
            return ExitCodes.OK;
        }
    }

    @Command(name = "update", description = {
        "Change a destination's name or config fields.",
        "Fields not given, and the stored secrets, are kept. New secrets: --secrets-file (the keys it holds),"
            + " or --rotate-secrets (all of the type's secrets, read as for create).",
        "Moving a destination (endpoint, bucket, region, path prefix, host, port, path, username, host key,"
            + " tenant, drive, folder) needs its secrets again: add --rotate-secrets or --secrets-file."})
    static class Update extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "Destination id.")
        String id;

        @Option(names = "--name", paramLabel = "NAME", description = "New display name.")
        String name;

        @Mixin
        DestinationConfigOptions config;

        @Option(names = "--secrets-file", paramLabel = "FILE", description = "JSON object with the secrets to replace.")
        Path secretsFile;

        @Option(names = "--rotate-secrets",
                description = "Replace all of the type's secrets, read as for create (file, variables, prompt).")
        boolean rotateSecrets;

        @Override
        protected int run() {
            JsonNode current = api().get(PATH + "/" + seg(id));
            String type = Json.text(current, "destinationType");
            if (type == null || !DestinationTypes.FIELDS.containsKey(type)) {
                throw new CliException(ExitCodes.ERROR, "Destination " + id + " has an unknown type '" + type + "'");
            }
            Map<String, Object> given = config.given();
            DestinationTypes.checkApplicable(type, given);
            Secrets secrets = new Secrets(ctx(), secretsFile, DestinationTypes.SECRETS_FILE_KEYS, Set.of("accessKeyId"));
            Map<String, String> secretValues = DestinationTypes.secrets(type, secrets, given, rotateSecrets);

            ObjectNode body = Json.object();
            body.put("name", name != null ? name : Json.text(current, "name"));
            body.put("destinationType", type);
            // Unchanged secrets go back masked: the server keeps the stored values.
            ObjectNode merged = current.path("config").isObject()
                    ? ((ObjectNode) current.get("config")).deepCopy() : Json.object();
            ObjectNode changes = Json.object();
            DestinationTypes.fill(changes, type, given, secretValues);
            merged.setAll(changes);
            body.set("config", merged);
            show(out(), api().put(PATH + "/" + seg(id), body));
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete", description = "Delete a destination (409 while a schedule uses it).")
    static class Delete extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "Destination id.")
        String id;

        @Override
        protected int run() {
            JsonNode answer = api().delete(PATH + "/" + seg(id));
            if (out().json()) {
                if (!answer.isMissingNode()) {
                    out().printJson(answer);
                }
            } else {
                ctx().println("Deleted backup destination " + id);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "test", description = {
        "Check a destination is reachable and writable.",
        "Writes, reads back and deletes a probe object; records isVerified and lastTestedAt."
            + " Exits 1 when the destination is not usable."})
    static class Test extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "Destination id.")
        String id;

        @Override
        protected int run() {
            JsonNode result = api().post(PATH + "/" + seg(id) + "/test", null);
            boolean ok = result.path("ok").asBoolean(false);
            if (out().json()) {
                out().printJson(result);
            } else if (ok) {
                ctx().println("OK: destination " + id + " is reachable and writable (latency "
                        + Json.text(result, "latencyMs") + " ms, tested " + Json.text(result, "testedAt") + ")");
            }
            if (!ok) {
                String error = Json.text(result, "error");
                throw new CliException(ExitCodes.ERROR, "Destination " + id + " test failed"
                        + (error != null ? ": " + error : ""));
            }
            return ExitCodes.OK;
        }
    }
}
