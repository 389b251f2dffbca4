package io.ocore.backups.cli;

import io.ocore.backups.cli.http.ApiClient;
import io.ocore.backups.cli.output.Output;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A leaf command: reaches the context, client and output through the root command. */
public abstract class ApiCommand implements Callable<Integer> {

    @Spec
    protected CommandSpec spec;

    protected OcoreCli root() {
        return (OcoreCli) spec.root().userObject();
    }

    protected CliContext ctx() {
        return root().context();
    }

    protected ApiClient api() {
        return root().api();
    }

    protected Output out() {
        return root().output();
    }

    @Override
    public Integer call() {
        return run();
    }

    /** Does the work; answers the exit code or throws a {@link CliException}. */
    protected abstract int run();

    /** Checks an option's value against its allowed set (exit 2 otherwise). */
    protected static String oneOf(String option, String value, List<String> allowed) {
        if (value != null && !allowed.contains(value)) {
            throw CliException.usage("invalid value '" + value + "' for " + option + ": expected one of "
                    + String.join(", ", allowed));
        }
        return value;
    }
}
