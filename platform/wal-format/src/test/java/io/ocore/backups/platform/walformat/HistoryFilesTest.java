package io.ocore.backups.platform.walformat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Timeline history and backup history files; real ones are read in RealPostgresWalTest. */
class HistoryFilesTest {

  private static final WalFileName TLI3 = WalFileName.parse("00000003.history");

  @Test
  void timelineHistoryAsPostgresWritesIt() throws Exception {
    TimelineHistory h = TimelineHistory.parse(TLI3,
        "1\t0/3000158\tno recovery target specified\n"
            + "\n# a comment\n"
            + "2\t0/5A0B2C8\tat restore point \"before upgrade\"\n");
    assertThat(h.timeline()).isEqualTo(3);
    assertThat(h.entries()).containsExactly(
        new TimelineHistory.Entry(1, Lsn.parse("0/3000158"), "no recovery target specified"),
        new TimelineHistory.Entry(2, Lsn.parse("0/5A0B2C8"), "at restore point \"before upgrade\""));
    assertThat(h.parentTimeline()).isEqualTo(2);
    assertThat(h.switchPoint()).hasToString("0/5A0B2C8");
    // the reason is optional
    assertThat(TimelineHistory.parse(TLI3, "2\t0/5A0B2C8").entries().getFirst().reason()).isEmpty();
  }

  @Test
  void badTimelineHistoriesSayWhatIsWrong() {
    assertThatThrownBy(() -> TimelineHistory.parse(TLI3, "x\t0/1\treason\n"))
        .isInstanceOf(InvalidWalException.class)
        .hasMessage("00000003.history line 1: 'x' is not a timeline ID");
    assertThatThrownBy(() -> TimelineHistory.parse(TLI3, "1\t0/1\n\n1\t0/2\n"))
        .hasMessage("00000003.history line 3: timeline 1 does not follow timeline 1 "
            + "(timeline IDs must increase)");
    assertThatThrownBy(() -> TimelineHistory.parse(TLI3, "3\t0/1\n"))
        .hasMessage("00000003.history line 1: timeline 3 is not below the file's timeline 3");
    assertThatThrownBy(() -> TimelineHistory.parse(TLI3, "1\tsomewhere\n"))
        .hasMessageStartingWith("00000003.history line 1: 'somewhere' is not a switch point");
    assertThatThrownBy(() -> TimelineHistory.parse(TLI3, "1\n"))
        .hasMessage("00000003.history line 1: no switch point location after timeline 1");
    assertThatThrownBy(() -> TimelineHistory.parse(TLI3, "# nothing\n\n"))
        .hasMessage("00000003.history: no timeline in the history");
    assertThatThrownBy(() -> TimelineHistory.parse(
        WalFileName.parse("000000010000000000000002"), "1\t0/1\n"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void backupHistoryAsPostgres15WritesIt() throws Exception {
    BackupHistory b = BackupHistory.parse("""
        START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
        STOP WAL LOCATION: 0/2000100 (file 000000010000000000000002)
        CHECKPOINT LOCATION: 0/2000060
        BACKUP METHOD: streamed
        BACKUP FROM: primary
        START TIME: 2026-12-02 06:27:01 UTC
        LABEL: pg_basebackup base backup
        START TIMELINE: 1
        STOP TIME: 2026-12-02 06:27:02 CET
        STOP TIMELINE: 1
        """);
    assertThat(b.startLsn()).hasToString("0/2000028");
    assertThat(b.startWalFile()).isEqualTo("000000010000000000000002");
    assertThat(b.stopLsn()).hasToString("0/2000100");
    assertThat(b.stopWalFile()).isEqualTo("000000010000000000000002");
    assertThat(b.startTimeline()).isEqualTo(1);
    assertThat(b.stopTimeline()).isEqualTo(1);
    assertThat(b.startTime()).isEqualTo(Instant.parse("2026-12-02T06:27:01Z"));
    assertThat(b.stopTime()).isEqualTo(Instant.parse("2026-12-02T05:27:02Z"));
    assertThat(b.label()).isEqualTo("pg_basebackup base backup");
  }

  @Test
  void backupTimesInAnUnknownZoneAreNull() throws Exception {
    BackupHistory b = BackupHistory.parse("""
        START WAL LOCATION: 0/2000028 (file 000000020000000000000002)
        STOP WAL LOCATION: 1/2000100 (file 000000020000000100000002)
        START TIME: 2026-12-02 06:27:01 CST
        STOP TIME: 2026-12-02 09:27:02 +03
        """);
    assertThat(b.startTime()).isNull();
    assertThat(b.stopTime()).isEqualTo(Instant.parse("2026-12-02T06:27:02Z"));
    assertThat(b.startTimeline()).isEqualTo(2); // from the file name, no TIMELINE lines
    assertThat(b.label()).isEmpty();
  }

  @Test
  void badBackupHistoriesSayWhatIsWrong() {
    assertThatThrownBy(() -> BackupHistory.parse(""))
        .isInstanceOf(InvalidWalException.class).hasMessage("empty backup history file");
    assertThatThrownBy(() -> BackupHistory.parse(
        "STOP WAL LOCATION: 0/2000100 (file 000000010000000000000002)\n"))
        .hasMessage("backup history: no START WAL LOCATION line");
    assertThatThrownBy(() -> BackupHistory.parse(
        "START WAL LOCATION: 0/2000028\nSTOP WAL LOCATION: 0/2000100 (file 000000010000000000000002)"))
        .hasMessage("backup history line 1: START WAL LOCATION '0/2000028' is not "
            + "'<location> (file <segment>)'");
    assertThatThrownBy(() -> BackupHistory.parse("\u0000\u0001binary junk"))
        .hasMessage("backup history line 1: '??binary junk' is not a 'KEY: value' line");
    assertThatThrownBy(() -> BackupHistory.parse("""
        START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
        STOP WAL LOCATION: 0/2000100 (file 000000010000000000000002)
        START TIME: yesterday
        """)).hasMessage("backup history line 3: START TIME 'yesterday' is not a time such as "
            + "2026-12-02 06:27:01 UTC");
    assertThatThrownBy(() -> BackupHistory.parse("""
        START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
        STOP WAL LOCATION: 0/2000100 (file 000000010000000000000002)
        START TIMELINE: 0
        """)).hasMessage("backup history line 3: START TIMELINE '0' is not a timeline ID");
  }
}
