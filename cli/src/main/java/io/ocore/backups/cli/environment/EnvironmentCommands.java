package io.ocore.backups.cli.environment;

import static io.ocore.backups.cli.http.ApiClient.seg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ocore.backups.cli.ApiCommand;
import io.ocore.backups.cli.ExitCodes;
import io.ocore.backups.cli.Json;
import io.ocore.backups.cli.Secrets;
import io.ocore.backups.cli.output.Output;
import io.ocore.backups.cli.output.Output.Column;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ocore environment ...}: the catalogue of Odoo environments (API.md "Environments"). */
@Command(name = "environment",
        description = "Register (manage:platform) and list (view:environments) Odoo environments.",
        subcommands = {
            EnvironmentCommands.Create.class,
            EnvironmentCommands.ListEnvironments.class,
            EnvironmentCommands.Show.class,
        })
public class EnvironmentCommands {

    static final String PATH = "/api/environments";
    static final List<String> TYPES = List.of("production", "staging", "development");

    static String database(JsonNode environment) {
        JsonNode db = environment.path("database");
        if (!db.isObject()) {
            return null;
        }
        return Json.text(db, "user") + "@" + Json.text(db, "host") + ":" + Json.text(db, "port") + "/"
                + Json.text(db, "name");
    }

    static void show(Output out, JsonNode environment) {
        Map<String, String> fields = Output.fieldMap();
        fields.put("ID", Json.text(environment, "id"));
        fields.put("Name", Json.text(environment, "name"));
        fields.put("Type", Json.text(environment, "environmentType"));
        fields.put("Project", Json.text(environment, "projectId"));
        fields.put("Database", database(environment));
        fields.put("Filestore", Json.text(environment, "filestorePath"));
        fields.put("Config", Json.text(environment, "configPath"));
        fields.put("Created", Json.text(environment, "createdAt"));
        out.fields(environment, fields);
    }

    @Command(name = "create", description = {
        "Register an environment: a platform operator's act, the token needs manage:platform.",
        "The database server must be one the operator configured (ocore.environments.database-servers),"
            + " the filestore and odoo.conf inside the configured roots.",
        "The database password comes from --secrets-file {\"password\": ...}, then OCORE_DB_PASSWORD,"
            + " then a no-echo prompt on a terminal."})
    static class Create extends ApiCommand {
        @Option(names = "--name", required = true, paramLabel = "NAME")
        String name;

        @Option(names = "--project", required = true, paramLabel = "PROJECT_ID", description = "Project id.")
        String projectId;

        @Option(names = "--type", required = true, paramLabel = "TYPE",
                description = "production, staging or development.")
        String type;

        @Option(names = "--db-host", required = true, paramLabel = "HOST")
        String dbHost;

        @Option(names = "--db-port", paramLabel = "PORT", defaultValue = "5432", description = "Default: ${DEFAULT-VALUE}.")
        int dbPort;

        @Option(names = "--db-name", required = true, paramLabel = "NAME")
        String dbName;

        @Option(names = "--db-user", required = true, paramLabel = "USER")
        String dbUser;

        @Option(names = "--filestore-path", paramLabel = "DIR", description = "Odoo filestore directory.")
        String filestorePath;

        @Option(names = "--config-path", paramLabel = "FILE", description = "odoo.conf path.")
        String configPath;

        @Option(names = "--secrets-file", paramLabel = "FILE", description = "JSON object {\"password\": \"...\"}.")
        Path secretsFile;

        @Override
        protected int run() {
            oneOf("--type", type, TYPES);
            Secrets secrets = new Secrets(ctx(), secretsFile, Set.of("password"), Set.of());
            String password = secrets.require("password", "Database password", "OCORE_DB_PASSWORD");
            ObjectNode body = Json.object();
            body.put("name", name);
            body.put("projectId", projectId);
            body.put("environmentType", type);
            ObjectNode db = body.putObject("database");
            db.put("host", dbHost);
            db.put("port", dbPort);
            db.put("name", dbName);
            db.put("user", dbUser);
            db.put("password", password);
            if (filestorePath != null) {
                body.put("filestorePath", filestorePath);
            }
            if (configPath != null) {
                body.put("configPath", configPath);
            }
            show(out(), api().post(PATH, body));
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", description = "List environments.")
    static class ListEnvironments extends ApiCommand {
        @Option(names = "--project", paramLabel = "PROJECT_ID", description = "Only this project's environments.")
        String projectId;

        @Override
        protected int run() {
            out().list(api().listAll(PATH, Map.of("projectId", projectId == null ? "" : projectId), null), List.of(
                    Column.field("ID", "id"),
                    Column.field("NAME", "name"),
                    Column.field("TYPE", "environmentType"),
                    Column.field("PROJECT", "projectId"),
                    Column.of("DATABASE", EnvironmentCommands::database)));
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", description = "Show one environment.")
    static class Show extends ApiCommand {
        @Parameters(paramLabel = "ENV", description = "Environment id.")
        String id;

        @Override
        protected int run() {
            show(out(), api().get(PATH + "/" + seg(id)));
            return ExitCodes.OK;
        }
    }
}
