package io.ocore.backups.platform.walformat;

import java.io.IOException;
import java.io.InputStream;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.zip.CRC32C;

/**
 * Reads one PostgreSQL 15 WAL segment (or {@code .partial} segment) as a stream, page by page with
 * one reusable page buffer, and checks that it is the segment its name says: the first page's long
 * header (PostgreSQL 15's magic {@code 0xD110}, the segment size expected, a sane block size),
 * every page's magic, address (the one the name implies) and timeline (not after the name's, never
 * going back), and the file's size (exactly the segment size for a segment; at most that for a
 * {@code .partial}).
 *
 * <p>Records are followed through the pages, including records spanning pages; each record's
 * CRC-32C is checked and the first invalid record (bad CRC, bad length or back-link, a zeroed or
 * not yet written page) is the end of the valid WAL in the file: what follows is not read as
 * records, though a segment's later pages must still be zero or valid page headers. A record
 * continued from the previous segment is skipped; a record running past the end of the segment
 * is an unreadable tail, not an error. Neither is counted in any segment.
 *
 * <p>Transaction records ({@code RM_XACT_ID}) are decoded: commits ({@code COMMIT},
 * {@code COMMIT_PREPARED}) and aborts ({@code ABORT}, {@code ABORT_PREPARED}) are counted and the
 * commit timestamps of the first and the last commit in WAL order are reported.
 */
public final class WalSegmentReader {

  /**
   * What a segment holds.
   *
   * @param segmentSize the segment size in the first page's header
   * @param systemIdentifier the database system identifier in the first page's header
   * @param timeline the timeline of the last page header read (at most the name's)
   * @param startLsn the first location of the segment
   * @param endOfRecords the location just after the last valid record (where the next record
   *     would start, before alignment); the location after the page header, or after the record
   *     continued from the previous segment, when the segment holds no complete valid record
   * @param firstCommitAt the commit time of the first commit record in WAL order, null if none
   * @param lastCommitAt the commit time of the last commit record in WAL order, null if none
   * @param commitCount commit records ({@code COMMIT} and {@code COMMIT_PREPARED})
   * @param abortCount abort records ({@code ABORT} and {@code ABORT_PREPARED})
   */
  public record Summary(long segmentSize, long systemIdentifier, int timeline, Lsn startLsn,
      Lsn endOfRecords, Instant firstCommitAt, Instant lastCommitAt, int commitCount,
      int abortCount) {}

  static final int XLOG_PAGE_MAGIC = 0xD110;
  static final int XLP_FIRST_IS_CONTRECORD = 0x0001;
  static final int XLP_LONG_HEADER = 0x0002;
  static final int XLP_ALL_FLAGS = 0x000F;
  static final int SIZE_OF_SHORT_PHD = 24;
  static final int SIZE_OF_LONG_PHD = 40;
  static final int SIZE_OF_XLOG_RECORD = 24;
  static final int XL_CRC_OFFSET = 20;

  static final int RM_XLOG_ID = 0;
  static final int RM_XACT_ID = 1;
  static final int RM_MAX_BUILTIN_ID = 21;
  static final int RM_MIN_CUSTOM_ID = 128;
  static final int XLOG_SWITCH = 0x40;
  static final int XLOG_XACT_OPMASK = 0x70;
  static final int XLOG_XACT_COMMIT = 0x00;
  static final int XLOG_XACT_ABORT = 0x20;
  static final int XLOG_XACT_COMMIT_PREPARED = 0x30;
  static final int XLOG_XACT_ABORT_PREPARED = 0x40;

