package io.ocore.backups.gateway.routing;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A request path as the services will see it: split into segments, each percent-decoded and
 * stripped of matrix parameters (JAX-RS ignores {@code ;a=b} when it matches a path), so the
 * gateway decides on the same segments the upstream will route on.
 */
public final class RequestPath {

    private final List<String> segments;
    private final boolean suspicious;

    private RequestPath(List<String> segments, boolean suspicious) {
        this.segments = segments;
        this.suspicious = suspicious;
    }

    /** Parses the raw path of a request (no query string). */
    public static RequestPath parse(String rawPath) {
        List<String> segments = new ArrayList<>();
        boolean suspicious = rawPath == null || !rawPath.startsWith("/");
        if (rawPath != null) {
            for (String raw : rawPath.split("/")) {
                if (raw.isEmpty()) {
                    continue;
                }
                int semicolon = raw.indexOf(';');
                String withoutMatrix = semicolon >= 0 ? raw.substring(0, semicolon) : raw;
                String decoded;
                try {
                    decoded = URLDecoder.decode(withoutMatrix.replace("+", "%2B"), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    suspicious = true;
                    decoded = withoutMatrix;
                }
                // Dot segments and encoded separators would let the upstream resolve a path other
                // than the one the gateway routed on.
                if (decoded.equals(".") || decoded.equals("..") || decoded.indexOf('/') >= 0
                        || decoded.indexOf('\\') >= 0 || decoded.indexOf('\0') >= 0) {
                    suspicious = true;
                }
                segments.add(decoded);
            }
        }
        return new RequestPath(List.copyOf(segments), suspicious);
    }

    public List<String> segments() {
        return segments;
    }

    /**
     * Whether the gateway must refuse to route this path: it names an internal endpoint, or
     * it could resolve to a different path upstream (dot segments, encoded slashes).
     */
    public boolean forbidden() {
        if (suspicious) {
            return true;
        }
        for (String segment : segments) {
            if (segment.toLowerCase(Locale.ROOT).equals("internal")) {
                return true;
            }
        }
        return false;
    }
}
