package io.ocore.backups.platform.testing.postgres;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster made with the system's {@code initdb} and {@code pg_ctl}: the one
 * way tests get PostgreSQL (no Docker, never the machine's own server). As root it runs
 * through the {@code postgres} user, as initdb refuses root. Trust authentication on 127.0.0.1,
 * superuser {@code postgres}.
 *
 * <p>{@link #shared()} gives one cluster per JVM (databases per test class); {@link #start(Map)}
 * gives a dedicated one, e.g. with WAL archiving settings.
 */
public final class PostgresCluster implements AutoCloseable {

    public static final String SUPERUSER = "postgres";
    private static PostgresCluster shared;

    private final Path bin;
    private final Path dataDir;
    private final Path baseDir;
    private final int port;
    private volatile boolean running;

    private PostgresCluster(Path bin, Path baseDir, int port) {
        this.bin = bin;
        this.baseDir = baseDir;
        this.dataDir = baseDir.resolve("data");
        this.port = port;
    }

    /** The cluster shared by every test of this JVM; stopped when the JVM exits. */
    public static synchronized PostgresCluster shared() {
        if (shared == null || !shared.running) {
            shared = start(Map.of());
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "postgres-cluster-stop"));
        }
        return shared;
    }

    /** A new cluster with extra {@code postgresql.conf} settings; the caller closes it. */
    public static PostgresCluster start(Map<String, String> settings) {
        try {
            Path base = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "ocore-pg-");
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
            PostgresCluster cluster = new PostgresCluster(binaries(), base, freePort());
            cluster.initAndStart(settings);
            return cluster;
        } catch (IOException e) {
            throw new IllegalStateException("Could not create a PostgreSQL cluster: " + e.getMessage(), e);
        }
    }

    /** The directory holding PostgreSQL's server programs ({@code OCORE_PG_BIN} overrides). */
    public static Path binaries() {
        String override = System.getenv("OCORE_PG_BIN");
        if (override != null && Files.isExecutable(Path.of(override, "initdb"))) {
            return Path.of(override);
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                var best = versions.filter(p -> Files.isExecutable(p.resolve("bin/initdb")))
                        .max(Comparator.comparingInt(p -> parseIntOr(p.getFileName().toString(), 0)));
                if (best.isPresent()) {
                    return best.get().resolve("bin");
                }
            } catch (IOException ignored) {
                // reported below
            }
        }
        throw new IllegalStateException("PostgreSQL server binaries not found: install postgresql-15 "
                + "(apt-get install -y postgresql-15) or set OCORE_PG_BIN to the directory holding initdb");
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Where other programs of the same version live (pg_dump, pg_basebackup...). */
    public Path bin() {
        return bin;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** The URL form of the Vert.x reactive client. */
    public String reactiveUrl(String database) {
        return "postgresql://127.0.0.1:" + port + "/" + database;
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), SUPERUSER, "");
    }

    /** Creates an empty database; answers its name. */
    public String createDatabase(String name) {
        try (Connection c = connect("postgres"); var st = c.createStatement()) {
            st.execute("create database \"" + name.replace("\"", "") + "\"");
            return name;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create database " + name + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code sql} in {@code database} as the superuser. */
    public void execute(String database, String sql) {
        try (Connection c = connect(database); var st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed in " + database + ": " + e.getMessage(), e);
        }
    }

    /** Stops the server immediately (like a crash), leaving the data directory for a restart. */
    public void kill() {
        run(Duration.ofSeconds(30), List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "immediate", "-w", "stop"));
        running = false;
    }

    /** Starts the server again on the same port and data directory. */
    public void restart() {
        startServer();
    }

    @Override
    public synchronized void close() {
        if (running) {
            try {
                run(Duration.ofSeconds(30), List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "fast", "-w", "stop"));
            } catch (RuntimeException e) {
                // best effort on shutdown
            }
            running = false;
        }
        deleteTree(baseDir);
    }

    private void initAndStart(Map<String, String> settings) throws IOException {
        run(Duration.ofSeconds(120), List.of(bin.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", SUPERUSER,
                "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"));
        StringBuilder conf = new StringBuilder("\n# written by PostgresCluster (tests)\n")
                .append("listen_addresses = '127.0.0.1'\n")
                .append("port = ").append(port).append('\n')
                .append("unix_socket_directories = '").append(baseDir).append("'\n")
                .append("max_connections = 200\n")
                .append("shared_buffers = 32MB\n")
                .append("fsync = off\nsynchronous_commit = off\n");
        settings.forEach((k, v) -> conf.append(k).append(" = ").append(v).append('\n'));
        Path confFile = dataDir.resolve("postgresql.conf");
        Files.writeString(confFile, conf, java.nio.file.StandardOpenOption.APPEND);
        startServer();
    }

    private void startServer() {
        run(Duration.ofSeconds(60), List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(),
                "-l", baseDir.resolve("server.log").toString(), "-w", "-t", "60", "start"));
        running = true;
    }

    private void run(Duration timeout, List<String> command) {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            chownToPostgres();
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " timed out");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(Path.of(command.get(0)).getFileName() + " failed (exit " + p.exitValue()
                        + "): " + new String(out) + tail(baseDir.resolve("server.log")));
            }
        } catch (IOException e) {
            throw new IllegalStateException("Could not run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + command.get(0), e);
        }
    }

    private void chownToPostgres() {
        try {
            Process p = new ProcessBuilder("chown", "-R", "postgres:postgres", baseDir.toString())
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new IllegalStateException("chown failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path log) {
        try {
            if (!Files.exists(log)) {
                return "";
            }
            List<String> lines = Files.readAllLines(log);
            return "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static int parseIntOr(String s, int fallback) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temporary files; the OS cleans up eventually
        }
    }
}
