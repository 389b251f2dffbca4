package io.ocore.backups.cli;

import io.ocore.backups.cli.alert.AlertCommands;
import io.ocore.backups.cli.backup.BackupCommands;
import io.ocore.backups.cli.destination.DestinationCommands;
import io.ocore.backups.cli.environment.EnvironmentCommands;
import io.ocore.backups.cli.http.ApiClient;
import io.ocore.backups.cli.output.Output;
import io.ocore.backups.cli.restore.RestoreCommands;
import io.ocore.backups.cli.wal.WalCommands;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code ocore}: the command line client of the oCore Backups gateway. */
@Command(name = "ocore",
        mixinStandardHelpOptions = true,
        versionProvider = OcoreCli.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = "Backups, schedules and restores of Odoo environments on oCore.",
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0 ok, 1 error, 2 usage, 3 auth (401/403), 4 not found, 5 conflict (409),",
            "  6 validation (400/413/422), 7 connection failure, 8 waited-for operation failed.",
            "Configuration: --url/--token, else OCORE_URL/OCORE_TOKEN, else ~/.config/ocore/config.json."},
        subcommands = {
            DestinationCommands.class,
            EnvironmentCommands.class,
            BackupCommands.class,
            RestoreCommands.class,
            WalCommands.class,
        })
public class OcoreCli {

    /** How the commands print: {@code table} for people, {@code json} for scripts. */
    public enum OutputFormat { table, json }

    @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "Gateway URL (default: OCORE_URL, config file, " + CliConfig.DEFAULT_URL + ").")
    String url;

    @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN",
            description = "Bearer token (default: OCORE_TOKEN, config file). Prefer the variable: flags show in `ps`.")
    String token;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "FORMAT",
            description = "table (default) or json (the server's JSON, pretty-printed).")
    OutputFormat output = OutputFormat.table;

    private final CliContext ctx;
    private ApiClient api;

    public OcoreCli(CliContext ctx) {
        this.ctx = ctx;
    }

    public static void main(String[] args) {
        System.exit(run(CliContext.system(), args));
    }

    /** Runs one command line and answers its exit code; never calls System.exit. */
    public static int run(CliContext ctx, String... args) {
        CommandLine commandLine = new CommandLine(new OcoreCli(ctx));
        commandLine.setOut(ctx.out());
        commandLine.setErr(ctx.err());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        addHelpOption(commandLine);
        commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            if (e instanceof CliException failure) {
                String message = failure.getMessage();
                if (failure.exitCode() == ExitCodes.USAGE) {
                    message = "Error: " + message + "\nTry '" + cmd.getCommandSpec().qualifiedName() + " --help'.";
                } else if (!message.startsWith("Error")) {
                    message = "Error: " + message;
                }
                ctx.eprintln(message);
                return failure.exitCode();
            }
            ctx.eprintln("Error: " + e);
            return ExitCodes.ERROR;
        });
        try {
            return commandLine.execute(args);
        } finally {
            ctx.out().flush();
            ctx.err().flush();
        }
    }

    /** {@code -h/--help} on every subcommand (the root has --version too). */
    private static void addHelpOption(CommandLine commandLine) {
        for (CommandLine sub : commandLine.getSubcommands().values()) {
            CommandSpec spec = sub.getCommandSpec();
            if (spec.findOption("--help") == null) {
                spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                        .description("Show this help message and exit.").build());
            }
            spec.usageMessage().autoWidth(true).sortOptions(false);
            addHelpOption(sub);
        }
    }

    public CliContext context() {
        return ctx;
    }

    public Output output() {
        return new Output(ctx, output == OutputFormat.json);
    }

    /** The client, configured on first use (so --help never reads the config file). */
    public ApiClient api() {
        if (api == null) {
            CliConfig config = CliConfig.resolve(ctx, url, token);
            ctx.redactor().add(config.token());
            api = new ApiClient(ctx.httpClient(), config.url(), config.token(), "ocore-cli/" + version());
        }
        return api;
    }

    static String version() {
        Properties properties = new Properties();
        try (InputStream in = OcoreCli.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return properties.getProperty("version", "unknown");
    }

    /** {@code --version}. */
    public static class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ocore " + version()};
        }
    }
}
