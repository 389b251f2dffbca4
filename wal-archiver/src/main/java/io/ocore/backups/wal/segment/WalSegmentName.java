package io.ocore.backups.wal.segment;

import java.util.regex.Pattern;

/**
 * A WAL segment file name: 24 hex digits, timeline (8), log id (8), segment (8). With the
 * default 16 MiB segments, 256 segments make one log id, so segment numbers are
 * {@code log * 256 + seg}.
 */
public record WalSegmentName(int timeline, long segmentNo) implements Comparable<WalSegmentName> {

    private static final Pattern NAME = Pattern.compile("[0-9A-F]{24}");
    /** 0x100000000 / 16 MiB. */
    public static final long SEGMENTS_PER_LOG = 256;

    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches()
                && Long.parseLong(name.substring(16, 24), 16) < SEGMENTS_PER_LOG;
    }

    public static WalSegmentName parse(String name) {
        if (!isValid(name)) {
            throw new IllegalArgumentException("Not a WAL segment name: expected 24 upper-case hex digits");
        }
        int timeline = Integer.parseUnsignedInt(name.substring(0, 8), 16);
        long log = Long.parseLong(name.substring(8, 16), 16);
        long seg = Long.parseLong(name.substring(16, 24), 16);
        return new WalSegmentName(timeline, log * SEGMENTS_PER_LOG + seg);
    }

    @Override
    public String toString() {
        return String.format("%08X%08X%08X", timeline, segmentNo / SEGMENTS_PER_LOG, segmentNo % SEGMENTS_PER_LOG);
    }

    /** True when {@code next} directly follows this segment on the same timeline. */
    public boolean isFollowedBy(WalSegmentName next) {
        return next.timeline == timeline && next.segmentNo == segmentNo + 1;
    }

    @Override
    public int compareTo(WalSegmentName o) {
        int t = Integer.compare(timeline, o.timeline);
        return t != 0 ? t : Long.compare(segmentNo, o.segmentNo);
    }
}
