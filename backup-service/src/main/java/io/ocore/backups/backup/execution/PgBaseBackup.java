package io.ocore.backups.backup.execution;

import io.ocore.backups.backup.environment.Environment;
import io.ocore.backups.platform.backupformat.BackupManifest;
import io.ocore.backups.platform.jobs.Job;
import io.ocore.backups.platform.pgclient.PgPrograms;
import io.ocore.backups.platform.pgclient.StderrTail;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PITR base of a WAL-enabled environment (ADR 0017): {@code pg_basebackup --pgdata=- --format=tar
 * --wal-method=none --checkpoint=fast} writes the data directory as one tar ({@code base.tar}) to
 * standard output, streamed as a raw producer. The connection is pg_dump's
 * ({@link PgDump#connection}). While the tar passes, its own {@code backup_label} (start LSN, start
 * WAL file, timeline, label) and the end of its {@code backup_manifest} ({@code WAL-Ranges}: the
 * stop LSN) are read from it: what the base itself says, not a translated log line. A non-zero exit
 * or a tar without them fails the component before its end is signalled.
 */
final class PgBaseBackup {

    /** The most of {@code backup_label} kept (it is a few hundred bytes). */
    private static final int LABEL_MAX = 64 * 1024;
    /** The end of {@code backup_manifest} kept: its WAL ranges and checksum come last. */
    private static final int MANIFEST_TAIL = 64 * 1024;

    private static final Pattern START = Pattern.compile(
            "(?m)^START WAL LOCATION: ([0-9A-Fa-f]+/[0-9A-Fa-f]+) \\(file ([0-9A-Fa-f]{24})\\)$");
    private static final Pattern TIMELINE = Pattern.compile("(?m)^START TIMELINE: (\\d+)$");
    private static final Pattern LABEL = Pattern.compile("(?m)^LABEL: (.*)$");
    private static final Pattern RANGE = Pattern.compile("\\{\\s*\"Timeline\"\\s*:\\s*(\\d+)\\s*,\\s*\"Start-LSN\"\\s*:"
            + "\\s*\"([0-9A-Fa-f]+/[0-9A-Fa-f]+)\"\\s*,\\s*\"End-LSN\"\\s*:\\s*\"([0-9A-Fa-f]+/[0-9A-Fa-f]+)\"\\s*}");

    private final Path program;

    PgBaseBackup(Optional<String> pgBin) {
        this.program = PgPrograms.locate("pg_basebackup", pgBin);
    }

    /** The label a backup's base carries in its {@code backup_label}. */
    static String label(java.util.UUID backupId) {
        return "ocore-backup-" + backupId;
    }

    /**
     * Starts pg_basebackup now (registered with the calling thread's job: killed when the backup
     * stalls, overruns or loses its lease); {@link Running#writeTo} streams it. Close it to kill it.
     */
    Running start(Environment env, String password, String label) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(List.of(program.toString(), "--pgdata=-", "--format=tar",
                "--wal-method=none", "--checkpoint=fast", "--label=" + label, "--no-password"));
        PgDump.connection(pb.environment(), env, password);
        pb.environment().put("LC_ALL", "C"); // its own messages in English: explain() reads them
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        Job.watchCurrent(p);
        return new Running(p, StderrTail.of(p, "pg_basebackup"), env.dbUser, label);
    }

    /** A started pg_basebackup. */
    static final class Running implements AutoCloseable {
        private final Process p;
        private final StderrTail stderr;
        private final String user;
        private final String label;
        private volatile BackupManifest.PitrBase result;

        private Running(Process p, StderrTail stderr, String user, String label) {
            this.p = p;
            this.stderr = stderr;
            this.user = user;
            this.label = label;
        }

        /** What the finished base says of itself; null until {@link #writeTo} succeeded. */
        BackupManifest.PitrBase result() {
            return result;
        }

        /** Streams base.tar to {@code out}; fails (before the end is signalled) unless it is a whole base. */
        void writeTo(OutputStream out) throws IOException {
            TarScan scan = new TarScan(out);
            try (InputStream stdout = p.getInputStream()) {
                stdout.transferTo(scan);
                int code = p.waitFor();
                stderr.await(5000);
                if (code != 0) {
                    throw new IOException(explain(stderr.text(), stderr.lastLine(), code, user));
                }
                // pg_basebackup ends after the server's backup stop (and, with archiving on, after the
                // stop segment was archived): the base is consistent no later than now
                Instant consistentAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                result = parse(scan.label(), scan.manifestTail(), label, consistentAt);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while pg_basebackup ran");
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

    /** The base's start from its backup_label, its stop from its backup_manifest's WAL ranges. */
    static BackupManifest.PitrBase parse(String backupLabel, String manifestTail, String expectedLabel,
            Instant consistentAt) throws IOException {
        if (backupLabel == null) {
            throw new IOException("the PITR base (pg_basebackup) holds no backup_label");
        }
        Matcher start = START.matcher(backupLabel);
        Matcher tli = TIMELINE.matcher(backupLabel);
        Matcher lbl = LABEL.matcher(backupLabel);
        if (!start.find() || !tli.find()) {
            throw new IOException("the PITR base's backup_label does not say where its WAL starts");
        }
        if (!lbl.find() || !lbl.group(1).strip().equals(expectedLabel)) {
            throw new IOException("the PITR base's backup_label is not labelled " + expectedLabel);
        }
        if (manifestTail == null) {
            throw new IOException("the PITR base (pg_basebackup) holds no backup_manifest: it does not say where"
                    + " its WAL stops (pg_basebackup 13 or later writes one)");
        }
        Matcher range = RANGE.matcher(manifestTail);
        String first = null;
        String last = null;
        while (range.find()) {
            if (first == null) {
                first = range.group(2);
            }
            last = range.group(3);
        }
        if (last == null) {
            throw new IOException("the PITR base's backup_manifest has no WAL-Ranges");
        }
        String startLsn = start.group(1).toUpperCase(java.util.Locale.ROOT);
        if (lsn(first) != lsn(startLsn)) {
            throw new IOException("the PITR base's backup_label starts at " + startLsn + ", its backup_manifest at "
                    + first);
        }
        if (lsn(last) < lsn(startLsn)) {
            throw new IOException("the PITR base stops (" + last + ") before it starts (" + startLsn + ")");
        }
        return new BackupManifest.PitrBase(startLsn, last.toUpperCase(java.util.Locale.ROOT),
                Integer.parseInt(tli.group(1)), start.group(2).toUpperCase(java.util.Locale.ROOT), consistentAt);
    }

    /** An LSN ({@code X/Y}, hex) as a number. */
    static long lsn(String s) {
        int slash = s.indexOf('/');
        return (Long.parseLong(s.substring(0, slash), 16) << 32) | Long.parseLong(s.substring(slash + 1), 16);
    }

    /**
     * Why pg_basebackup failed, in words that say what to configure on the environment's server.
     * pg_basebackup never prints the password; host and port are hidden by the caller.
     */
    static String explain(String stderr, String lastLine, int code, String user) {
        String prefix = "the PITR base (pg_basebackup) failed, so the backup did not complete (WAL archiving is on"
                + " for this environment's schedule): ";
        if (stderr.contains("must be superuser or replication role")
                || stderr.contains("permission denied to start WAL sender")) {
            return prefix + "the database user " + user + " may not take a base backup; grant it REPLICATION ("
                    + "ALTER ROLE " + quote(user) + " REPLICATION) or turn WAL archiving off in the schedule";
        }
        if (stderr.contains("no pg_hba.conf entry for replication connection")) {
            return prefix + "the server's pg_hba.conf has no line for replication connections of " + user
                    + " from oCore; add one (host replication " + user + " <oCore's address> scram-sha-256) and"
                    + " reload the server";
        }
        if (stderr.contains("max_wal_senders")) {
            return prefix + "the server allows no replication connection; set max_wal_senders (e.g. 10) in"
                    + " postgresql.conf and restart the server";
        }
        if (stderr.contains("WAL level not sufficient") || stderr.contains("wal_level")) {
            return prefix + "the server's wal_level is minimal; set wal_level = replica in postgresql.conf and"
                    + " restart the server";
        }
        if (stderr.contains("can only write single tablespace to stdout")) {
            return prefix + "the database server has tablespaces besides pg_default and pg_global, which a PITR"
                    + " base streamed by oCore cannot hold; move their tables to pg_default or turn WAL archiving off";
        }
        return prefix + "pg_basebackup exited with code " + code + ": " + lastLine;
    }

    private static String quote(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }

    /**
     * Passes a tar stream through unchanged, following its member headers (512-byte blocks, ustar
     * sizes) to keep {@code backup_label} and the end of {@code backup_manifest}.
     */
    static final class TarScan extends FilterOutputStream {
        private final byte[] header = new byte[512];
        private int headerFill;
        private long dataLeft; // data and padding of the current member still to come
        private long contentLeft; // of that, the member's own bytes
        private ByteArrayOutputStream capture;
        private boolean captureTail;
        private String labelText;
        private String manifestText;

        TarScan(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            int i = off;
            int end = off + len;
            while (i < end) {
                if (dataLeft > 0) {
                    int n = (int) Math.min(dataLeft, end - i);
                    int content = (int) Math.min(contentLeft, n);
                    if (capture != null && content > 0) {
                        capture.write(b, i, content);
                        if (captureTail && capture.size() > 2 * MANIFEST_TAIL) {
                            byte[] all = capture.toByteArray();
                            capture.reset();
                            capture.write(all, all.length - MANIFEST_TAIL, MANIFEST_TAIL);
                        }
                    }
                    contentLeft -= content;
                    dataLeft -= n;
                    i += n;
                    if (dataLeft == 0) {
                        memberEnded();
                    }
                    continue;
                }
                int n = Math.min(512 - headerFill, end - i);
                System.arraycopy(b, i, header, headerFill, n);
                headerFill += n;
                i += n;
                if (headerFill == 512) {
                    headerFill = 0;
                    startMember();
                }
            }
        }

        private void startMember() {
            boolean zero = true;
            for (byte x : header) {
                if (x != 0) {
                    zero = false;
                    break;
                }
            }
            if (zero) {
                return; // the archive's end blocks
            }
            String name = field(0, 100);
            String prefix = field(345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
            long size = size();
            contentLeft = size;
            dataLeft = (size + 511) / 512 * 512;
            capture = null;
            captureTail = false;
            if (name.equals("backup_label") && size <= LABEL_MAX) {
                capture = new ByteArrayOutputStream((int) size);
            } else if (name.equals("backup_manifest")) {
                capture = new ByteArrayOutputStream();
                captureTail = true;
            }
            if (dataLeft == 0) {
                memberEnded();
            }
        }

        private void memberEnded() {
            if (capture != null) {
                String text = capture.toString(StandardCharsets.UTF_8);
                if (captureTail) {
                    manifestText = text;
                } else {
                    labelText = text;
                }
                capture = null;
            }
        }

        private String field(int off, int len) {
            int e = off;
            while (e < off + len && header[e] != 0) {
                e++;
            }
            return new String(header, off, e - off, StandardCharsets.US_ASCII);
        }

        /** The size field: octal, or base-256 when its first byte has the high bit (GNU, > 8 GiB). */
        private long size() {
            if ((header[124] & 0x80) != 0) {
                long v = 0;
                for (int k = 125; k < 136; k++) {
                    v = (v << 8) | (header[k] & 0xff);
                }
                return v;
            }
            String s = field(124, 12).strip();
            return s.isEmpty() ? 0 : Long.parseLong(s, 8);
        }

        String label() {
            return labelText;
        }

        String manifestTail() {
            return manifestText;
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
