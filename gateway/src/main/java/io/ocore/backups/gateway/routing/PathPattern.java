package io.ocore.backups.gateway.routing;

import java.util.Arrays;
import java.util.List;

/**
 * A route pattern such as {@code /api/environments/{envId}/backups} or
 * {@code /api/backup-destinations/**}: literal segments match themselves, {@code *} or
 * {@code {name}} one segment, a trailing {@code **} one or more segments.
 */
public final class PathPattern {

    private static final String ANY_ONE = "*";
    private static final String ANY_REST = "**";

    private final String text;
    private final List<String> segments;
    private final boolean rest;

    private PathPattern(String text, List<String> segments, boolean rest) {
        this.text = text;
        this.segments = segments;
        this.rest = rest;
    }

    public static PathPattern compile(String pattern) {
        if (pattern == null || !pattern.startsWith("/")) {
            throw new IllegalArgumentException("route pattern must start with '/': " + pattern);
        }
        List<String> parts = Arrays.stream(pattern.split("/")).filter(s -> !s.isEmpty())
                .map(s -> s.startsWith("{") && s.endsWith("}") ? ANY_ONE : s)
                .toList();
        boolean rest = !parts.isEmpty() && parts.get(parts.size() - 1).equals(ANY_REST);
        List<String> fixed = rest ? parts.subList(0, parts.size() - 1) : parts;
        if (fixed.contains(ANY_REST)) {
            throw new IllegalArgumentException("'**' is only allowed as the last segment: " + pattern);
        }
        return new PathPattern(pattern, List.copyOf(fixed), rest);
    }

    public boolean matches(RequestPath path) {
        List<String> actual = path.segments();
        if (rest ? actual.size() <= segments.size() : actual.size() != segments.size()) {
            return false;
        }
        for (int i = 0; i < segments.size(); i++) {
            String expected = segments.get(i);
            if (!expected.equals(ANY_ONE) && !expected.equals(actual.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }
}