  static final int XLR_MAX_BLOCK_ID = 32;
  static final int XLR_BLOCK_ID_DATA_SHORT = 255;
  static final int XLR_BLOCK_ID_DATA_LONG = 254;
  static final int XLR_BLOCK_ID_ORIGIN = 253;
  static final int XLR_BLOCK_ID_TOPLEVEL_XID = 252;
  static final int BKPBLOCK_HAS_IMAGE = 0x10;
  static final int BKPBLOCK_HAS_DATA = 0x20;
  static final int BKPBLOCK_SAME_REL = 0x80;
  static final int BKPIMAGE_HAS_HOLE = 0x01;
  static final int BKPIMAGE_COMPRESSED = 0x04 | 0x08 | 0x10; // PGLZ, LZ4, ZSTD (PostgreSQL 15)

  /** Block headers of a record are at most ~900 bytes (33 blocks); this prefix holds them all. */
  private static final int HEADER_PREFIX = 1024;

  private static final Instant POSTGRES_EPOCH = Instant.parse("2000-01-01T00:00:00Z");

  private WalSegmentReader() {}

  /** Reads a segment of the default size (16 MiB); see {@link #read(InputStream, WalFileName, long)}. */
  public static Summary read(InputStream in, WalFileName name)
      throws InvalidWalException, IOException {
    return read(in, name, WalFileName.DEFAULT_SEGMENT_SIZE);
  }

  /**
   * Reads the segment or {@code .partial} segment {@code name} from {@code in} (not closed).
   *
   * @throws IllegalArgumentException if {@code name} is not a segment or {@code .partial} name,
   *     or {@code expectedSegmentSize} is not a valid segment size
   * @throws InvalidWalException if the content is not the PostgreSQL 15 segment the name says
   * @throws IOException if reading {@code in} fails
   */
  public static Summary read(InputStream in, WalFileName name, long expectedSegmentSize)
      throws InvalidWalException, IOException {
    if (name == null || name.kind() != WalFileName.Kind.SEGMENT
        && name.kind() != WalFileName.Kind.PARTIAL) {
      throw new IllegalArgumentException(name + " is not a WAL segment or .partial segment name");
    }
    WalFileName.checkSegmentSize(expectedSegmentSize);
    return new Parser(name, expectedSegmentSize).run(in);
  }

  private enum State { SKIP, HEADER, BODY, DONE }

  private static final class Parser {
    private final WalFileName name;
    private final long segmentSize;
    private final long segmentStart;
    private final int nameTimeline;

    private int blockSize;
    private long systemIdentifier;
    private int lastTimeline;

    private State state = State.HEADER;
    private long skipRemaining;
    private final byte[] header = new byte[SIZE_OF_XLOG_RECORD];
    private int headerGot;
    private long recordStart;
    private long totalLength;
    private long bodyLength;
    private long bodyGot;
    private long previousRecordStart = -1;
    private final CRC32C crc = new CRC32C();

    private boolean xact;
    private boolean commit;
    private final byte[] prefix = new byte[HEADER_PREFIX];
    private int prefixTarget;
    private int prefixLength;
    private boolean blocksParsed;
    private boolean malformed;
    private long mainDataOffset;
    private final byte[] xactTime = new byte[8];

    private long endOfRecords;
    private boolean recordsEnded;
    private int commits;
    private int aborts;
    private Instant firstCommit;
    private Instant lastCommit;

    Parser(WalFileName name, long segmentSize) {
      this.name = name;
      this.segmentSize = segmentSize;
      this.segmentStart = name.startLsn(segmentSize).value();
      this.nameTimeline = name.timeline();
    }

