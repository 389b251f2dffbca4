package io.ocore.backups.platform.walformat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ocore.backups.platform.testing.postgres.PostgresCluster;
import io.ocore.backups.platform.walformat.WalFileName.Kind;
import io.ocore.backups.platform.walformat.WalSegmentReader.Details;
import io.ocore.backups.platform.walformat.WalSegmentReader.Summary;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * WAL written by a real PostgreSQL 15 and archived by its {@code archive_command}: small and large
 * commits (commit records longer than a page), full-page images (compressed or not), a rollback,
 * a commit from a replication origin, subtransactions naming their top-level transaction,
 * two-phase commits and a rolled back prepared transaction, bulk writes whose records cross
 * segment ends, WAL switches, a base backup (its {@code .backup} file), then a kill and an archive
 * recovery that ends on a new timeline (its {@code .history} file, the old timeline's
 * {@code .partial} segment, the new timeline's first segment). Every segment is read and checked
 * against {@code pg_waldump} on the same file.
 */
class RealPostgresWalTest {

  private static final long SEGMENT = WalFileName.DEFAULT_SEGMENT_SIZE;

  private static Path archive;
  private static PostgresCluster pg;
  private static long systemIdentifier;
  private static Instant workStarted;
  private static Instant workEnded;

  @BeforeAll
  static void writeAndArchiveWal() throws Exception {
    workStarted = Instant.now().minusSeconds(1); // initdb's own commits are in the first segment
    archive = Files.createTempDirectory("ocore-wal-archive-");
    Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rwxrwxrwx"));
    pg = PostgresCluster.start(Map.of(
        "archive_mode", "on",
        "archive_command", "'cp %p " + archive + "/%f'",
        "max_prepared_transactions", "4",
        "wal_compression", "pglz",
        "wal_level", "logical", // a subtransaction's first record names its top-level xid
        "log_timezone", "'Europe/Paris'",
        "max_wal_size", "'1GB'",
        "checkpoint_timeout", "'1h'"));
    try (Connection c = pg.connect("postgres"); Statement st = c.createStatement()) {
      systemIdentifier = single(st, "select system_identifier from pg_control_system()");
      st.execute("create table t (id bigint primary key, payload text)");
      for (int i = 0; i < 120; i++) {
        st.execute("insert into t values (" + i + ", repeat('x', 100))");
      }
      st.execute("begin; insert into t values (-1, 'rolled back'); rollback");
      st.execute("begin; insert into t values (-2, '2pc'); prepare transaction 'p1'");
      st.execute("commit prepared 'p1'");
      st.execute("begin; insert into t values (-3, '2pc rolled back'); prepare transaction 'p2'");
      st.execute("rollback prepared 'p2'");
      // a commit from a replication origin: its record carries an origin block
      st.execute("select pg_replication_origin_create('ocore')");
      st.execute("select pg_replication_origin_session_setup('ocore')");
      st.execute("insert into t values (-4, 'from an origin')");
      st.execute("select pg_replication_origin_session_reset()");
      switchAndWait(st);

      // a base backup: the server archives its .backup file
      run(List.of(pg.bin().resolve("pg_basebackup").toString(), "-h", "127.0.0.1",
          "-p", String.valueOf(pg.port()), "-U", PostgresCluster.SUPERUSER, "-D",
          archive.resolveSibling(archive.getFileName() + "-base").toString(), "-Ft", "-X", "none",
          "-c", "fast", "-l", "ocore wal-format test"));

      // after the backup's checkpoint every first change of a page writes its full image
      st.execute("update t set payload = payload || 'y'");
      // transactions with thousands of subtransactions: commit records of 9 to 27 kB
      for (int k = 1; k <= 3; k++) {
        st.execute("do $$ begin for i in 1.." + 2200 * k + " loop begin insert into t values ("
            + 100_000 * k + " + i, 'sub'); exception when others then null; end; end loop; end $$");
      }
      // bulk writes over several segments: records continue across segment ends
      st.execute("insert into t select g, repeat(md5(g::text), 3) from generate_series(1000000, 1090000) g");
      for (int i = 0; i < 30; i++) {
        st.execute("insert into t values (" + (2_000_000 + i) + ", 'after bulk')");
      }
      switchAndWait(st);
      // left in the current segment, then the server is killed
      st.execute("set synchronous_commit = on");
      for (int i = 0; i < 10; i++) {
        st.execute("insert into t values (" + (3_000_000 + i) + ", 'end of timeline 1')");
      }
    }
    pg.kill();
    // archive recovery of the killed cluster: it replays the archive and pg_wal, then ends on a
    // new timeline 2 (writing 00000002.history and the old timeline's last segment as .partial)
    Files.writeString(pg.dataDir().resolve("recovery.signal"), "");
    Files.writeString(pg.dataDir().resolve("postgresql.auto.conf"),
        "restore_command = 'cp " + archive + "/%f %p'\n", StandardOpenOption.APPEND);
    pg.restart();
    try (Connection c = pg.connect("postgres"); Statement st = c.createStatement()) {
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
          .until(() -> !inRecovery(st));
      // enough to fill pages of timeline 2 (the page of the switch point keeps timeline 1's header)
      st.execute("insert into t select g, 'timeline 2' from generate_series(4000000, 4000300) g");
      for (int i = 0; i < 5; i++) {
        st.execute("insert into t values (" + (5_000_000 + i) + ", 'timeline 2')");
      }
      switchAndWait(st);
      await().atMost(Duration.ofSeconds(30)).until(() ->
          Files.exists(archive.resolve("00000002.history")) && archived(".partial").size() == 1
              && noneReady());
    }
    workEnded = Instant.now().plusSeconds(1);
  }

  @AfterAll
  static void stop() throws IOException {
    if (pg != null) {
      pg.close();
    }
    for (Path dir : new Path[] {archive, archive.resolveSibling(archive.getFileName() + "-base")}) {
      if (dir != null && Files.exists(dir)) {
        try (Stream<Path> walk = Files.walk(dir)) {
          walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  @Test
  void everyArchivedSegmentReadsLikePgWaldumpSaysIt() throws Exception {
    List<Path> files = archived("");
    files.removeIf(f -> {
      Kind kind = WalFileName.parse(f.getFileName().toString()).kind();
      return kind != Kind.SEGMENT && kind != Kind.PARTIAL;
    });
    assertThat(files).hasSizeGreaterThanOrEqualTo(6);
    int commits = 0;
    int aborts = 0;
    int prepared = 0;
    int fromOrigin = 0;
    int longCommits = 0;
    int fullPageWrites = 0;
    int continuedFromBefore = 0;
    int tails = 0;
    Instant first = null;
    Instant last = null;
    for (Path file : files) {
      WalFileName name = WalFileName.parse(file.getFileName().toString());
      Details seen;
      try (InputStream in = Files.newInputStream(file)) {
        seen = WalSegmentReader.details(in, name, SEGMENT, true);
      }
      PgWaldump dump = PgWaldump.of(pg.bin(), file, name);
      Summary s = seen.summary();
      String what = name + " (" + s + ", " + dump + ")";
      assertThat(seen.records()).as(what).isEqualTo(dump.records()).isPositive();
      assertThat(seen.lastRecordStart()).as(what).isEqualTo(dump.lastRecordStart());
      assertThat(seen.undecodable()).as(what).isZero();
      assertThat(s.commitCount()).as(what).isEqualTo(dump.commits());
      assertThat(s.abortCount()).as(what).isEqualTo(dump.aborts());
      assertThat(s.firstCommitAt()).as(what).isEqualTo(dump.firstCommit());
      assertThat(s.lastCommitAt()).as(what).isEqualTo(dump.lastCommit());
      assertThat(s.systemIdentifier()).isEqualTo(systemIdentifier);
      assertThat(s.segmentSize()).isEqualTo(SEGMENT);
      assertThat(s.startLsn()).isEqualTo(name.startLsn(SEGMENT));
      assertThat(s.timeline()).isEqualTo(name.timeline());
      assertThat(s.endOfRecords()).isGreaterThan(seen.lastRecordStart());
      assertThat(s.endOfRecords().segmentNo(SEGMENT)).isBetween(name.segmentNo(), name.segmentNo() + 1);
      // what the public entry point says is the same
      try (InputStream in = Files.newInputStream(file)) {
        assertThat(WalSegmentReader.read(in, name)).isEqualTo(s);
      }
      commits += s.commitCount();
      aborts += s.abortCount();
      prepared += dump.commitPrepared();
      fromOrigin += dump.commitsFromAnOrigin();
      longCommits += dump.commitRecordsLongerThanAPage();
      fullPageWrites += dump.fullPageWrites();
      continuedFromBefore += startsWithContinuation(file) ? 1 : 0;
      tails += seen.unreadableTail() ? 1 : 0;
      if (s.firstCommitAt() != null) {
        first = first == null ? s.firstCommitAt() : first;
        last = s.lastCommitAt();
      }
    }
    // the workload's cases were all met
    assertThat(commits).isGreaterThanOrEqualTo(120 + 2 + 3 + 1 + 30 + 10 + 6);
    assertThat(aborts).isGreaterThanOrEqualTo(2); // the rollback and the rolled back 2PC
    assertThat(prepared).isEqualTo(1);
    assertThat(fromOrigin).isEqualTo(1);
    assertThat(longCommits).isGreaterThanOrEqualTo(3);
    assertThat(fullPageWrites).isPositive();
    assertThat(continuedFromBefore).isPositive();
    assertThat(tails).isPositive();
    assertThat(first).isBetween(workStarted, workEnded);
    assertThat(last).isBetween(first, workEnded);
  }

  @Test
  void endOfTimelineOneIsThePartialSegmentAndTheHistorysSwitchPoint() throws Exception {
    Path partialFile = archived(".partial").getFirst();
    WalFileName partial = WalFileName.parse(partialFile.getFileName().toString());
    TimelineHistory history = TimelineHistory.parse(WalFileName.parse("00000002.history"),
        Files.readString(archive.resolve("00000002.history")));
    assertThat(history.timeline()).isEqualTo(2);
    assertThat(history.entries()).hasSize(1);
    assertThat(history.parentTimeline()).isEqualTo(1);
    assertThat(history.entries().getFirst().reason()).isEqualTo("no recovery target specified");

    Summary end;
    try (InputStream in = Files.newInputStream(partialFile)) {
      end = WalSegmentReader.read(in, partial);
    }
    assertThat(partial.timeline()).isEqualTo(1);
    assertThat(end.endOfRecords()).isEqualTo(history.switchPoint());
    assertThat(end.commitCount()).isGreaterThanOrEqualTo(10);

    // timeline 2's first segment starts with timeline 1's WAL up to the switch point
    WalFileName next = WalFileName.parse(WalFileName.segmentName(2, partial.segmentNo(), SEGMENT));
    Summary first;
    try (InputStream in = Files.newInputStream(archive.resolve(next.name()))) {
      first = WalSegmentReader.read(in, next);
    }
    assertThat(first.timeline()).isEqualTo(2);
    assertThat(first.commitCount()).isGreaterThanOrEqualTo(end.commitCount() + 6);
    assertThat(first.firstCommitAt()).isEqualTo(end.firstCommitAt());

    // read under the old timeline's name, timeline 2's pages are refused
    assertThatThrownBy(() -> WalSegmentReader.read(
        new ByteArrayInputStream(Files.readAllBytes(archive.resolve(next.name()))),
        WalFileName.parse(WalFileName.segmentName(1, partial.segmentNo(), SEGMENT))))
        .isInstanceOf(InvalidWalException.class)
        .hasMessageMatching(".*: page \\d+: timeline 2 is after the file name's timeline 1");
  }

  @Test
  void theBaseBackupsHistoryFile() throws Exception {
    List<Path> backups = archived(".backup");
    assertThat(backups).hasSize(1);
    WalFileName name = WalFileName.parse(backups.getFirst().getFileName().toString());
    BackupHistory b = BackupHistory.parse(Files.readString(backups.getFirst()));
    assertThat(b.startWalFile()).isEqualTo(name.segmentName());
    assertThat(b.startLsn().segmentNo(SEGMENT)).isEqualTo(name.segmentNo());
    assertThat(b.startLsn().value() % SEGMENT).isEqualTo(name.backupOffset());
    assertThat(b.stopLsn()).isGreaterThan(b.startLsn());
    assertThat(WalFileName.parse(b.stopWalFile()).segmentNo())
        .isEqualTo(b.stopLsn().segmentNo(SEGMENT));
    assertThat(b.startTimeline()).isEqualTo(1);
    assertThat(b.stopTimeline()).isEqualTo(1);
    assertThat(b.label()).isEqualTo("ocore wal-format test");
    // written in Europe/Paris (CET/CEST), read back as instants
    assertThat(Files.readString(backups.getFirst())).containsPattern("START TIME: .* CES?T");
    assertThat(b.startTime()).isBetween(workStarted.minusSeconds(1), workEnded);
    assertThat(b.stopTime()).isBetween(b.startTime(), workEnded);
  }

  @Test
  void segmentsThatAreNotWhatTheirNameSaysAreRefused() throws Exception {
    Path file = largestSegment();
    WalFileName name = WalFileName.parse(file.getFileName().toString());
    byte[] good = Files.readAllBytes(file);
    long page3 = name.startLsn(SEGMENT).value() + 3 * 8192;

    byte[] magic = good.clone();
    magic[0] = 0x0D; // 0xD10D: PostgreSQL 14
    assertThatThrownBy(() -> read(magic, name)).isInstanceOf(InvalidWalException.class)
        .hasMessage(name + ": page 0: magic 0xD10D where 0xD110 (PostgreSQL 15) was expected: "
            + "WAL of PostgreSQL 14");
    byte[] magic3 = good.clone();
    magic3[3 * 8192] = 0x12;
    assertThatThrownBy(() -> read(magic3, name))
        .hasMessage(name + ": page 3: magic 0xD112 where 0xD110 (PostgreSQL 15) was expected");

    WalFileName other = WalFileName.parse(WalFileName.segmentName(1, name.segmentNo() + 16, SEGMENT));
    assertThatThrownBy(() -> read(good, other)).isInstanceOf(InvalidWalException.class)
        .hasMessage(other + ": page 0: address " + name.startLsn(SEGMENT) + " where "
            + other.startLsn(SEGMENT) + " was expected (the file is not segment " + other + ")");
    byte[] address = good.clone();
    address[3 * 8192 + 12] = 1; // 1/... instead of 0/...
    assertThatThrownBy(() -> read(address, name))
        .hasMessage(name + ": page 3: address " + new Lsn(page3 + (1L << 32))
            + " where " + new Lsn(page3) + " was expected");

    byte[] timeline = good.clone();
    timeline[5 * 8192 + 4] = 7;
    assertThatThrownBy(() -> read(timeline, name))
        .hasMessage(name + ": page 5: timeline 7 is after the file name's timeline 1");
    WalFileName onTimeline7 = WalFileName.parse("00000007" + name.name().substring(8));
    assertThatThrownBy(() -> read(timeline, onTimeline7))
        .hasMessage(onTimeline7 + ": page 6: timeline 1 goes back from timeline 7 of the page before");

    byte[] truncated = Arrays.copyOf(good, 1 << 20);
    assertThatThrownBy(() -> read(truncated, name))
        .hasMessage(name + ": the file is truncated: 1048576 bytes where a segment has 16777216");
    // the same bytes as a .partial are fine: the valid records up to where the file stops
    Summary full = read(good, name);
    Summary part = read(truncated, WalFileName.parse(name + ".partial"));
    assertThat(part.endOfRecords()).isLessThanOrEqualTo(name.startLsn(SEGMENT).plus(1 << 20))
        .isLessThan(full.endOfRecords());

    byte[] longer = Arrays.copyOf(good, good.length + 1);
    assertThatThrownBy(() -> read(longer, name))
        .hasMessage(name + ": the file is larger than the segment size (16777216 bytes)");
    assertThatThrownBy(() -> WalSegmentReader.read(new ByteArrayInputStream(good), name, 64L << 20))
        .hasMessage(name + ": page 0: segment size 16777216 bytes where 67108864 was expected");

    byte[] random = new byte[good.length];
    new Random(42).nextBytes(random);
    assertThatThrownBy(() -> read(random, name)).isInstanceOf(InvalidWalException.class)
        .hasMessageStartingWith(name + ": page 0: magic 0x");
    assertThatThrownBy(() -> read(new byte[0], name)).hasMessage(name + ": the file is empty");
    assertThatThrownBy(() -> read(new byte[good.length], name))
        .hasMessage(name + ": page 0 has no page header (zero bytes)");
    assertThatThrownBy(() -> read(Arrays.copyOf(good, 30), name))
        .hasMessage(name + ": the file is 30 bytes long, too short for a WAL page header");
  }

  @Test
  void aDamagedRecordEndsTheValidWal() throws Exception {
    Path file = largestSegment();
    WalFileName name = WalFileName.parse(file.getFileName().toString());
    byte[] bytes = Files.readAllBytes(file);
    Details intact = WalSegmentReader.details(new ByteArrayInputStream(bytes), name, SEGMENT, false);
    long damagedAt = 1000L * 8192 + 1000; // 16 bytes: at least one is a record's, not padding
    for (int i = 0; i < 16; i++) {
      bytes[(int) damagedAt + i] ^= 0x5A;
    }
    Details damaged = WalSegmentReader.details(new ByteArrayInputStream(bytes), name, SEGMENT, false);
    assertThat(damaged.records()).isLessThan(intact.records());
    assertThat(damaged.summary().endOfRecords().value() - name.startLsn(SEGMENT).value())
        .isLessThanOrEqualTo(damagedAt);
  }

  @Test
  void readingASegmentIsFast() throws Exception {
    Path file = largestSegment();
    WalFileName name = WalFileName.parse(file.getFileName().toString());
    byte[] bytes = Files.readAllBytes(file);
    for (int i = 0; i < 15; i++) {
      read(bytes, name);
    }
    int runs = 20;
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpu = threads.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    for (int i = 0; i < runs; i++) {
      read(bytes, name);
    }
    double memoryMs = (System.nanoTime() - start) / 1e6 / runs;
    double cpuMs = (threads.getCurrentThreadCpuTime() - cpu) / 1e6 / runs;
    start = System.nanoTime();
    for (int i = 0; i < runs; i++) {
      try (InputStream in = Files.newInputStream(file)) {
        WalSegmentReader.read(in, name);
      }
    }
    double fileMs = (System.nanoTime() - start) / 1e6 / runs;
    System.out.printf("RESULT wal-format: one 16 MiB segment (%s, %d records) read in %.1f ms "
        + "from memory (%.1f ms of CPU), %.1f ms from a file (warm, mean of %d; load %.1f)%n",
        name, WalSegmentReader.details(new ByteArrayInputStream(bytes), name, SEGMENT, false)
            .records(), memoryMs, cpuMs, fileMs, runs,
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    assertThat(cpuMs).isLessThan(100);
  }

  // --- helpers

  private static Summary read(byte[] bytes, WalFileName name) throws Exception {
    return WalSegmentReader.read(new ByteArrayInputStream(bytes), name);
  }

  private static Path largestSegment() throws Exception {
    Path best = null;
    int bestRecords = -1;
    for (Path f : archived("")) {
      WalFileName n = WalFileName.parse(f.getFileName().toString());
      if (n.kind() != Kind.SEGMENT || n.timeline() != 1) {
        continue;
      }
      try (InputStream in = Files.newInputStream(f)) {
        int records = WalSegmentReader.details(in, n, SEGMENT, false).records();
        if (records > bestRecords) {
          bestRecords = records;
          best = f;
        }
      }
    }
    return best;
  }

  private static boolean startsWithContinuation(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] header = in.readNBytes(4);
      return (header[2] & WalSegmentReader.XLP_FIRST_IS_CONTRECORD) != 0;
    }
  }

  /** The archived files whose name ends with {@code suffix}, sorted. */
  private static List<Path> archived(String suffix) throws IOException {
    try (Stream<Path> files = Files.list(archive)) {
      return new ArrayList<>(files.filter(f -> f.getFileName().toString().endsWith(suffix))
          .filter(f -> WalFileName.isValid(f.getFileName().toString()))
          .sorted(Comparator.comparing(f -> WalFileName.parse(f.getFileName().toString())))
          .toList());
    }
  }

  /** Switches to a new segment and waits until the archiver has copied everything ready. */
  private static void switchAndWait(Statement st) throws Exception {
    String done;
    try (ResultSet rs = st.executeQuery("select pg_walfile_name(pg_switch_wal())")) {
      rs.next();
      done = rs.getString(1);
    }
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .until(() -> Files.exists(archive.resolve(done)) && noneReady());
  }

  private static boolean noneReady() throws IOException {
    try (Stream<Path> status = Files.list(pg.dataDir().resolve("pg_wal/archive_status"))) {
      return status.noneMatch(f -> f.getFileName().toString().endsWith(".ready"));
    }
  }

  private static boolean inRecovery(Statement st) throws Exception {
    try (ResultSet rs = st.executeQuery("select pg_is_in_recovery()")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static long single(Statement st, String sql) throws Exception {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(command.getFirst() + " failed: " + out);
    }
  }
}
