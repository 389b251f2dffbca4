package io.ocore.backups.platform.walformat;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A backup history file ({@code <segment>.<offset>.backup}) PostgreSQL archives when a base backup
 * ends: where the backup's WAL starts and stops, on which timelines, when, and its label.
 *
 * <p>Times are written by PostgreSQL in its {@code log_timezone} with the zone's abbreviation
 * ({@code 2026-12-02 06:27:01 UTC}); they are read when the abbreviation is UTC/GMT, a numeric
 * offset ({@code +03}, {@code -0430}) or one of a few unambiguous abbreviations (CET, CEST, EET,
 * EEST, WET, WEST, EST, EDT, PST, PDT, MST, MDT, AEST...), and are {@code null} otherwise.
 * {@code label} is empty when absent; timelines missing (files older than PostgreSQL 11) are
 * taken from the WAL file names.
 */
public record BackupHistory(Lsn startLsn, String startWalFile, Lsn stopLsn, String stopWalFile,
    int startTimeline, int stopTimeline, Instant startTime, Instant stopTime, String label) {

  private static final Pattern LOCATION =
      Pattern.compile("([0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}) \\(file ([0-9A-F]{24})\\)");
  private static final Pattern TIME =
      Pattern.compile("(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d)(?: (\\S+))?");
  private static final DateTimeFormatter LOCAL_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT);
  private static final Pattern NUMERIC_ZONE =
      Pattern.compile("([+-])(\\d\\d)(?::?(\\d\\d))?");
  private static final Map<String, ZoneOffset> ABBREVIATIONS = Map.ofEntries(
      Map.entry("UTC", ZoneOffset.UTC), Map.entry("UCT", ZoneOffset.UTC),
      Map.entry("GMT", ZoneOffset.UTC), Map.entry("Z", ZoneOffset.UTC),
      Map.entry("WET", ZoneOffset.ofHours(0)), Map.entry("WEST", ZoneOffset.ofHours(1)),
      Map.entry("CET", ZoneOffset.ofHours(1)), Map.entry("CEST", ZoneOffset.ofHours(2)),
      Map.entry("MET", ZoneOffset.ofHours(1)), Map.entry("MEST", ZoneOffset.ofHours(2)),
      Map.entry("EET", ZoneOffset.ofHours(2)), Map.entry("EEST", ZoneOffset.ofHours(3)),
      Map.entry("MSK", ZoneOffset.ofHours(3)),
      Map.entry("EST", ZoneOffset.ofHours(-5)), Map.entry("EDT", ZoneOffset.ofHours(-4)),
      Map.entry("PST", ZoneOffset.ofHours(-8)), Map.entry("PDT", ZoneOffset.ofHours(-7)),
      Map.entry("MST", ZoneOffset.ofHours(-7)), Map.entry("MDT", ZoneOffset.ofHours(-6)),
      Map.entry("JST", ZoneOffset.ofHours(9)), Map.entry("KST", ZoneOffset.ofHours(9)),
      Map.entry("AEST", ZoneOffset.ofHours(10)), Map.entry("AEDT", ZoneOffset.ofHours(11)),
      Map.entry("NZST", ZoneOffset.ofHours(12)), Map.entry("NZDT", ZoneOffset.ofHours(13)));

  /**
   * Parses the content of a {@code .backup} file. START WAL LOCATION and STOP WAL LOCATION are
   * required; other lines are optional, unknown lines ignored.
   *
   * @throws InvalidWalException if a required line is missing or a line is malformed
   */
  public static BackupHistory parse(String content) throws InvalidWalException {
    if (content == null || content.isBlank()) {
      throw new InvalidWalException("empty backup history file");
    }
    Map<String, String> fields = new HashMap<>();
    Map<String, Integer> lineOf = new HashMap<>();
    String[] lines = content.split("\r?\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int colon = line.indexOf(": ");
      if (line.isBlank()) {
        continue;
      }
      if (colon <= 0) {
        throw new InvalidWalException("backup history line " + (i + 1) + ": '"
            + Names.excerpt(line) + "' is not a 'KEY: value' line");
      }
      String key = line.substring(0, colon);
      if (fields.putIfAbsent(key, line.substring(colon + 2)) != null) {
        throw new InvalidWalException("backup history line " + (i + 1) + ": " + Names.excerpt(key)
            + " appears twice");
      }
      lineOf.put(key, i + 1);
    }
    Matcher start = location(fields, lineOf, "START WAL LOCATION");
    Matcher stop = location(fields, lineOf, "STOP WAL LOCATION");
    String startFile = start.group(2);
    String stopFile = stop.group(2);
    int startTli = timeline(fields, lineOf, "START TIMELINE", startFile);
    int stopTli = timeline(fields, lineOf, "STOP TIMELINE", stopFile);
    return new BackupHistory(Lsn.parse(start.group(1)), startFile, Lsn.parse(stop.group(1)),
        stopFile, startTli, stopTli, time(fields, lineOf, "START TIME"),
        time(fields, lineOf, "STOP TIME"), fields.getOrDefault("LABEL", ""));
  }

  private static Matcher location(Map<String, String> fields, Map<String, Integer> lineOf,
      String key) throws InvalidWalException {
    String value = fields.get(key);
    if (value == null) {
      throw new InvalidWalException("backup history: no " + key + " line");
    }
    Matcher m = LOCATION.matcher(value.strip());
    if (!m.matches()) {
      throw new InvalidWalException("backup history line " + lineOf.get(key) + ": " + key + " '"
          + Names.excerpt(value) + "' is not '<location> (file <segment>)'");
    }
    return m;
  }

  private static int timeline(Map<String, String> fields, Map<String, Integer> lineOf, String key,
      String walFile) throws InvalidWalException {
    String value = fields.get(key);
    if (value == null) {
      return Integer.parseUnsignedInt(walFile, 0, 8, 16);
    }
    try {
      long tli = Long.parseLong(value.strip());
      if (tli > 0 && tli <= 0xFFFFFFFFL) {
        return (int) tli;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidWalException("backup history line " + lineOf.get(key) + ": " + key + " '"
        + Names.excerpt(value) + "' is not a timeline ID");
  }

  private static Instant time(Map<String, String> fields, Map<String, Integer> lineOf, String key)
      throws InvalidWalException {
    String value = fields.get(key);
    if (value == null) {
      return null;
    }
    Matcher m = TIME.matcher(value.strip());
    if (!m.matches()) {
      throw new InvalidWalException("backup history line " + lineOf.get(key) + ": " + key + " '"
          + Names.excerpt(value) + "' is not a time such as 2026-12-02 06:27:01 UTC");
    }
    LocalDateTime local;
    try {
      local = LocalDateTime.parse(m.group(1), LOCAL_TIME);
    } catch (DateTimeParseException e) {
      throw new InvalidWalException("backup history line " + lineOf.get(key) + ": " + key + " '"
          + Names.excerpt(value) + "' is not a valid date and time");
    }
    ZoneOffset offset = offset(m.group(2));
    return offset == null ? null : local.toInstant(offset);
  }

  private static ZoneOffset offset(String zone) {
    if (zone == null) {
      return null;
    }
    ZoneOffset known = ABBREVIATIONS.get(zone);
    if (known != null) {
      return known;
    }
    Matcher m = NUMERIC_ZONE.matcher(zone);
    if (!m.matches()) {
      return null;
    }
    try {
      int hours = Integer.parseInt(m.group(2));
      int minutes = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
      return "-".equals(m.group(1)) ? ZoneOffset.ofHoursMinutes(-hours, -minutes)
          : ZoneOffset.ofHoursMinutes(hours, minutes);
    } catch (DateTimeException e) {
      return null;
    }
  }
}
