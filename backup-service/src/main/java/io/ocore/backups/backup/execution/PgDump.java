package io.ocore.backups.backup.execution;

import io.ocore.backups.platform.pgclient.PgPrograms;
import io.ocore.backups.platform.pgclient.StderrTail;
import io.ocore.backups.backup.environment.Environment;
import io.ocore.backups.platform.backupformat.ComponentWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code pg_dump -Fc -Z0} of an environment's database as a raw producer. An argument array, no
 * shell; the connection (host, port, user, database, password) goes through libpq's environment
 * variables, so nothing about it is on the command line. A non-zero exit fails the component
 * before its end is signalled, so no destination ever holds a truncated dump.
 */
final class PgDump {

    private final Path pgDump;

    PgDump(Optional<String> pgBin) {
        this.pgDump = PgPrograms.locate("pg_dump", pgBin);
    }

    Path program() {
        return pgDump;
    }

    ComponentWriter.RawProducer producer(Environment env, String password) {
        return out -> run(env, password, out);
    }

    private void run(Environment env, String password, OutputStream out) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(List.of(pgDump.toString(), "--format=custom", "--compress=0",
                "--no-password"));
        Map<String, String> e = pb.environment();
        e.keySet().removeIf(k -> k.startsWith("PG"));
        e.put("PGHOST", env.dbHost);
        e.put("PGPORT", Integer.toString(env.dbPort));
        e.put("PGUSER", env.dbUser);
        e.put("PGDATABASE", env.dbName);
        e.put("PGPASSWORD", password == null ? "" : password);
        e.put("PGCONNECT_TIMEOUT", "15");
        e.put("PGAPPNAME", "ocore-backup");
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        StderrTail stderr = StderrTail.of(p, "pg_dump");
        try (InputStream stdout = p.getInputStream()) {
            stdout.transferTo(out);
            int code = p.waitFor();
            stderr.await(5000);
            if (code != 0) {
                throw new IOException("pg_dump exited with code " + code + ": " + stderr.lastLine());
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while pg_dump ran");
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

}
