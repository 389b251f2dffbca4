package io.ocore.backups.platform.walformat;

/**
 * A PostgreSQL WAL location (an unsigned 64-bit byte position), written {@code 0/16B3748} as
 * PostgreSQL does: the high and low 32 bits in upper-case hex without leading zeros.
 */
public record Lsn(long value) implements Comparable<Lsn> {

  public static final Lsn ZERO = new Lsn(0);

  /**
   * Parses {@code "<hi hex>/<lo hex>"} (1 to 8 hex digits each, either case, as PostgreSQL accepts).
   *
   * @throws IllegalArgumentException if the text is not such a location
   */
  public static Lsn parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("null is not a WAL location (expected e.g. 0/16B3748)");
    }
    int slash = text.indexOf('/');
    if (slash < 1 || slash > 8 || text.length() - slash - 1 < 1 || text.length() - slash - 1 > 8
        || !isHex(text, 0, slash) || !isHex(text, slash + 1, text.length())) {
      throw new IllegalArgumentException(
          "'" + Names.excerpt(text) + "' is not a WAL location (expected e.g. 0/16B3748)");
    }
    long hi = Long.parseLong(text, 0, slash, 16);
    long lo = Long.parseLong(text, slash + 1, text.length(), 16);
    return new Lsn(hi << 32 | lo);
  }

  private static boolean isHex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (Character.digit(s.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  /** The number of the segment this location is in, for segments of {@code segmentSize} bytes. */
  public long segmentNo(long segmentSize) {
    return Long.divideUnsigned(value, segmentSize);
  }

  /** This location plus {@code bytes}. */
  public Lsn plus(long bytes) {
    return new Lsn(value + bytes);
  }

  @Override
  public int compareTo(Lsn other) {
    return Long.compareUnsigned(value, other.value);
  }

  @Override
  public String toString() {
    return Long.toHexString(value >>> 32).toUpperCase() + "/"
        + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
  }
}