    Summary run(InputStream in) throws IOException, InvalidWalException {
      byte[] first = new byte[SIZE_OF_LONG_PHD];
      int n = in.readNBytes(first, 0, first.length);
      if (n == 0) {
        throw new InvalidWalException(name + ": the file is empty");
      }
      if (n < SIZE_OF_LONG_PHD) {
        throw new InvalidWalException(name + ": the file is " + n
            + " bytes long, too short for a WAL page header");
      }
      checkLongHeader(first);
      byte[] page = new byte[blockSize];
      System.arraycopy(first, 0, page, 0, SIZE_OF_LONG_PHD);
      long pages = segmentSize / blockSize;
      long total = 0;
      for (long pageNo = 0; pageNo < pages; pageNo++) {
        int offset = pageNo == 0 ? SIZE_OF_LONG_PHD : 0;
        int got = offset + in.readNBytes(page, offset, blockSize - offset);
        if (got == 0) {
          break;
        }
        total += got;
        page(page, got, pageNo);
        if (got < blockSize) {
          break;
        }
      }
      if (total == segmentSize && in.read() >= 0) {
        throw new InvalidWalException(name + ": the file is larger than the segment size ("
            + segmentSize + " bytes)");
      }
      if (total < segmentSize && name.kind() == WalFileName.Kind.SEGMENT) {
        throw new InvalidWalException(name + ": the file is truncated: " + total
            + " bytes where a segment has " + segmentSize);
      }
      // a record still open here crosses the end of the segment (or of a .partial): a tail
      // that cannot be read from this file alone
      endRecords();
      if (endOfRecords == 0) {
        endOfRecords = segmentStart + SIZE_OF_LONG_PHD;
      }
      return new Summary(segmentSize, systemIdentifier, lastTimeline, new Lsn(segmentStart),
          new Lsn(endOfRecords), firstCommit, lastCommit, commits, aborts);
    }

    private void checkLongHeader(byte[] b) throws InvalidWalException {
      checkMagic(b, 0);
      int info = u16(b, 2);
      if ((info & XLP_LONG_HEADER) == 0) {
        throw new InvalidWalException(name + ": page 0 has no long page header: "
            + "the file does not start a WAL segment");
      }
      long fileSegmentSize = u32(b, 32);
      if (!WalFileName.isValidSegmentSize(fileSegmentSize)) {
        throw new InvalidWalException(name + ": page 0: segment size " + fileSegmentSize
            + " is not a power of two between 1 MiB and 1 GiB");
      }
      if (fileSegmentSize != segmentSize) {
        throw new InvalidWalException(name + ": page 0: segment size " + fileSegmentSize
            + " bytes where " + segmentSize + " was expected");
      }
      long fileBlockSize = u32(b, 36);
      if (Long.bitCount(fileBlockSize) != 1 || fileBlockSize < 1024 || fileBlockSize > 65536) {
        throw new InvalidWalException(name + ": page 0: WAL block size " + fileBlockSize
            + " is not a power of two between 1 kB and 64 kB");
      }
      blockSize = (int) fileBlockSize;
      systemIdentifier = u64(b, 24);
    }

    private void checkMagic(byte[] b, long pageNo) throws InvalidWalException {
      int magic = u16(b, 0);
      if (magic != XLOG_PAGE_MAGIC) {
        throw new InvalidWalException(name + ": page " + pageNo + ": magic "
            + String.format("0x%04X", magic) + " where 0xD110 (PostgreSQL 15) was expected"
            + versionHint(magic));
      }
    }

    private static String versionHint(int magic) {
      return switch (magic) {
        case 0x10D1 -> ": big-endian WAL is not supported";
        case 0xD097 -> ": WAL of PostgreSQL 10";
        case 0xD098 -> ": WAL of PostgreSQL 11";
        case 0xD101 -> ": WAL of PostgreSQL 12";
        case 0xD106 -> ": WAL of PostgreSQL 13";
        case 0xD10D -> ": WAL of PostgreSQL 14";
        case 0xD113 -> ": WAL of PostgreSQL 16";
        default -> "";
      };
    }

