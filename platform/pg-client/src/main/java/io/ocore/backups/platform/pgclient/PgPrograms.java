package io.ocore.backups.platform.pgclient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/** Where PostgreSQL's client programs are: the configured folder, else the newest installed version, else the PATH. */
public final class PgPrograms {

    static final Path INSTALL_ROOT = Path.of("/usr/lib/postgresql");

    private PgPrograms() {
    }

    /**
     * The program {@code name} (e.g. {@code pg_dump}) in {@code configuredBin} when given, else in the
     * newest {@code /usr/lib/postgresql/N/bin} that has it, else just the name for the PATH.
     */
    public static Path locate(String name, Optional<String> configuredBin) {
        return locate(name, configuredBin, INSTALL_ROOT);
    }

    static Path locate(String name, Optional<String> configuredBin, Path installRoot) {
        if (configuredBin.isPresent()) {
            return Path.of(configuredBin.get(), name);
        }
        if (Files.isDirectory(installRoot)) {
            try (Stream<Path> versions = Files.list(installRoot)) {
                Optional<Path> best = versions.filter(v -> Files.isExecutable(v.resolve("bin").resolve(name)))
                        .max(Comparator.comparingInt(v -> major(v.getFileName().toString())));
                if (best.isPresent()) {
                    return best.get().resolve("bin").resolve(name);
                }
            } catch (IOException ignored) {
                // fall back to the PATH
            }
        }
        return Path.of(name);
    }

    private static int major(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
