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
final class FakeHttp {

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

    static void send(HttpExchange ex, int status, byte[] body, String type) throws IOException {
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

    static void file(HttpExchange ex, Path file) throws IOException {
        drain(ex);
        long size = Files.size(file);
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(200, size == 0 ? -1 : size);
        if (size > 0) {
            try (OutputStream out = ex.getResponseBody(); InputStream in = Files.newInputStream(file)) {
                in.transferTo(out);
            }
        }
        ex.close();
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
