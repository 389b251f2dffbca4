package io.ocore.backups.restore.execution;

import io.ocore.backups.platform.pgclient.StderrTail;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The PostgreSQL server of a restore's target: create, drop and rename databases (from the
 * maintenance database {@code postgres}), and {@code pg_restore} into one. pg_restore runs with an
 * argument array and the password in {@code PGPASSWORD}, never on the command line.
 */
final class TargetServer {

    /** What backup-service accepts as a database name: plain identifiers only. */
    static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.$-]{0,62}");

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final Path pgRestore;
    private final java.time.Duration lockTimeout;

    TargetServer(String host, int port, String user, String password, Path pgRestore,
            java.time.Duration lockTimeout) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password == null ? "" : password;
        this.pgRestore = pgRestore;
        this.lockTimeout = lockTimeout;
    }

    TargetServer(String host, int port, String user, String password, Path pgRestore) {
        this(host, port, user, password, pgRestore, java.time.Duration.ofMinutes(5));
    }

    /** {@code -c lock_timeout=N}: every session of the restore waits at most that long for a lock. */
    private String lockOptions() {
        return "-c lock_timeout=" + Math.max(1, lockTimeout.toMillis());
    }

    Connection connect(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "15");
        p.setProperty("ApplicationName", "ocore-restore");
        p.setProperty("options", lockOptions());
        String h = host.contains(":") ? "[" + host + "]" : host;
        return DriverManager.getConnection("jdbc:postgresql://" + h + ":" + port + "/" + database, p);
    }

    boolean exists(String db) throws SQLException {
        try (Connection c = connect("postgres");
                PreparedStatement st = c.prepareStatement("select 1 from pg_database where datname = ?")) {
            st.setString(1, db);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    void create(String db) throws SQLException {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            st.execute("create database " + quote(db) + " template template0");
        }
    }

    /**
     * Drops the database if it exists, ending its client sessions first; retried briefly if a
     * client reconnects at once. Not {@code WITH (FORCE)}: for a role that is not a superuser it
     * fails outright when an autovacuum worker is in the database, while a plain drop (like a
     * rename) makes PostgreSQL stop autovacuum itself.
     */
    void drop(String db) throws SQLException {
        withSessionsEnded(db, "drop database if exists " + quote(db));
    }

    /**
     * Renames {@code from} to {@code to}: ends the client sessions connected to {@code from} first
     * (a database in use cannot be renamed); retried briefly if a client reconnects at once.
     */
    void rename(String from, String to) throws SQLException {
        withSessionsEnded(from, "alter database " + quote(from) + " rename to " + quote(to));
    }

    /**
     * Client sessions of a database this role may end: its own roles' (or all non-superusers' with
     * pg_signal_backend; all with superuser). Never autovacuum or other background workers: ending
     * those needs superuser, and PostgreSQL stops autovacuum itself for a rename or a drop.
     */
    private static final String END_SESSIONS = """
            select pg_terminate_backend(a.pid) from pg_stat_activity a
            where a.datname = ? and a.pid <> pg_backend_pid() and a.backend_type = 'client backend'
              and ((select rolsuper from pg_roles where rolname = current_user)
                   or (not coalesce((select rolsuper from pg_roles r where r.oid = a.usesysid), true)
                       and (pg_has_role(current_user, a.usesysid, 'member')
                            or pg_has_role(current_user, 'pg_signal_backend', 'member'))))""";

    /** Ends {@code db}'s client sessions, then runs {@code ddl}; again while the database is still in use (55006). */
    private void withSessionsEnded(String db, String ddl) throws SQLException {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            SQLException last = null;
            for (int attempt = 0; attempt < 10; attempt++) {
                try (PreparedStatement kill = c.prepareStatement(END_SESSIONS)) {
                    kill.setString(1, db);
                    kill.executeQuery().close();
                }
                try {
                    st.execute(ddl);
                    return;
                } catch (SQLException e) {
                    if (!"55006".equals(e.getSQLState())) {
                        throw e;
                    }
                    last = e;
                    try {
                        Thread.sleep(200L * (attempt + 1));
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw e;
                    }
                }
            }
            throw last;
        }
    }

    /**
     * Feeds {@code dump} (a pg_dump custom-format stream) to pg_restore into {@code db} through a
     * pipe; {@code watch} is told the process (killed when the restore is stopped).
     */
    void pgRestore(String db, InputStream dump, Consumer<Process> watch) throws IOException {
        Process p = start(db, List.of(), watch);
        StderrTail stderr = StderrTail.of(p, "pg_restore");
        boolean ok = false;
        try {
            boolean broken = false;
            OutputStream stdin = p.getOutputStream();
            byte[] buf = new byte[1 << 16];
            int n;
            // Read the whole component even if pg_restore stops early: the checksum verdict comes at its end.
            while ((n = dump.read(buf)) >= 0) {
                if (!broken) {
                    try {
                        stdin.write(buf, 0, n);
                    } catch (IOException pipe) {
                        broken = true;
                    }
                }
            }
            try {
                stdin.close();
            } catch (IOException ignored) {
                // pg_restore already closed its end; its exit code tells
            }
            await(p, stderr);
            ok = true;
        } finally {
            if (!ok && p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    /**
     * pg_restore of the archive {@code file} (complete and verified) into {@code db} with
     * {@code jobs} parallel jobs ({@code --jobs}: needs a file, not a pipe).
     */
    void pgRestoreFile(String db, Path file, int jobs, Consumer<Process> watch) throws IOException {
        Process p = start(db, List.of("--jobs=" + jobs, file.toString()), watch);
        StderrTail stderr = StderrTail.of(p, "pg_restore");
        boolean ok = false;
        try {
            p.getOutputStream().close();
            await(p, stderr);
            ok = true;
        } finally {
            if (!ok && p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    private Process start(String db, List<String> extra, Consumer<Process> watch) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(pgRestore.toString(), "--no-owner", "--no-privileges",
                "--exit-on-error", "--no-password", "--dbname=" + checked(db)));
        cmd.addAll(extra);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> e = pb.environment();
        e.keySet().removeIf(k -> k.startsWith("PG"));
        e.put("PGHOST", host);
        e.put("PGPORT", Integer.toString(port));
        e.put("PGUSER", user);
        e.put("PGPASSWORD", password);
        e.put("PGCONNECT_TIMEOUT", "15");
        e.put("PGAPPNAME", "ocore-restore");
        e.put("PGOPTIONS", lockOptions());
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        io.ocore.backups.platform.jobs.Job.watchCurrent(p); // killed if the restore stalls or loses its lease
        watch.accept(p);
        return p;
    }

    private static void await(Process p, StderrTail stderr) throws IOException {
        try {
            int code = p.waitFor();
            stderr.await(5000);
            if (code != 0) {
                throw new IOException("pg_restore exited with code " + code + ": " + stderr.lastLine());
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while pg_restore ran");
        }
    }

    static String quote(String identifier) {
        return "\"" + checked(identifier).replace("\"", "\"\"") + "\"";
    }

    static String checked(String identifier) {
        if (identifier == null || !IDENTIFIER.matcher(identifier).matches()) {
            throw new IllegalArgumentException("not a plain database name: " + identifier);
        }
        return identifier;
    }

}
