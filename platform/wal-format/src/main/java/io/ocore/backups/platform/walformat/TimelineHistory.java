package io.ocore.backups.platform.walformat;

import java.util.ArrayList;
import java.util.List;

/**
 * A timeline history file ({@code 00000002.history}): the timelines this one descends from, each
 * with the location where the next timeline branched off and PostgreSQL's reason, in the format
 * PostgreSQL writes ({@code <parent tli>\t<switch point>\t<reason>} lines; blank lines and lines
 * starting with {@code #} are ignored, as PostgreSQL does).
 */
public record TimelineHistory(int timeline, List<Entry> entries) {

  /** One ancestor: {@code parentTimeline} ended at {@code switchPoint}. */
  public record Entry(int parentTimeline, Lsn switchPoint, String reason) {}

  public TimelineHistory {
    entries = List.copyOf(entries);
  }

  /**
   * Parses the content of the history file named {@code name}. Checks what PostgreSQL checks:
   * each line has a numeric timeline and a location, timelines increase and are below the file's.
   *
   * @throws IllegalArgumentException if {@code name} is not a {@code .history} name
   * @throws InvalidWalException if the content is not such a history
   */
  public static TimelineHistory parse(WalFileName name, String content) throws InvalidWalException {
    if (name == null || name.kind() != WalFileName.Kind.HISTORY) {
      throw new IllegalArgumentException(name + " is not a timeline history file name");
    }
    if (content == null) {
      throw new InvalidWalException(name + ": empty timeline history");
    }
    List<Entry> entries = new ArrayList<>();
    String[] lines = content.split("\r?\n", -1);
    long previous = 0;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].stripLeading();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = name + " line " + (i + 1) + ": ";
      String[] fields = line.split("\t", 3);
      long tli;
      try {
        tli = Long.parseLong(fields[0].strip());
      } catch (NumberFormatException e) {
        throw new InvalidWalException(where + "'" + Names.excerpt(fields[0])
            + "' is not a timeline ID");
      }
      if (tli <= 0 || tli > 0xFFFFFFFFL) {
        throw new InvalidWalException(where + "timeline ID " + tli + " is out of range");
      }
      if (fields.length < 2) {
        throw new InvalidWalException(where + "no switch point location after timeline " + tli);
      }
      Lsn switchPoint;
      try {
        switchPoint = Lsn.parse(fields[1].strip());
      } catch (IllegalArgumentException e) {
        throw new InvalidWalException(where + "'" + Names.excerpt(fields[1])
            + "' is not a switch point location (expected e.g. 0/3000158)");
      }
      if (tli <= previous) {
        throw new InvalidWalException(where + "timeline " + tli
            + " does not follow timeline " + previous + " (timeline IDs must increase)");
      }
      if (tli >= Integer.toUnsignedLong(name.timeline())) {
        throw new InvalidWalException(where + "timeline " + tli
            + " is not below the file's timeline " + Integer.toUnsignedLong(name.timeline()));
      }
      previous = tli;
      String reason = fields.length > 2 ? fields[2].strip() : "";
      entries.add(new Entry((int) tli, switchPoint, reason));
    }
    if (entries.isEmpty()) {
      throw new InvalidWalException(name + ": no timeline in the history");
    }
    return new TimelineHistory(name.timeline(), entries);
  }

  /** The timeline this one branched from (the last entry's). */
  public int parentTimeline() {
    return entries.getLast().parentTimeline();
  }

  /** Where this timeline branched from its parent (the last entry's switch point). */
  public Lsn switchPoint() {
    return entries.getLast().switchPoint();
  }
}
