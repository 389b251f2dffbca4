package io.ocore.backups.wal.coverage;

import io.ocore.backups.platform.walformat.WalFileName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Which times a point-in-time recovery can reach, from the catalogue (docs/wal.md "Coverage, PITR
 * range, health and retention"). Pure: no I/O.
 *
 * <ul>
 * <li>Ranges are per timeline: a run of consecutive segments of one timeline ({@code .partial}
 * counting as the segment it names, a whole segment of the same number preferred) is one range,
 * {@code from} the first commit in it, {@code to} the last. A run holding no commit at all (an idle
 * server switching segments on {@code archive_timeout}) is listed with {@code from} and {@code to}
 * null: its WAL is there, but no time inside it is a recovery target.</li>
 * <li>A missing segment inside a timeline ends a range: a gap, {@code from} the last commit before
 * it and {@code to} the first after it (null when there is none).</li>
 * <li>A timeline switch (a promotion) ends a range and the child timeline starts a new one. The
 * child continues its parent, without a gap, when its {@code .history} file is archived and its
 * first segment is at most one past the parent's last (PostgreSQL starts the new timeline inside
 * the segment where the old one switched; the old timeline's copy of it is the {@code .partial}).
 * The parent is the nearest lower timeline with archived segments (the catalogue does not keep
 * the history file's contents). When the parent's WAL ends earlier, the segments between are a
 * gap. A child timeline without its {@code .history} file is listed but not linked: recovery cannot
 * follow the switch without it.</li>
 * </ul>
 */
public final class WalCoverage {

    /** One catalogue row as coverage sees it. */
    public record File(String fileName, String kind, int timeline, Long segmentNo, Instant firstCommitAt,
            Instant lastCommitAt, Instant archivedAt) {
        boolean isSegment() {
            return "segment".equals(kind) || "partial".equals(kind);
        }

        /** The segment's 24-hex name (a {@code .partial}'s without its suffix). */
        public String segmentName() {
            return WalFileName.parse(fileName).segmentName();
        }
    }

    /** A covered range of one timeline; {@code from}/{@code to} null when it holds no commit. */
    public record Range(Instant from, Instant to, int timeline, String startSegment, String endSegment,
            long startSegmentNo, long endSegmentNo) {
    }

    /**
     * A hole: the segments between {@code afterSegment} and {@code beforeSegment} are missing.
     * {@code beforeArchivedAt}: when the file after the hole was archived (the gap scan waits a
     * grace after it, so that files archived out of order do not count as a gap).
     */
    public record Gap(String afterSegment, String beforeSegment, Instant from, Instant to, Instant beforeArchivedAt) {
    }

    public record Result(List<Range> ranges, List<Gap> gaps, int segmentCount, Instant latestArchivedAt) {
    }

    private WalCoverage() {
    }

    public static Result of(List<File> files) {
        Instant latest = files.stream().map(File::archivedAt).filter(a -> a != null).max(Comparator.naturalOrder())
                .orElse(null);
        Set<Integer> histories = files.stream().filter(f -> "history".equals(f.kind())).map(File::timeline)
                .collect(Collectors.toSet());
        // per timeline, per segment number: the whole segment if archived, else its .partial
        Map<Integer, TreeMap<Long, File>> byTimeline = new TreeMap<>();
        for (File f : files) {
            if (!f.isSegment() || f.segmentNo() == null) {
                continue;
            }
            byTimeline.computeIfAbsent(f.timeline(), t -> new TreeMap<>()).merge(f.segmentNo(), f,
                    (a, b) -> "segment".equals(a.kind()) ? a : b);
        }
        int segmentCount = byTimeline.values().stream().mapToInt(Map::size).sum();

        List<Range> ranges = new ArrayList<>();
        List<Gap> gaps = new ArrayList<>();
        List<File> previousTimelineRun = null; // the last run of the nearest lower timeline
        for (var e : byTimeline.entrySet()) {
            int timeline = e.getKey();
            List<List<File>> runs = runs(e.getValue());
            List<File> first = runs.get(0);
            if (previousTimelineRun != null && histories.contains(timeline)) {
                File parentLast = previousTimelineRun.get(previousTimelineRun.size() - 1);
                File childFirst = first.get(0);
                if (childFirst.segmentNo() > parentLast.segmentNo() + 1) {
                    gaps.add(gap(previousTimelineRun, first));
                }
            }
            for (int i = 0; i < runs.size(); i++) {
                if (i > 0) {
                    gaps.add(gap(runs.get(i - 1), runs.get(i)));
                }
                ranges.add(range(timeline, runs.get(i)));
            }
            previousTimelineRun = runs.get(runs.size() - 1);
        }
        return new Result(ranges, gaps, segmentCount, latest);
    }

    /** Runs of consecutive segment numbers, in order. */
    static List<List<File>> runs(TreeMap<Long, File> segments) {
        List<List<File>> runs = new ArrayList<>();
        List<File> run = new ArrayList<>();
        for (File f : segments.values()) {
            if (!run.isEmpty() && run.get(run.size() - 1).segmentNo() + 1 != f.segmentNo()) {
                runs.add(run);
                run = new ArrayList<>();
            }
            run.add(f);
        }
        if (!run.isEmpty()) {
            runs.add(run);
        }
        return runs;
    }

    static Range range(int timeline, List<File> run) {
        File first = run.get(0);
        File last = run.get(run.size() - 1);
        return new Range(firstCommit(run), lastCommit(run), timeline, first.segmentName(), last.segmentName(), first.segmentNo(), last.segmentNo());
    }

    private static Gap gap(List<File> before, List<File> after) {
        File a = before.get(before.size() - 1);
        File b = after.get(0);
        return new Gap(a.segmentName(), b.segmentName(),
                lastCommit(before), firstCommit(after), b.archivedAt());
    }

    /** The earliest commit of a run (commit times grow along the WAL; the minimum, to be safe). */
    static Instant firstCommit(List<File> run) {
        return run.stream().map(File::firstCommitAt).filter(t -> t != null).min(Comparator.naturalOrder()).orElse(null);
    }

    static Instant lastCommit(List<File> run) {
        return run.stream().map(File::lastCommitAt).filter(t -> t != null).max(Comparator.naturalOrder()).orElse(null);
    }
}
