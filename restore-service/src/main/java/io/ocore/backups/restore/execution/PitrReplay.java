package io.ocore.backups.restore.execution;

import io.ocore.backups.platform.pgclient.StderrTail;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The scratch PostgreSQL cluster of a point-in-time restore (ADR 0018 "Execution"): a PITR base
 * unpacked into {@code <workDir>/ocore-restore-<id>.pitr/data}, the WAL it replays in
 * {@code .../wal} (fetched and verified beforehand: the server needs no network, no token), a
 * server of the same bin directory as pg_restore on a private unix socket ({@code .../sock}, no
 * TCP), as {@code postgres} when the service runs as root. {@link #close} stops it and removes
 * every file, whatever happened.
 */
final class PitrReplay implements AutoCloseable {

    static final String SUPERUSER = "postgres";
    /** What PostgreSQL logs when recovery stopped at a recovery target (not at the end of WAL). */
    static final Pattern STOPPED = Pattern.compile("recovery stopping (before|after) [^\\n]*");
    /** Promoted and open for connections (a hot standby's read-only line is another). */
    static final String READY = "database system is ready to accept connections";
    /** PostgreSQL 13+: the end of WAL came before the target, and the server shut down. */
    static final String NOT_REACHED = "recovery ended before configured recovery target was reached";

    /** How PostgreSQL reads a recovery_target_time: its timestamptz input, in UTC, to the microsecond. */
    static final java.time.format.DateTimeFormatter TARGET_FORMAT = java.time.format.DateTimeFormatter
            .ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS'+00'").withZone(java.time.ZoneOffset.UTC);

    private final Path dir;
    private final Path socketDir;
    private final Path bin;

    private PitrReplay(Path dir, UUID id, Path bin) {
        this.dir = dir;
        this.bin = bin;
        // a unix socket's path is at most 107 bytes: under a long work dir, a private one in /tmp
        Path inside = dir.resolve("sock");
        this.socketDir = inside.toString().length() + "/.s.PGSQL.5432".length() < 100 ? inside
                : Path.of("/tmp", "ocore-pitr-" + id.toString().replace("-", ""));
    }

    /** The scratch directory of restore {@code id} under {@code workDir}. */
    static Path dirOf(Path workDir, UUID id) {
        return workDir.resolve("ocore-restore-" + id + ".pitr");
    }

    /** Creates the scratch directory (one left by an earlier run of this restore is removed first). */
    static PitrReplay create(Path workDir, UUID id, Path bin) throws IOException {
        Path dir = dirOf(workDir, id).toAbsolutePath().normalize();
        if (dir.toString().contains("'") || dir.toString().contains("\n")) {
            throw new IOException("the work directory's path holds a quote or a line break: " + dir);
        }
        PitrReplay r = new PitrReplay(dir, id, bin);
        r.stopAndRemove();
        Files.createDirectories(dir.getParent());
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createDirectory(r.dataDir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createDirectory(r.walDir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createDirectory(r.socketDir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        if (isRoot() && !r.socketDir().startsWith(dir)) {
            chownTree(r.socketDir(), SUPERUSER);
        }
        return r;
    }

    Path dir() {
        return dir;
    }

    Path dataDir() {
        return dir.resolve("data");
    }

    Path walDir() {
        return dir.resolve("wal");
    }

    Path socketDir() {
        return socketDir;
    }

    Path log() {
        return dir.resolve("server.log");
    }

    /**
     * After the base is unpacked into {@link #dataDir}: our own postgresql.conf (the source's is
     * not used: its port, archiving or preloaded libraries are not this server's), a pg_hba.conf
     * for the private socket only, an empty pg_wal and {@code recovery.signal}.
     */
    void configure(Instant target, int timeline) throws IOException {
        Path data = dataDir();
        Files.createDirectories(data.resolve("pg_wal").resolve("archive_status"));
        Files.deleteIfExists(data.resolve("postgresql.auto.conf"));
        Files.deleteIfExists(data.resolve("standby.signal"));
        Files.deleteIfExists(data.resolve("postmaster.pid"));
        String conf = "# written by oCore restore-service for a point-in-time restore (ADR 0018)\n"
                + "listen_addresses = ''\n"
                + "port = 5432\n"
                + "unix_socket_directories = '" + socketDir() + "'\n"
                + "unix_socket_permissions = 0700\n"
                + "max_connections = 20\n"
                + "shared_buffers = 64MB\n"
                + "hot_standby = off\n"
                + "archive_mode = off\n"
                + "shared_preload_libraries = ''\n"
                + "fsync = off\n"
                + "synchronous_commit = off\n"
                + "logging_collector = off\n"
                + "log_destination = 'stderr'\n"
                + "restore_command = 'cp \"" + walDir() + "/%f\" \"%p\"'\n"
                + "recovery_target_time = '" + TARGET_FORMAT.format(target) + "'\n"
                + "recovery_target_timeline = '" + timeline + "'\n"
                + "recovery_target_inclusive = on\n"
                + "recovery_target_action = 'promote'\n";
        Files.writeString(data.resolve("postgresql.conf"), conf, StandardCharsets.UTF_8);
        Files.writeString(data.resolve("pg_hba.conf"), "local all all trust\n", StandardCharsets.UTF_8);
        Files.writeString(data.resolve("recovery.signal"), "", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        if (isRoot()) {
            chownTree(dir, SUPERUSER);
            try {
                run(Duration.ofSeconds(30), List.of("test", "-x", dataDir().toString()));
            } catch (IOException e) {
                throw new IOException("the PostgreSQL server runs as user " + SUPERUSER + ", which cannot reach the"
                        + " work directory " + dir.getParent() + " (each directory above it needs o+x)");
            }
        }
    }

    /** Where recovery stopped, or why it did not reach the target. */
    record Outcome(boolean reached, String detail) {
    }

    /**
     * Starts the server and waits (polling its log, until {@code deadline}) for it to stop at the
     * target and promote. The end of WAL before the target is {@code reached = false}.
     */
    Outcome replay(Duration deadline) throws IOException {
        run(Duration.ofSeconds(60), List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir().toString(), "-l",
                log().toString(), "-W", "start"));
        long end = System.nanoTime() + deadline.toNanos();
        long startBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Long pid = null;
        while (true) {
            String log = Files.exists(log()) ? new String(Files.readAllBytes(log()), StandardCharsets.UTF_8) : "";
            Matcher m = STOPPED.matcher(log);
            if (m.find() && log.indexOf(READY, m.end()) >= 0) {
                return new Outcome(true, m.group());
            }
            if (log.contains(NOT_REACHED)) {
                return new Outcome(false, "the archived WAL ends before the target: PostgreSQL replayed all of it"
                        + " without reaching it (" + NOT_REACHED + ")");
            }
            if (pid == null) {
                pid = pid();
                if (pid == null && (System.nanoTime() > startBy || log.contains("FATAL:"))) {
                    return new Outcome(false, "the scratch server did not start: " + lastFatal(log));
                }
            } else if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false) {
                log = Files.exists(log()) ? new String(Files.readAllBytes(log()), StandardCharsets.UTF_8) : "";
                if (log.contains(NOT_REACHED)) {
                    continue;
                }
                return new Outcome(false, "the scratch server stopped during recovery: " + lastFatal(log));
            }
            if (System.nanoTime() > end) {
                throw new IOException("the WAL replay did not reach the target within " + deadline);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted during the WAL replay");
            }
        }
    }

    /** The postmaster's pid from its pid file's first line, or null while there is none. */
    private Long pid() {
        try {
            List<String> lines = Files.readAllLines(dataDir().resolve("postmaster.pid"), StandardCharsets.UTF_8);
            return lines.isEmpty() ? null : Long.parseLong(lines.get(0).strip());
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** {@code pg_dump -Fc} of {@code database} from the scratch server: its output to stream into pg_restore. */
    Process dump(String database) throws IOException {
        List<String> cmd = List.of(bin.resolve("pg_dump").toString(), "--format=custom", "--compress=0", "-h",
                socketDir().toString(), "-p", "5432", "-U", SUPERUSER, "--no-password", database);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("PGPASSWORD");
        return pb.start();
    }

    static String lastFatal(String log) {
        String last = null;
        for (String line : log.split("\n")) {
            if (line.contains("FATAL:") || line.contains("PANIC:")) {
                last = line.substring(line.indexOf(line.contains("FATAL:") ? "FATAL:" : "PANIC:"));
            }
        }
        return last == null ? "see the service's logs" : last;
    }

    /** The server's log, for the service's own log when a replay fails. */
    String logTail() {
        try {
            String s = Files.readString(log(), StandardCharsets.UTF_8);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "";
        }
    }

    /** Stops the scratch server (if it runs) and removes the scratch directory. */
    @Override
    public void close() throws IOException {
        stopAndRemove();
    }

    private void stopAndRemove() throws IOException {
        if (Files.exists(dataDir().resolve("postmaster.pid"), LinkOption.NOFOLLOW_LINKS)) {
            try {
                run(Duration.ofSeconds(60), List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir().toString(),
                        "-m", "immediate", "-w", "-t", "60", "stop"));
            } catch (IOException e) {
                // not running after all (a stale pid file): removed with the rest
            }
        }
        Swap.deleteTree(dir);
        Swap.deleteTree(socketDir);
    }

    /** Stops and removes the scratch cluster a crashed run of restore {@code id} may have left. */
    static void removeLeftover(Path workDir, UUID id, Path bin) throws IOException {
        Path d = dirOf(workDir, id);
        if (Files.exists(d, LinkOption.NOFOLLOW_LINKS)) {
            new PitrReplay(d.toAbsolutePath().normalize(), id, bin).stopAndRemove();
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void chownTree(Path root, String user) throws IOException {
        UserPrincipalLookupService users = root.getFileSystem().getUserPrincipalLookupService();
        var owner = users.lookupPrincipalByName(user);
        var group = users.lookupPrincipalByGroupName(user);
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                var view = Files.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS);
                view.setOwner(owner);
                view.setGroup(group);
            }
        }
    }

    /** Runs a server program, as {@code postgres} when root (the server refuses root). */
    private void run(Duration timeout, List<String> command) throws IOException {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            full.addAll(List.of("runuser", "-u", SUPERUSER, "--"));
        }
        full.addAll(command);
        Process p = new ProcessBuilder(full).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        StderrTail out = StderrTail.of(p, "pitr-" + Path.of(command.get(0)).getFileName());
        try {
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(Path.of(command.get(0)).getFileName() + " timed out");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
        if (p.exitValue() != 0) {
            throw new IOException(Path.of(command.get(0)).getFileName() + " failed (exit " + p.exitValue() + "): "
                    + out.text());
        }
    }
}
