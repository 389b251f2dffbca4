package io.ocore.backups.restore.execution;

import io.ocore.backups.platform.pgclient.StderrTail;
import io.ocore.backups.platform.walformat.Lsn;
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

    /** PostgreSQL's warning when the recovered WAL raises a setting hot standby needs above ours. */
    static final String INSUFFICIENT = "insufficient parameter settings";
    /**
     * The settings a hot standby needs at least as high as the source had them (pg_control's
     * copies, printed by pg_controldata); below them recovery aborts or pauses.
     */
    static final List<String[]> HOT_STANDBY_SETTINGS = List.of(new String[] {"max_connections", "max_connections setting"},
            new String[] {"max_worker_processes", "max_worker_processes setting"},
            new String[] {"max_wal_senders", "max_wal_senders setting"},
            new String[] {"max_prepared_transactions", "max_prepared_xacts setting"},
            new String[] {"max_locks_per_transaction", "max_locks_per_xact setting"});

    private final Path dir;
    private final Path socketDir;
    private final Path bin;
    /** The server runs as a hot standby (its replay position can be asked); off: only at the end. */
    private boolean hotStandby;
    private String conf;
    private String standbySettings;

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
        standbySettings = hotStandbySettings();
        hotStandby = standbySettings != null;
        conf = "# written by oCore restore-service for a point-in-time restore (ADR 0018)\n"
                + "listen_addresses = ''\n"
                + "port = 5432\n"
                + "unix_socket_directories = '" + socketDir() + "'\n"
                + "unix_socket_permissions = 0700\n"
                + "shared_buffers = 64MB\n"
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
        writeConf();
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

    private void writeConf() throws IOException {
        String all = conf + (hotStandby ? "hot_standby = on\n" + standbySettings
                : "hot_standby = off\nmax_connections = 20\n") + FaultInjector.scratchSettings();
        Files.writeString(dataDir().resolve("postgresql.conf"), all, StandardCharsets.UTF_8);
    }

    /**
     * A hot standby's settings, each the source's (pg_control of the unpacked base) or ours if
     * higher, so that the replay position can be asked during recovery; null when pg_controldata
     * does not say them (the server then replays without hot standby: progress only at the end).
     */
    private String hotStandbySettings() {
        String out;
        try {
            // as this service's user: the data directory is not the server's yet
            out = exec(Duration.ofSeconds(30), List.of(bin.resolve("pg_controldata").toString(),
                    dataDir().toString()), true, false);
        } catch (IOException e) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (String[] s : HOT_STANDBY_SETTINGS) {
            Matcher m = Pattern.compile("(?m)^" + Pattern.quote(s[1]) + ":\\s+(\\d{1,9})\\s*$").matcher(out);
            if (!m.find()) {
                return null;
            }
            long v = Long.parseLong(m.group(1));
            if ("max_connections".equals(s[0])) {
                v = Math.max(v, 20);
            }
            b.append(s[0]).append(" = ").append(v).append('\n');
        }
        return b.toString();
    }

    /** Whether the server replays as a hot standby (its position asked during the replay). */
    boolean hotStandby() {
        return hotStandby;
    }

    /** Where recovery stopped, or why it did not reach the target. */
    record Outcome(boolean reached, String detail) {
    }

    /**
     * Starts the server and waits (polling its log, until {@code deadline}) for it to stop at the
     * target and promote. The end of WAL before the target is {@code reached = false}.
     */
    Outcome replay(Duration deadline, java.util.function.Consumer<Lsn> replayed, Duration every) throws IOException {
        start();
        long end = System.nanoTime() + deadline.toNanos();
        long startBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long askAt = System.nanoTime();
        Long pid = null;
        int logFrom = 0; // after a restart, only what the new server logged
        while (true) {
            String log = Files.exists(log()) ? new String(Files.readAllBytes(log()), StandardCharsets.UTF_8) : "";
            log = log.substring(Math.min(logFrom, log.length()));
            if (hotStandby && log.contains(INSUFFICIENT)) {
                // the WAL raised a setting above ours (or pg_control's were not enough): the replay
                // goes on without hot standby, from its last restartpoint, its position said at the end
                hotStandby = false;
                io.quarkus.logging.Log.infof("The scratch server %s cannot replay as a hot standby (%s): started again"
                        + " without, its position said at the end", dir, INSUFFICIENT);
                try {
                    stop();
                } catch (IOException e) {
                    // already stopped (recovery aborted at start)
                }
                logFrom += log.length();
                writeConf();
                start();
                startBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                pid = null;
                continue;
            }
            if (hotStandby && System.nanoTime() - askAt >= 0) {
                askAt = System.nanoTime() + every.toNanos();
                Lsn lsn = replayedLsn();
                if (lsn != null) {
                    replayed.accept(lsn);
                }
            }
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
                log = log.substring(Math.min(logFrom, log.length()));
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

    private void start() throws IOException {
        run(Duration.ofSeconds(60), List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir().toString(), "-l",
                log().toString(), "-W", "start"));
    }

    private void stop() throws IOException {
        run(Duration.ofSeconds(60), List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir().toString(),
                "-m", "immediate", "-w", "-t", "60", "stop"));
    }

    /**
     * The last WAL location the server replayed ({@code pg_last_wal_replay_lsn()} on its private
     * socket): during recovery once it is consistent (hot standby), after the promotion the
     * position recovery ended at; null while it cannot say (starting, not yet consistent).
     */
    Lsn replayedLsn() {
        List<String> cmd = List.of(bin.resolve("psql").toString(), "-X", "-w", "-A", "-t", "-q", "-h",
                socketDir().toString(), "-p", "5432", "-U", SUPERUSER, "-d", "postgres", "-c",
                "select pg_last_wal_replay_lsn()");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().remove("PGPASSWORD");
            pb.environment().put("PGCONNECT_TIMEOUT", "5");
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out;
            try (var in = p.getInputStream()) {
                out = in.readNBytes(200);
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String text = new String(out, StandardCharsets.US_ASCII).strip();
            return p.exitValue() == 0 && !text.isEmpty() ? Lsn.parse(text) : null;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
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
                stop();
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
        exec(timeout, command, false, true);
    }

    /** Runs a program (as the server's user or not); with {@code capture}, answers its output (at most 64 KiB). */
    private String exec(Duration timeout, List<String> command, boolean capture, boolean asServer)
            throws IOException {
        List<String> full = new ArrayList<>();
        if (asServer && isRoot()) {
            full.addAll(List.of("runuser", "-u", SUPERUSER, "--"));
        }
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full);
        if (!capture) {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        Process p = pb.start();
        StderrTail out = StderrTail.of(p, "pitr-" + Path.of(command.get(0)).getFileName());
        byte[] stdout = new byte[0];
        try {
            p.getOutputStream().close();
            if (capture) {
                try (var in = p.getInputStream()) {
                    stdout = in.readNBytes(64 * 1024);
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                }
            }
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
        return new String(stdout, StandardCharsets.UTF_8);
    }
}