    private void page(byte[] b, int limit, long pageNo) throws InvalidWalException {
      long pageLsn = segmentStart + pageNo * blockSize;
      if (limit < SIZE_OF_SHORT_PHD || isZero(b, SIZE_OF_SHORT_PHD)) {
        // not written (yet): the valid WAL ends before this page
        if (pageNo == 0) {
          throw new InvalidWalException(name + ": page 0 has no page header");
        }
        endRecords();
        return;
      }
      if (recordsEnded && name.kind() == WalFileName.Kind.PARTIAL) {
        return; // after the end of a .partial's WAL: left-overs of a recycled file, not checked
      }
      checkMagic(b, pageNo);
      int info = u16(b, 2);
      if ((info & ~XLP_ALL_FLAGS) != 0) {
        throw new InvalidWalException(name + ": page " + pageNo + ": unknown page flags "
            + String.format("0x%04X", info));
      }
      if (pageNo > 0 && (info & XLP_LONG_HEADER) != 0) {
        throw new InvalidWalException(name + ": page " + pageNo
            + ": a long page header in the middle of a segment");
      }
      long address = u64(b, 8);
      if (address != pageLsn) {
        throw new InvalidWalException(name + ": page " + pageNo + ": address " + new Lsn(address)
            + " where " + new Lsn(pageLsn) + " was expected"
            + (pageNo == 0 ? " (the file is not segment " + name.segmentName() + ")" : ""));
      }
      int timeline = b[4] & 0xFF | (b[5] & 0xFF) << 8 | (b[6] & 0xFF) << 16 | (b[7] & 0xFF) << 24;
      if (Integer.compareUnsigned(timeline, nameTimeline) > 0) {
        throw new InvalidWalException(name + ": page " + pageNo + ": timeline "
            + Integer.toUnsignedString(timeline) + " is after the file name's timeline "
            + Integer.toUnsignedString(nameTimeline));
      }
      if (Integer.compareUnsigned(timeline, lastTimeline) < 0) {
        throw new InvalidWalException(name + ": page " + pageNo + ": timeline "
            + Integer.toUnsignedString(timeline) + " goes back from timeline "
            + Integer.toUnsignedString(lastTimeline) + " of the page before");
      }
      lastTimeline = timeline;
      int pos = (info & XLP_LONG_HEADER) != 0 ? SIZE_OF_LONG_PHD : SIZE_OF_SHORT_PHD;
      if (recordsEnded) {
        return;
      }
      if (limit < pos) {
        endRecords();
        return;
      }
      boolean continued = (info & XLP_FIRST_IS_CONTRECORD) != 0;
      long remaining = u32(b, 16);
      if (pageNo == 0) {
        if (continued) {
          state = State.SKIP;
          skipRemaining = remaining;
        }
        endOfRecords = pageLsn + pos;
      } else if (state == State.SKIP) {
        if (!continued) {
          endRecords();
          return;
        }
        skipRemaining = remaining;
      } else if (state == State.HEADER && headerGot == 0) {
        if (continued) {
          endRecords(); // a continuation where a new record was expected
          return;
        }
      } else if (!continued || remaining != totalLength - headerGot - bodyGot) {
        endRecords(); // the record in progress does not go on here: overwritten or torn
        return;
      }
      records(b, pos, limit, pageLsn);
    }

    private void records(byte[] b, int pos, int limit, long pageLsn) {
      while (pos < limit && state != State.DONE) {
        switch (state) {
          case SKIP -> {
            int n = (int) Math.min(skipRemaining, limit - pos);
            pos += n;
            skipRemaining -= n;
            if (skipRemaining == 0) {
              endOfRecords = pageLsn + pos;
              pos = align(pos);
              state = State.HEADER;
              headerGot = 0;
            }
          }
          case HEADER -> {
            if (headerGot == 0) {
              recordStart = pageLsn + pos;
            }
            int n = Math.min(SIZE_OF_XLOG_RECORD - headerGot, limit - pos);
            System.arraycopy(b, pos, header, headerGot, n);
            headerGot += n;
            pos += n;
            if (headerGot >= 4) {
              totalLength = u32(header, 0); // records are 8-aligned: always on the first page
            }
            if (headerGot >= 4 && totalLength < SIZE_OF_XLOG_RECORD) {
              endRecords(); // zeroes or garbage: no record here
            } else if (headerGot == SIZE_OF_XLOG_RECORD && startRecord() && bodyLength == 0) {
              finishRecord(pageLsn + pos);
              pos = align(pos);
            }
          }
          case BODY -> {
            int n = (int) Math.min(bodyLength - bodyGot, limit - pos);
            body(b, pos, n);
            pos += n;
            bodyGot += n;
            if (bodyGot == bodyLength) {
              finishRecord(pageLsn + pos);
              pos = align(pos);
            }
          }
          case DONE -> { }
        }
      }
    }

