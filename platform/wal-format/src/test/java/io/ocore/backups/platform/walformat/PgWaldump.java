package io.ocore.backups.platform.walformat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What PostgreSQL's own pg_waldump says of one segment: the reference the reader is checked against. */
record PgWaldump(int records, Lsn lastRecordStart, int commits, int aborts, int commitPrepared,
    int commitsFromAnOrigin, Instant firstCommit, Instant lastCommit, int commitRecordsLongerThanAPage, int fullPageWrites) {

  private static final Pattern RECORD = Pattern.compile(
      "^rmgr: (\\S+)\\s+len \\(rec/tot\\):\\s*(\\d+)/\\s*(\\d+), tx:\\s*\\d+, lsn: (\\S+), prev \\S+, desc: (.*)$");
  private static final Pattern XACT = Pattern.compile(
      "^(COMMIT|COMMIT_PREPARED|ABORT|ABORT_PREPARED) (?:\\d+: )?"
          + "(\\d{4}-\\d\\d-\\d\\d) (\\d\\d:\\d\\d:\\d\\d\\.\\d{6}) UTC\\b.*");

  /**
   * Runs pg_waldump on {@code file} (a .partial is dumped through a copy named as its segment, as
   * pg_waldump only opens segment names). pg_waldump stops at the end of valid WAL with an error
   * exit, so its exit status is not looked at.
   */
  static PgWaldump of(Path bin, Path file, WalFileName name) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("ocore-waldump-");
    try {
      Path segment = dir.resolve(name.segmentName());
      Files.copy(file, segment, StandardCopyOption.REPLACE_EXISTING);
      ProcessBuilder pb = new ProcessBuilder(bin.resolve("pg_waldump").toString(), segment.toString())
          .redirectError(ProcessBuilder.Redirect.DISCARD);
      pb.environment().put("TZ", "UTC");
      Process p = pb.start();
      int records = 0;
      int commits = 0;
      int aborts = 0;
      int prepared = 0;
      int origin = 0;
      int longCommits = 0;
      int fpw = 0;
      Lsn last = null;
      Instant first = null;
      Instant lastCommit = null;
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("pg_waldump timed out");
      }
      for (String line : out.split("\n")) {
        Matcher m = RECORD.matcher(line);
        if (!m.matches()) {
          continue;
        }
        records++;
        last = Lsn.parse(m.group(4));
        if (line.contains(" FPW")) {
          fpw++;
        }
        if (!m.group(1).equals("Transaction")) {
          continue;
        }
        Matcher x = XACT.matcher(m.group(5));
        if (!x.matches()) {
          continue;
        }
        Instant at = Instant.parse(x.group(2) + "T" + x.group(3) + "Z");
        if (x.group(1).startsWith("COMMIT")) {
          commits++;
          if (x.group(1).equals("COMMIT_PREPARED")) {
            prepared++;
          }
          if (line.contains("origin: node")) {
            origin++;
          }
          if (Integer.parseInt(m.group(3)) > 8192) {
            longCommits++;
          }
          if (first == null) {
            first = at;
          }
          lastCommit = at;
        } else {
          aborts++;
        }
      }
      return new PgWaldump(records, last, commits, aborts, prepared, origin, first, lastCommit, longCommits,
          fpw);
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    }
  }
}
