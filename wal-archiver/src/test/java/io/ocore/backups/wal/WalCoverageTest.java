package io.ocore.backups.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ocore.backups.wal.segment.WalCoverage;
import io.ocore.backups.wal.segment.WalSegmentName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WalCoverageTest {

    static final Instant T0 = Instant.parse("2026-03-15T14:00:00Z");

    static WalCoverage.Segment seg(String name, int firstMin, int lastMin) {
        return new WalCoverage.Segment(WalSegmentName.parse(name), T0.plusSeconds(60L * firstMin),
                T0.plusSeconds(60L * lastMin), T0.plusSeconds(60L * lastMin + 1));
    }

    @Test
    void segmentNamesRoundTripAndCrossLogBoundaries() {
        WalSegmentName last = WalSegmentName.parse("0000000100000002000000FF");
        WalSegmentName next = WalSegmentName.parse("000000010000000300000000");
        assertThat(last.isFollowedBy(next)).isTrue();
        assertThat(next.toString()).isEqualTo("000000010000000300000000");
        assertThat(WalSegmentName.isValid("000000010000000300000100")).isFalse();
        assertThat(WalSegmentName.isValid("00000001000000030000000g")).isFalse();
        assertThatThrownBy(() -> WalSegmentName.parse("../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void consecutiveSegmentsFormOneRangeAndAHoleSplitsIt() {
        var result = WalCoverage.of(List.of(
                seg("000000010000000000000003", 10, 20),
                seg("000000010000000000000001", 0, 5),
                seg("000000010000000000000002", 5, 10),
                seg("000000010000000000000006", 40, 50)));

        assertThat(result.ranges()).hasSize(2);
        assertThat(result.ranges().get(0).from()).isEqualTo(T0);
        assertThat(result.ranges().get(0).to()).isEqualTo(T0.plusSeconds(20 * 60));
        assertThat(result.ranges().get(0).lastSegment()).isEqualTo("000000010000000000000003");
        assertThat(result.ranges().get(1).from()).isEqualTo(T0.plusSeconds(40 * 60));
        assertThat(result.gaps()).singleElement().satisfies(g -> {
            assertThat(g.lastSegmentBefore()).isEqualTo("000000010000000000000003");
            assertThat(g.firstSegmentAfter()).isEqualTo("000000010000000000000006");
        });
    }

    @Test
    void segmentsWithoutCommitsExtendARunButAddNoTime() {
        List<WalCoverage.Segment> segments = new ArrayList<>();
        segments.add(seg("000000010000000000000001", 0, 5));
        segments.add(new WalCoverage.Segment(WalSegmentName.parse("000000010000000000000002"), null, null, T0));
        segments.add(seg("000000010000000000000003", 30, 35));
        var result = WalCoverage.of(segments);
        assertThat(result.ranges()).singleElement().satisfies(r -> {
            assertThat(r.from()).isEqualTo(T0);
            assertThat(r.to()).isEqualTo(T0.plusSeconds(35 * 60));
        });
        assertThat(result.gaps()).isEmpty();
        assertThat(WalCoverage.of(List.of()).ranges()).isEmpty();
    }
}
