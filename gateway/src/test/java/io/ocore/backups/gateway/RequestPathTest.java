package io.ocore.backups.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ocore.backups.gateway.routing.PathPattern;
import io.ocore.backups.gateway.routing.RequestPath;
import io.ocore.backups.gateway.routing.Upstream;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathTest {

    @Test
    void matchesOneSegmentPerPlaceholderAndOneOrMoreForTrailingDoubleStar() {
        PathPattern backups = PathPattern.compile("/api/environments/{envId}/backups");
        PathPattern destinations = PathPattern.compile("/api/backup-destinations/**");

        assertThat(backups.matches(RequestPath.parse("/api/environments/e1/backups"))).isTrue();
        assertThat(backups.matches(RequestPath.parse("/api/environments/e1/backups/"))).isTrue();
        assertThat(backups.matches(RequestPath.parse("/api/environments/e1/backups/b1"))).isFalse();
        assertThat(backups.matches(RequestPath.parse("/api/environments/backups"))).isFalse();
        assertThat(destinations.matches(RequestPath.parse("/api/backup-destinations"))).isFalse();
        assertThat(destinations.matches(RequestPath.parse("/api/backup-destinations/d1"))).isTrue();
        assertThat(destinations.matches(RequestPath.parse("/api/backup-destinations/d1/test"))).isTrue();
    }

    @Test
    void matchesOnDecodedSegmentsWithoutMatrixParameters() {
        PathPattern restore = PathPattern.compile("/api/backups/*/restore");

        assertThat(restore.matches(RequestPath.parse("/api/backups/b1/%72estore"))).isTrue();
        assertThat(restore.matches(RequestPath.parse("/api/backups/b1/restore;x=1"))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/internal/x", "/api/internal", "/api/a/Internal/b", "/api/a/%49nternal", "/api/a/internal;m=1",
            "/api/a/../b", "/api/a/%2e%2e/b", "/api/a%2Fb", "/api/a%5Cb", "/api/a/%zz", "relative"})
    void forbidsInternalAndAmbiguousPaths(String raw) {
        assertThat(RequestPath.parse(raw).forbidden()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/backups/b1", "/api/wal/e1/000000010000000000000001", "/internals/x", "/api/a+b"})
    void allowsOrdinaryPaths(String raw) {
        assertThat(RequestPath.parse(raw).forbidden()).isFalse();
    }

    @Test
    void rejectsDoubleStarAnywhereButLast() {
        assertThatThrownBy(() -> PathPattern.compile("/api/**/x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PathPattern.compile("api/x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void upstreamKeepsItsBasePathAndNeverNeedsItsCredentialsAgain() {
        Upstream upstream = Upstream.of("backup", URI.create("https://user:secret@backup.internal/prefix/"));

        assertThat(upstream.ssl()).isTrue();
        assertThat(upstream.port()).isEqualTo(443);
        assertThat(upstream.uri("/api/backups/b1?x=1")).isEqualTo("/prefix/api/backups/b1?x=1");
        assertThat(upstream.toString()).doesNotContain("secret");
    }
}