    /** Checks the header just read; false (and the WAL ends) if it is no valid record header. */
    private boolean startRecord() {
      totalLength = u32(header, 0);
      int rmid = header[17] & 0xFF;
      long previous = u64(header, 8);
      if (rmid > RM_MAX_BUILTIN_ID && rmid < RM_MIN_CUSTOM_ID
          || previousRecordStart >= 0 && previous != previousRecordStart
          || Long.compareUnsigned(previous, recordStart) >= 0) {
        endRecords();
        return false;
      }
      crc.reset();
      bodyLength = totalLength - SIZE_OF_XLOG_RECORD;
      bodyGot = 0;
      int op = header[16] & XLOG_XACT_OPMASK;
      xact = rmid == RM_XACT_ID && (op == XLOG_XACT_COMMIT || op == XLOG_XACT_COMMIT_PREPARED
          || op == XLOG_XACT_ABORT || op == XLOG_XACT_ABORT_PREPARED);
      commit = op == XLOG_XACT_COMMIT || op == XLOG_XACT_COMMIT_PREPARED;
      prefixTarget = (int) Math.min(HEADER_PREFIX, bodyLength);
      prefixLength = 0;
      blocksParsed = false;
      malformed = false;
      mainDataOffset = -1;
      state = State.BODY;
      if (xact && bodyLength == 0) {
        malformed = true;
      }
      return true;
    }

    private void body(byte[] b, int off, int n) {
      crc.update(b, off, n);
      if (!xact || malformed) {
        return;
      }
      long chunkStart = bodyGot;
      if (!blocksParsed) {
        int c = Math.min(n, prefixTarget - prefixLength);
        System.arraycopy(b, off, prefix, prefixLength, c);
        prefixLength += c;
        if (prefixLength == prefixTarget) {
          blocksParsed = true;
          long mainLength = mainDataLength();
          if (mainLength < 8) {
            malformed = true;
            return;
          }
          mainDataOffset = bodyLength - mainLength;
          copyXactTime(prefix, 0, 0, prefixLength);
        }
      }
      if (blocksParsed) {
        long from = Math.max(chunkStart, prefixLength);
        long to = chunkStart + n;
        if (from < to) {
          copyXactTime(b, off + (int) (from - chunkStart), from, to);
        }
      }
    }

    /** Copies the bytes of xact_time in body positions [from, to), found at src[srcOff...]. */
    private void copyXactTime(byte[] src, int srcOff, long from, long to) {
      long lo = Math.max(from, mainDataOffset);
      long hi = Math.min(to, mainDataOffset + 8);
      if (lo < hi) {
        System.arraycopy(src, srcOff + (int) (lo - from), xactTime, (int) (lo - mainDataOffset),
            (int) (hi - lo));
      }
    }

