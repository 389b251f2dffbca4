package io.ocore.backups.wal.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Runs deploy/wal/ocore-wal (the real script of the repository) as a process. */
record OcoreWal(String url, Path tokenFile, List<String> options, java.util.Map<String, String> env) {

    /** @param options what every call passes after --url and --token-file; env: variables set for every call */
    OcoreWal(String url, Path tokenFile) {
        this(url, tokenFile, new ArrayList<>(), new java.util.HashMap<>());
    }

    /** The script, from the module's directory (where Maven runs the tests). */
    static final Path SCRIPT = Path.of("..", "deploy", "wal", "ocore-wal").toAbsolutePath().normalize();

    record Result(int exit, String stderr) {}

    /** A token file (0600) in a fresh folder; as root both belong to postgres, who runs PostgreSQL's commands. */
    static Path tokenFile(Path parent, String token) throws IOException {
        Path folder = Files.createTempDirectory(Files.createDirectories(parent), "token-");
        Path file = folder.resolve("wal.token");
        Files.writeString(file, token + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        if ("root".equals(System.getProperty("user.name"))) {
            exec(List.of("chown", "-R", "postgres:postgres", folder.toString()));
        }
        return file;
    }

    static Path randomFile(Path file, int size) throws IOException {
        byte[] bytes = new byte[size];
        ThreadLocalRandom.current().nextBytes(bytes);
        Files.createDirectories(file.getParent());
        return Files.write(file, bytes);
    }

    /** archive_command's line: the shell's quoting of our paths (no quotes in them). */
    String archiveCommand() {
        return SCRIPT + " push --url " + url + " --token-file " + tokenFile + " %p %f";
    }

    String restoreCommand() {
        return SCRIPT + " fetch --url " + url + " --token-file " + tokenFile + " %f %p";
    }

    Result push(Path dataDir, String name) throws Exception {
        return run(dataDir, "push", "pg_wal/" + name, name);
    }

    Result fetch(Path dataDir, String name) throws Exception {
        return run(dataDir, "fetch", name, "pg_wal/RECOVERYXLOG");
    }

    Result run(Path cwd, String command, String... args) throws Exception {
        Process p = start(cwd, command, args);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ocore-wal " + command + " did not finish in 180 s: " + err);
        }
        return new Result(p.exitValue(), err);
    }

    Process start(Path cwd, String command, String... args) throws IOException {
        List<String> line = new ArrayList<>(List.of(SCRIPT.toString(), command, "--url", url, "--token-file", tokenFile.toString()));
        line.addAll(options);
        line.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(line).directory(cwd.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        return pb.start();
    }

    /**
     * A PATH of links to every command of /usr/bin and /bin but {@code left}: a host without it.
     */
    static String pathWithout(Path dir, String left) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin-without-" + left));
        for (String d : List.of("/usr/bin", "/bin")) {
            try (var files = Files.list(Path.of(d))) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Path link = bin.resolve(f.getFileName().toString());
                    if (!f.getFileName().toString().equals(left) && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, f);
                    }
                }
            }
        }
        return bin.toString();
    }

    /** Every process's command line, as any user of the host sees them. */
    static String processList() throws Exception {
        return exec(List.of("ps", "-eww", "-o", "args"));
    }

    static String exec(List<String> command) throws IOException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(command + " failed: " + out);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
