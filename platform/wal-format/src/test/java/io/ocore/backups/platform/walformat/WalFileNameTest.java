package io.ocore.backups.platform.walformat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ocore.backups.platform.walformat.WalFileName.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WalFileNameTest {

  private static final long MIB16 = WalFileName.DEFAULT_SEGMENT_SIZE;

  @Test
  void lsnIsParsedAndWrittenLikePostgres() {
    Lsn lsn = Lsn.parse("0/16B3748");
    assertThat(lsn.value()).isEqualTo(0x16B3748L);
    assertThat(lsn).hasToString("0/16B3748");
    assertThat(Lsn.parse("1a/0000ff00")).hasToString("1A/FF00");
    assertThat(Lsn.parse("FFFFFFFF/FFFFFFFF").value()).isEqualTo(-1L);
    assertThat(new Lsn(-1L)).hasToString("FFFFFFFF/FFFFFFFF");
    assertThat(Lsn.parse("0/3000028").segmentNo(MIB16)).isEqualTo(3);
    assertThat(Lsn.parse("1/0").segmentNo(MIB16)).isEqualTo(256);
    assertThat(Lsn.parse("FFFFFFFF/0")).isGreaterThan(Lsn.parse("0/1"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "0", "/1", "0/", "0/1/2", "123456789/0", "0/123456789", "0/G", " 0/1",
      "0x0/1", "-1/0", "0/+1"})
  void malformedLsnsAreRefused(String text) {
    assertThatThrownBy(() -> Lsn.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a WAL location");
  }

  @Test
  void segmentNamesAreParsed() {
    WalFileName s = WalFileName.parse("000000010000000000000002");
    assertThat(s.kind()).isEqualTo(Kind.SEGMENT);
    assertThat(s.timeline()).isEqualTo(1);
    assertThat(s.segmentNo()).isEqualTo(2);
    assertThat(s.segmentName()).isEqualTo("000000010000000000000002");
    assertThat(s.startLsn(MIB16)).hasToString("0/2000000");
    assertThat(s.timelineHex()).isEqualTo("00000001");

    WalFileName high = WalFileName.parse("0000000A00000001000000FF");
    assertThat(high.timeline()).isEqualTo(10);
    assertThat(high.segmentNo()).isEqualTo(0x1FF);
    assertThat(high.startLsn(MIB16)).hasToString("1/FF000000");
    assertThat(high.timelineHex()).isEqualTo("0000000A");
    // with 64 MiB segments the low word counts 64 MiB steps
    assertThat(WalFileName.parse("000000010000000100000003").startLsn(64L << 20))
        .hasToString("1/C000000");

    WalFileName partial = WalFileName.parse("000000010000000000000005.partial");
    assertThat(partial.kind()).isEqualTo(Kind.PARTIAL);
    assertThat(partial.segmentNo()).isEqualTo(5);
    assertThat(partial.segmentName()).isEqualTo("000000010000000000000005");

    WalFileName backup = WalFileName.parse("000000010000000000000002.00000028.backup");
    assertThat(backup.kind()).isEqualTo(Kind.BACKUP);
    assertThat(backup.segmentName()).isEqualTo("000000010000000000000002");
    assertThat(backup.backupOffset()).isEqualTo(0x28);
    assertThat(backup.startLsn(MIB16)).hasToString("0/2000000");

    WalFileName history = WalFileName.parse("0000001F.history");
    assertThat(history.kind()).isEqualTo(Kind.HISTORY);
    assertThat(history.timeline()).isEqualTo(31);
    assertThat(history.segmentNo()).isEqualTo(-1);
    assertThatThrownBy(history::segmentName).isInstanceOf(IllegalStateException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "00000001000000000000000", "0000000100000000000000020",
      "000000010000000000000100", // YYYYYYYY above FF with 16 MiB segments
      "000000010000000000000a02", "00000000000000000000000A", "00000000.history",
      "../000000010000000000000002", "wal/000000010000000000000002", "000000010000000000000002/",
      "000000010000000000000002.partial.gz", "000000010000000000000002.PARTIAL",
      "000000010000000000000002.0000028.backup", "000000010000000000000002.00000028.backupx",
      "000000010000000000000002.01000000.backup", // offset beyond the segment
      "0000001.history", "0000000g.history", "00000001.History", "00000001.history ",
      " 000000010000000000000002", "000000010000000000000002\n", "archive_status",
      "000000010000000000000002.ready", "RECOVERYXLOG", "00000001000000000000000２"})
  void anythingElseIsRefused(String name) {
    assertThat(WalFileName.isValid(name)).isFalse();
    assertThatThrownBy(() -> WalFileName.parse(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a WAL file name");
  }

  @Test
  void nullIsNoName() {
    assertThat(WalFileName.isValid(null)).isFalse();
    assertThatThrownBy(() -> WalFileName.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void segmentNamesAreMadeForAnySegmentSize() {
    assertThat(WalFileName.segmentName(1, 2, MIB16)).isEqualTo("000000010000000000000002");
    assertThat(WalFileName.segmentName(0x1F, 0x1FF, MIB16)).isEqualTo("0000001F00000001000000FF");
    assertThat(WalFileName.segmentName(1, 4, 1L << 30)).isEqualTo("000000010000000100000000");
    assertThat(WalFileName.segmentName(1, 0x1001, 1L << 20)).isEqualTo("000000010000000100000001");
    assertThat(WalFileName.parse("000000010000000100000001", 1L << 20).segmentNo())
        .isEqualTo(0x1001);
    assertThatThrownBy(() -> WalFileName.segmentName(1, 2, 3L << 20))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void followingSegmentsAcrossTheLogIdBoundary() {
    WalFileName last = WalFileName.parse("0000000100000000000000FF");
    WalFileName next = WalFileName.parse("000000010000000100000000");
    assertThat(last.isFollowedBy(next, MIB16)).isTrue();
    assertThat(next.isFollowedBy(last, MIB16)).isFalse();
    assertThat(last.isFollowedBy(WalFileName.parse("000000020000000100000000"), MIB16)).isFalse();
    assertThat(last.isFollowedBy(WalFileName.parse("000000010000000100000000.partial"), MIB16))
        .isTrue();
    assertThat(last.isFollowedBy(last, MIB16)).isFalse();
    assertThat(last.isFollowedBy(
        WalFileName.parse("000000010000000100000000.00000028.backup"), MIB16)).isFalse();
    // with 1 GiB segments, 0000000100000000 00000003 is followed by 00000001 00000001 00000000
    assertThat(WalFileName.parse("000000010000000000000003")
        .isFollowedBy(next, 1L << 30)).isTrue();
  }

  @Test
  void namesSortByTimelineThenSegment() {
    List<WalFileName> names = new ArrayList<>(List.of(
        WalFileName.parse("000000020000000000000003"),
        WalFileName.parse("000000010000000000000003.partial"),
        WalFileName.parse("00000002.history"),
        WalFileName.parse("000000010000000000000003"),
        WalFileName.parse("000000010000000000000002.00000028.backup"),
        WalFileName.parse("000000010000000000000002")));
    names.sort(null);
    assertThat(names).extracting(WalFileName::name).containsExactly(
        "000000010000000000000002", "000000010000000000000002.00000028.backup",
        "000000010000000000000003", "000000010000000000000003.partial",
        "00000002.history", "000000020000000000000003");
  }
}
