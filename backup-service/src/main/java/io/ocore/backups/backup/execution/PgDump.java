package io.ocore.backups.backup.execution;

import io.ocore.backups.platform.pgclient.PgPrograms;
import io.ocore.backups.platform.pgclient.StderrTail;
import io.ocore.backups.backup.environment.Environment;
import io.ocore.backups.platform.backupformat.ComponentWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import io.ocore.backups.platform.jobs.Job;
import io.ocore.backups.platform.jobs.JobRunner;
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
    private final Duration lockWaitTimeout;

    PgDump(Optional<String> pgBin, Duration lockWaitTimeout) {
        this.pgDump = PgPrograms.locate("pg_dump", pgBin);
        this.lockWaitTimeout = lockWaitTimeout;
    }

    Path program() {
        return pgDump;
    }

    ComponentWriter.RawProducer producer(Environment env, String password) {
        return out -> {
            try (Running r = start(env, password)) {
                r.writeTo(out);
            }
        };
    }

    /**
     * Starts pg_dump now (registered with the calling thread's job): it reads the catalogue while
     * the caller opens its destinations; {@link Running#writeTo} then streams it. Close it to
     * kill a dump that is not wanted any more.
     */
    Running start(Environment env, String password) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(List.of(pgDump.toString(), "--format=custom", "--compress=0",
                "--no-password",
                // a table locked by another session fails the dump in bounded time, not never
                "--lock-wait-timeout=" + Math.max(1, lockWaitTimeout.toMillis())));
        connection(pb.environment(), env, password);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        Job.watchCurrent(p); // killed if the backup stalls, overruns its deadline or loses its lease
        return new Running(p, StderrTail.of(p, "pg_dump"));
    }

    /**
     * The environment's connection in libpq's variables (host, port, user, database, password),
     * replacing any {@code PG*} of this process: the one way backup-service's client programs
     * (pg_dump, pg_basebackup) reach an environment's server; nothing of it on a command line.
     */
    static void connection(Map<String, String> e, Environment env, String password) {
        e.keySet().removeIf(k -> k.startsWith("PG"));
        e.put("PGHOST", env.dbHost);
        e.put("PGPORT", Integer.toString(env.dbPort));
        e.put("PGUSER", env.dbUser);
        e.put("PGDATABASE", env.dbName);
        e.put("PGPASSWORD", password == null ? "" : password);
        e.put("PGCONNECT_TIMEOUT", "15");
        e.put("PGAPPNAME", "ocore-backup");
    }

    /** A started pg_dump. */
    final class Running implements AutoCloseable {
        private final Process p;
        private final StderrTail stderr;

        private Running(Process p, StderrTail stderr) {
            this.p = p;
            this.stderr = stderr;
        }

        /** Streams the dump to {@code out}; a non-zero exit fails before the end is signalled. */
        void writeTo(OutputStream out) throws IOException {
            try (InputStream stdout = p.getInputStream()) {
                stdout.transferTo(out);
                int code = p.waitFor();
                stderr.await(5000);
                if (code != 0) {
                    String last = stderr.lastLine();
                    if (last.contains("lock timeout") || last.contains("LOCK TABLE")) {
                        throw new IOException("pg_dump waited longer than " + JobRunner.human(lockWaitTimeout)
                                + " for a lock on a table of the database (another session holds it): " + last);
                    }
                    throw new IOException("pg_dump exited with code " + code + ": " + last);
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while pg_dump ran");
            } finally {
                close();
            }
        }

        @Override
        public void close() {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }
}
