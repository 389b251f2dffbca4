package io.ocore.backups.wal.segment;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which times a point-in-time recovery can reach: runs of consecutive segments on one timeline
 * form a covered range from the earliest to the latest commit they hold; a missing segment
 * starts a new range (and is a gap PITR cannot cross).
 */
public final class WalCoverage {

    /** A segment as coverage sees it. */
    public record Segment(WalSegmentName name, Instant firstCommitAt, Instant lastCommitAt, Instant archivedAt) {
    }

    /** A covered time range. */
    public record Range(Instant from, Instant to, String firstSegment, String lastSegment) {
    }

    /** A hole between two archived segments. */
    public record Gap(String lastSegmentBefore, String firstSegmentAfter) {
    }

    public record Result(List<Range> ranges, List<Gap> gaps) {
    }

    private WalCoverage() {
    }

    public static Result of(List<Segment> segments) {
        List<Segment> sorted = new ArrayList<>(segments);
        sorted.sort(Comparator.comparing(Segment::name));
        List<Range> ranges = new ArrayList<>();
        List<Gap> gaps = new ArrayList<>();
        List<Segment> run = new ArrayList<>();
        for (Segment s : sorted) {
            if (!run.isEmpty()) {
                Segment prev = run.get(run.size() - 1);
                if (!prev.name().isFollowedBy(s.name())) {
                    // A new timeline after a promotion continues history; a hole on one timeline does not.
                    if (prev.name().timeline() == s.name().timeline()) {
                        gaps.add(new Gap(prev.name().toString(), s.name().toString()));
                    }
                    close(run, ranges);
                }
            }
            run.add(s);
        }
        close(run, ranges);
        return new Result(ranges, gaps);
    }

    private static void close(List<Segment> run, List<Range> ranges) {
        Instant from = null;
        Instant to = null;
        for (Segment s : run) {
            if (s.firstCommitAt() != null && (from == null || s.firstCommitAt().isBefore(from))) {
                from = s.firstCommitAt();
            }
            if (s.lastCommitAt() != null && (to == null || s.lastCommitAt().isAfter(to))) {
                to = s.lastCommitAt();
            }
        }
        if (from != null) {
            ranges.add(new Range(from, to, run.get(0).name().toString(), run.get(run.size() - 1).name().toString()));
        }
        run.clear();
    }
}
