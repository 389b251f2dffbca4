package io.ocore.backups.platform.testing.fakes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;

/** Plumbing shared by the fake Graph and Drive servers. */
public final class FakeHttp {

    static final ObjectMapper JSON = new ObjectMapper();

    private FakeHttp() {
    }

    static Map<String, String> query(HttpExchange ex) {
        Map<String, String> out = new LinkedHashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    static Map<String, String> form(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    static void json(HttpExchange ex, int status, Object body) throws IOException {
        send(ex, status, JSON.writeValueAsBytes(body), "application/json");
    }

    /** Answers {@code status} with {@code body} (none when empty) of {@code type} (none when null), and closes. */
    public static void send(HttpExchange ex, int status, byte[] body, String type) throws IOException {
        drain(ex);
        if (type != null) {
            ex.getResponseHeaders().set("Content-Type", type);
        }
        if (body.length == 0) {
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        ex.close();
    }

    /**
     * The file's content, as Graph's download URL and Drive's {@code alt=media} serve it: the whole
     * file (200), or with {@code Range: bytes=a-b} / {@code bytes=a-} that range (206 with
     * {@code Content-Range: bytes a-b/size}, the end clamped to the file's), or 416 with
     * {@code Content-Range: bytes *&#47;size} when the range starts at or after the end. A Range
     * header of another form (suffix, several ranges) is ignored, as RFC 9110 allows.
     */
    static void file(HttpExchange ex, Path file, java.util.concurrent.atomic.AtomicLong served) throws IOException {
        drain(ex);
        long size = file == null ? 0 : Files.size(file);
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        long[] range = range(ex.getRequestHeaders().getFirst("Range"));
        if (range != null && range[0] >= size) {
            ex.getResponseHeaders().set("Content-Range", "bytes */" + size);
            ex.sendResponseHeaders(416, -1);
            ex.close();
            return;
        }
        long start = range == null ? 0 : range[0];
        long end = range == null || range[1] < 0 ? size - 1 : Math.min(range[1], size - 1);
        long length = end - start + 1;
        if (range != null) {
            ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + end + "/" + size);
        }
        ex.sendResponseHeaders(range != null ? 206 : 200, length == 0 ? -1 : length);
        served.addAndGet(length);
        if (length > 0) {
            try (OutputStream out = ex.getResponseBody(); InputStream in = Files.newInputStream(file)) {
                in.skipNBytes(start);
                new Limited(in, length).transferTo(out);
            }
        }
        ex.close();
    }

    /** "bytes=a-b" or "bytes=a-": start, end (-1 for open); null for no header or another form. */
    static long[] range(String header) {
        if (header == null || !header.startsWith("bytes=") || header.contains(",")) {
            return null;
        }
        String v = header.substring(6).trim();
        int dash = v.indexOf('-');
        if (dash <= 0) {
            return null;
        }
        try {
            long start = Long.parseLong(v.substring(0, dash));
            long end = dash == v.length() - 1 ? -1 : Long.parseLong(v.substring(dash + 1));
            return end >= 0 && end < start ? null : new long[] {start, end};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** At most {@code left} bytes of a stream. */
    static final class Limited extends java.io.FilterInputStream {
        private long left;

        Limited(InputStream in, long left) {
            super(in);
            this.left = left;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }

    static void drain(HttpExchange ex) {
        try (InputStream in = ex.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException alreadyReadAndClosed) {
            // nothing left to drain
        }
    }

    static Optional<String> bearer(HttpExchange ex) {
        String h = ex.getRequestHeaders().getFirst("Authorization");
        return h != null && h.startsWith("Bearer ") ? Optional.of(h.substring(7)) : Optional.empty();
    }

    /** "bytes a-b/T", "bytes a-b/*", "bytes *&#47;T", "bytes *&#47;*": start, end (-1 for '*'), total (-1 for '*'). */
    static long[] contentRange(String header) {
        if (header == null || !header.startsWith("bytes ")) {
            return null;
        }
        String v = header.substring(6).trim();
        int slash = v.indexOf('/');
        String range = v.substring(0, slash);
        String total = v.substring(slash + 1);
        long t = total.equals("*") ? -1 : Long.parseLong(total);
        if (range.equals("*")) {
            return new long[] {-1, -1, t};
        }
        int dash = range.indexOf('-');
        return new long[] {Long.parseLong(range.substring(0, dash)), Long.parseLong(range.substring(dash + 1)), t};
    }

    /** An answer to give instead of the normal one, once. */
    record Fault(String target, int status, int retryAfterSeconds, double acceptFraction) {
    }

    /** Faults queued by tests, taken by the first matching request. */
    static final class Faults {
        private final ConcurrentLinkedDeque<Fault> queue = new ConcurrentLinkedDeque<>();

        void add(Fault f) {
            queue.add(f);
        }

        Fault take(String target) {
            for (Fault f : queue) {
                if (f.target().equals(target) && queue.remove(f)) {
                    return f;
                }
            }
            return null;
        }

        boolean isEmpty() {
            return queue.isEmpty();
        }
    }
}
