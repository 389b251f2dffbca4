package io.ocore.backups.cli.wal;

import static io.ocore.backups.cli.http.ApiClient.seg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ocore.backups.cli.ApiCommand;
import io.ocore.backups.cli.CliException;
import io.ocore.backups.cli.ExitCodes;
import io.ocore.backups.cli.Json;
import io.ocore.backups.cli.output.Output;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ocore wal ...}: WAL archiving of an environment (docs/wal.md). */
@Command(name = "wal",
        description = "WAL archiving: what point-in-time recovery can reach, and how to configure PostgreSQL.",
        subcommands = {
            WalCommands.Coverage.class,
            WalCommands.Config.class,
        })
public class WalCommands {

    @Command(name = "coverage", description = "Which times archived WAL can recover to, and its gaps.")
    static class Coverage extends ApiCommand {
        @Option(names = "--environment", required = true, paramLabel = "ENV", description = "Environment id.")
        String environment;

        @Override
        protected int run() {
            JsonNode c = api().get("/api/environments/" + seg(environment) + "/wal-coverage");
            Output out = out();
            if (out.json()) {
                out.printJson(c);
                return ExitCodes.OK;
            }
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("WAL archiving", c.path("walEnabled").asBoolean() ? "on" : "off");
            fields.put("Segments", Json.text(c, "segmentCount"));
            fields.put("Last archived", Json.text(c, "latestArchivedAt"));
            out.fields(c, fields);
            List<List<String>> ranges = new ArrayList<>();
            for (JsonNode r : c.path("ranges")) {
                ranges.add(List.of(Json.text(r, "timeline"), orNone(Json.text(r, "from")), orNone(Json.text(r, "to")),
                        Json.text(r, "startSegment"), Json.text(r, "endSegment")));
            }
            ctx().println("");
            if (ranges.isEmpty()) {
                ctx().println("No archived WAL: point-in-time recovery has nothing to replay yet.");
            } else {
                out.table(List.of("TIMELINE", "FROM", "TO", "START SEGMENT", "END SEGMENT"), ranges);
            }
            List<List<String>> gaps = new ArrayList<>();
            for (JsonNode g : c.path("gaps")) {
                gaps.add(List.of(Json.text(g, "afterSegment"), Json.text(g, "beforeSegment"),
                        orNone(Json.text(g, "from")), orNone(Json.text(g, "to"))));
            }
            if (!gaps.isEmpty()) {
                ctx().println("");
                ctx().println("Gaps (no recovery target between FROM and TO):");
                out.table(List.of("AFTER SEGMENT", "BEFORE SEGMENT", "FROM", "TO"), gaps);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "config",
            description = {"The postgresql.conf lines that archive the environment's WAL through oCore.",
                "The WAL token is never printed: --token-file writes it to a file only its owner can read"
                        + " (the file the archive and restore commands' --token-file names)."})
    static class Config extends ApiCommand {
        @Option(names = "--environment", required = true, paramLabel = "ENV", description = "Environment id.")
        String environment;

        @Option(names = "--token-file", paramLabel = "PATH",
                description = "Write the environment's WAL token to PATH (created or replaced, mode 0600).")
        Path tokenFile;

        private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_.]+");

        @Override
        protected int run() {
            JsonNode config = api().get("/api/environments/" + seg(environment) + "/wal-config");
            String token = Json.text(config, "walToken");
            ctx().redactor().add(token);
            if (tokenFile != null) {
                if (token == null) {
                    throw new CliException(ExitCodes.ERROR, "the server's answer holds no WAL token");
                }
                writeToken(tokenFile, token);
            }
            if (out().json()) {
                ObjectNode shown = ((ObjectNode) config.deepCopy());
                shown.remove("walToken");
                out().printJson(shown);
            } else {
                ctx().println("# oCore WAL archiving for environment " + environment);
                JsonNode settings = config.path("settings");
                for (Map.Entry<String, JsonNode> e : settings.properties()) {
                    ctx().println(e.getKey() + " = " + quote(e.getValue().asText()));
                }
                for (String key : List.of("archiveCommand", "restoreCommand")) {
                    String name = key.equals("archiveCommand") ? "archive_command" : "restore_command";
                    String value = Json.text(config, key);
                    if (value != null && !settings.has(name)) {
                        ctx().println(name + " = " + quote(value));
                    }
                }
            }
            if (tokenFile != null) {
                ctx().eprintln("WAL token written to " + tokenFile + " (mode 0600): move it where the database server's"
                        + " user alone can read it, as the archive command's --token-file expects.");
            } else if (token != null) {
                ctx().eprintln("The WAL token is not shown; write it to a file with --token-file PATH.");
            }
            return ExitCodes.OK;
        }

        /** A postgresql.conf value: bare when plain, else single-quoted with quotes doubled. */
        static String quote(String value) {
            return PLAIN.matcher(value).matches() ? value : "'" + value.replace("'", "''") + "'";
        }

        private static void writeToken(Path file, String token) {
            try {
                if (Files.isSymbolicLink(file)) {
                    throw new CliException(ExitCodes.USAGE, "--token-file " + file + " is a symbolic link; name the file itself");
                }
                Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".ocore-wal-token", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                try {
                    Files.writeString(tmp, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
                    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(tmp);
                }
                Files.setPosixFilePermissions(file, Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE));
            } catch (IOException | UnsupportedOperationException e) {
                throw new CliException(ExitCodes.ERROR, "could not write the WAL token to " + file + ": " + e.getMessage());
            }
        }
    }

    private static String orNone(String value) {
        return value == null ? Output.NONE : value;
    }
}