    /**
     * Walks the block headers in the prefix (DecodeXLogRecord of PostgreSQL 15) and returns the
     * main data's length, or -1 if the headers are malformed.
     */
    private long mainDataLength() {
      int p = 0;
      long remaining = bodyLength;
      long dataTotal = 0;
      long mainLength = 0;
      int maxBlockId = -1;
      boolean haveRel = false;
      while (remaining > dataTotal) {
        if (p + 1 > prefixLength) {
          return -1;
        }
        int id = prefix[p] & 0xFF;
        int size;
        if (id == XLR_BLOCK_ID_DATA_SHORT) {
          if (p + 2 > prefixLength) {
            return -1;
          }
          mainLength = prefix[p + 1] & 0xFF;
          p += 2;
          remaining -= 2;
          dataTotal += mainLength;
          break;
        } else if (id == XLR_BLOCK_ID_DATA_LONG) {
          if (p + 5 > prefixLength) {
            return -1;
          }
          mainLength = u32(prefix, p + 1);
          p += 5;
          remaining -= 5;
          dataTotal += mainLength;
          break;
        } else if (id == XLR_BLOCK_ID_ORIGIN) {
          size = 3;
        } else if (id == XLR_BLOCK_ID_TOPLEVEL_XID) {
          size = 5;
        } else if (id <= XLR_MAX_BLOCK_ID) {
          if (id <= maxBlockId || p + 4 > prefixLength) {
            return -1;
          }
          maxBlockId = id;
          int forkFlags = prefix[p + 1] & 0xFF;
          int dataLength = u16(prefix, p + 2);
          boolean hasData = (forkFlags & BKPBLOCK_HAS_DATA) != 0;
          if (hasData != (dataLength != 0)) {
            return -1;
          }
          dataTotal += dataLength;
          size = 4;
          if ((forkFlags & BKPBLOCK_HAS_IMAGE) != 0) {
            if (p + size + 5 > prefixLength) {
              return -1;
            }
            int imageLength = u16(prefix, p + size);
            int imageInfo = prefix[p + size + 4] & 0xFF;
            size += 5;
            if ((imageInfo & BKPIMAGE_COMPRESSED) != 0 && (imageInfo & BKPIMAGE_HAS_HOLE) != 0) {
              size += 2; // XLogRecordBlockCompressHeader: hole_length
            }
            dataTotal += imageLength;
          }
          if ((forkFlags & BKPBLOCK_SAME_REL) == 0) {
            size += 12; // RelFileNode
            haveRel = true;
          } else if (!haveRel) {
            return -1;
          }
          size += 4; // BlockNumber
        } else {
          return -1;
        }
        if (p + size > prefixLength) {
          return -1;
        }
        p += size;
        remaining -= size;
      }
      return remaining == dataTotal ? mainLength : -1;
    }

    private void finishRecord(long end) {
      crc.update(header, 0, XL_CRC_OFFSET);
      if ((int) crc.getValue() != (int) u32(header, XL_CRC_OFFSET)) {
        endRecords();
        return;
      }
      if (xact) {
        Instant at = malformed ? null : postgresTime(s64(xactTime, 0));
        if (at == null) {
          endRecords(); // PostgreSQL's decoder would refuse it too: the WAL ends here
          return;
        }
        if (commit) {
          commits++;
          if (firstCommit == null) {
            firstCommit = at;
          }
          lastCommit = at;
        } else {
          aborts++;
        }
      }
      previousRecordStart = recordStart;
      endOfRecords = end;
      headerGot = 0;
      state = State.HEADER;
      if ((header[17] & 0xFF) == RM_XLOG_ID && (header[16] & 0xF0) == XLOG_SWITCH) {
        endRecords(); // the rest of the segment is padding
      }
    }

    private void endRecords() {
      state = State.DONE;
      recordsEnded = true;
    }
  }

  static Instant postgresTime(long micros) {
    try {
      return POSTGRES_EPOCH.plus(micros, ChronoUnit.MICROS);
    } catch (DateTimeException | ArithmeticException e) {
      return null;
    }
  }

  private static int align(int pos) {
    return pos + 7 & ~7;
  }

  private static boolean isZero(byte[] b, int length) {
    for (int i = 0; i < length; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  static int u16(byte[] b, int off) {
    return b[off] & 0xFF | (b[off + 1] & 0xFF) << 8;
  }

  static long u32(byte[] b, int off) {
    return (b[off] & 0xFFL) | (b[off + 1] & 0xFFL) << 8 | (b[off + 2] & 0xFFL) << 16
        | (b[off + 3] & 0xFFL) << 24;
  }

  static long u64(byte[] b, int off) {
    return u32(b, off) | u32(b, off + 4) << 32;
  }

  static long s64(byte[] b, int off) {
    return u64(b, off);
  }
}
