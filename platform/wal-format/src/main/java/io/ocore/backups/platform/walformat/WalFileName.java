package io.ocore.backups.platform.walformat;

import java.util.Comparator;

/**
 * The name of a file PostgreSQL archives: a WAL segment ({@code TTTTTTTTXXXXXXXXYYYYYYYY}), a
 * {@code .partial} segment (the last, incomplete segment of a timeline left by a promotion), a
 * {@code .backup} history file ({@code <segment>.<offset, 8 hex>.backup}) or a timeline
 * {@code .history} file ({@code <timeline, 8 hex>.history}). Only these exact forms, in upper-case
 * hex, are names: anything else (a path, lower case, a suffix...) is rejected.
 *
 * <p>{@code segmentNo} is the segment's number for the segment size the name was parsed with
 * (16 MiB by default): {@code XXXXXXXX * (4 GiB / segmentSize) + YYYYYYYY}; -1 for a history file.
 */
public record WalFileName(String name, Kind kind, int timeline, long segmentNo)
    implements Comparable<WalFileName> {

  /** What a WAL file name names. */
  public enum Kind {
    SEGMENT, PARTIAL, BACKUP, HISTORY
  }

  public static final long DEFAULT_SEGMENT_SIZE = 16L << 20;

  private static final Comparator<WalFileName> ORDER = Comparator
      .comparing((WalFileName n) -> n.timeline, Integer::compareUnsigned)
      .thenComparingLong(WalFileName::segmentNo)
      .thenComparing(WalFileName::kind)
      .thenComparing(WalFileName::name);

  public WalFileName {
    if (name == null || kind == null) {
      throw new IllegalArgumentException("a WAL file name needs a name and a kind");
    }
  }

  /** Parses a name for 16 MiB segments; see {@link #parse(String, long)}. */
  public static WalFileName parse(String name) {
    return parse(name, DEFAULT_SEGMENT_SIZE);
  }

  /**
   * Parses a WAL file name for segments of {@code segmentSize} bytes (a power of two, 1 MiB to
   * 1 GiB): the segment part's low word must then be below {@code 4 GiB / segmentSize}.
   *
   * @throws IllegalArgumentException if {@code name} is not a WAL file name
   */
  public static WalFileName parse(String name, long segmentSize) {
    checkSegmentSize(segmentSize);
    WalFileName parsed = tryParse(name, segmentSize);
    if (parsed == null) {
      throw new IllegalArgumentException("'" + Names.excerpt(name)
          + "' is not a WAL file name (expected a segment such as 000000010000000000000002, "
          + "a .partial segment, a <segment>.<8 hex>.backup or a <8 hex>.history file)");
    }
    return parsed;
  }

  /** Whether {@code name} is a WAL file name for 16 MiB segments. */
  public static boolean isValid(String name) {
    return tryParse(name, DEFAULT_SEGMENT_SIZE) != null;
  }

  /** The name of segment {@code segmentNo} of {@code timeline}, for segments of that size. */
  public static String segmentName(int timeline, long segmentNo, long segmentSize) {
    checkSegmentSize(segmentSize);
    if (segmentNo < 0) {
      throw new IllegalArgumentException("segment number " + segmentNo + " is negative");
    }
    long perId = segmentsPerXLogId(segmentSize);
    return hex8(timeline) + hex8((int) (segmentNo / perId)) + hex8((int) (segmentNo % perId));
  }

  /** The segment a segment, {@code .partial} or {@code .backup} file names (its first 24 characters). */
  public String segmentName() {
    if (kind == Kind.HISTORY) {
      throw new IllegalStateException(name + " is a timeline history file, it names no segment");
    }
    return name.substring(0, 24);
  }

  /**
   * Whether {@code next} is the segment right after this one on the same timeline: both are
   * segments or {@code .partial} segments and {@code next}'s number is this one's plus one.
   */
  public boolean isFollowedBy(WalFileName next, long segmentSize) {
    if (!isSegmentOrPartial() || next == null || !next.isSegmentOrPartial()
        || timeline != next.timeline) {
      return false;
    }
    return next.segmentNo(segmentSize) == segmentNo(segmentSize) + 1;
  }

  /** The first location of the segment this name names, for segments of {@code segmentSize}. */
  public Lsn startLsn(long segmentSize) {
    return new Lsn(segmentNo(segmentSize) * segmentSize);
  }

  /**
   * The number of the segment this name names for segments of {@code segmentSize} (which may
   * differ from the size it was parsed with).
   */
  public long segmentNo(long segmentSize) {
    if (kind == Kind.HISTORY) {
      throw new IllegalStateException(name + " is a timeline history file, it names no segment");
    }
    checkSegmentSize(segmentSize);
    long log = Long.parseLong(name, 8, 16, 16);
    long seg = Long.parseLong(name, 16, 24, 16);
    long perId = segmentsPerXLogId(segmentSize);
    if (seg >= perId) {
      throw new IllegalArgumentException(name + " is not a segment name for segments of "
          + segmentSize + " bytes");
    }
    return log * perId + seg;
  }

  /** The timeline, 8 upper-case hex digits as in file names. */
  public String timelineHex() {
    return hex8(timeline);
  }

  /** For a {@code .backup} file: the offset in its segment where the backup started. */
  public long backupOffset() {
    if (kind != Kind.BACKUP) {
      throw new IllegalStateException(name + " is not a backup history file");
    }
    return Long.parseLong(name, 25, 33, 16);
  }

  private boolean isSegmentOrPartial() {
    return kind == Kind.SEGMENT || kind == Kind.PARTIAL;
  }

  @Override
  public int compareTo(WalFileName other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return name;
  }

  // --- parsing

  private static WalFileName tryParse(String name, long segmentSize) {
    if (name == null) {
      return null;
    }
    int len = name.length();
    if (len == 16 && name.endsWith(".history") && isUpperHex(name, 0, 8)) {
      int tli = Integer.parseUnsignedInt(name, 0, 8, 16);
      return tli == 0 ? null : new WalFileName(name, Kind.HISTORY, tli, -1);
    }
    if (len < 24 || !isUpperHex(name, 0, 24)) {
      return null;
    }
    Kind kind;
    if (len == 24) {
      kind = Kind.SEGMENT;
    } else if (len == 32 && name.endsWith(".partial")) {
      kind = Kind.PARTIAL;
    } else if (len == 40 && name.charAt(24) == '.' && isUpperHex(name, 25, 33)
        && name.endsWith(".backup")) {
      kind = Kind.BACKUP;
      if (Long.parseLong(name, 25, 33, 16) >= segmentSize) {
        return null;
      }
    } else {
      return null;
    }
    int tli = Integer.parseUnsignedInt(name, 0, 8, 16);
    long log = Long.parseLong(name, 8, 16, 16);
    long seg = Long.parseLong(name, 16, 24, 16);
    long perId = segmentsPerXLogId(segmentSize);
    if (tli == 0 || seg >= perId) {
      return null;
    }
    return new WalFileName(name, kind, tli, log * perId + seg);
  }

  private static boolean isUpperHex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'F')) {
        return false;
      }
    }
    return true;
  }

  static long segmentsPerXLogId(long segmentSize) {
    return 0x1_0000_0000L / segmentSize;
  }

  static boolean isValidSegmentSize(long segmentSize) {
    return Long.bitCount(segmentSize) == 1 && segmentSize >= 1L << 20 && segmentSize <= 1L << 30;
  }

  static void checkSegmentSize(long segmentSize) {
    if (!isValidSegmentSize(segmentSize)) {
      throw new IllegalArgumentException("WAL segment size " + segmentSize
          + " is not a power of two between 1 MiB and 1 GiB");
    }
  }

  static String hex8(int value) {
    String hex = Integer.toHexString(value).toUpperCase();
    return "0".repeat(8 - hex.length()) + hex;
  }
}
