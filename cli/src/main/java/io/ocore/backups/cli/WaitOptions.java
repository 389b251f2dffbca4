package io.ocore.backups.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --wait} and {@code --timeout} of the commands that start long work (backup, restore, neutralize). */
public class WaitOptions {

    @Option(names = "--wait", description = "Wait until the job completed or failed (exit 8), with a progress bar.")
    public boolean wait;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "1h", converter = Durations.class,
            description = "How long --wait waits, e.g. 90s, 30m, 2h (default ${DEFAULT-VALUE}).")
    public Duration timeout;
}
