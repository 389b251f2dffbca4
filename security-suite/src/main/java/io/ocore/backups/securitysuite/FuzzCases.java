package io.ocore.backups.securitysuite;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Malformed requests, generated from a seed: case {@code i} depends only on the seed, {@code i}
 * and the inputs, so one failing case is reproduced alone ({@code --fuzz-case i}). Routes and
 * methods are taken in turn (case i: route {@code i % routes}, method {@code (i / routes) % methods})
 * so every route meets every method once the count reaches their product; everything else is
 * drawn at random.
 */
final class FuzzCases {

    static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE");

    /** Above the gateway's 1 MiB default body limit: the 413 path. */
    static final int HUGE_BODY = 1_200_000;

    record Header(String name, String value) {
    }

    record FuzzCase(int index, RouteTable.Route route, String method, String target, List<Header> headers, byte[] body,
            String kinds) {

        /** One line, short enough to print: method, target (cut), body size and what was broken. */
        String describe() {
            String t = target.length() > 160 ? target.substring(0, 160) + "...(" + target.length() + " chars)" : target;
            return "case " + index + ": " + method + " " + t + " body=" + (body == null ? "none" : body.length + "B")
                    + " [" + kinds + "]";
        }
    }

    private static final String[] BAD_SEGMENTS = {
        "not-a-uuid", "00000000-0000-0000-0000-00000000000", "00000000-0000-0000-0000-0000000000000",
        "..%2f..%2finternal", "..%2F..%2F..%2Fetc%2Fpasswd", "%2e%2e", "%2e%2e%2f", "..", ".", "..;", "%00",
        "abc%00def", "%2f", "%5c", "..%5c", "%252e%252e%252f", "%ff%fe", "%", "%zz", "%E2%80%AE", "-1", "0",
        "null", "undefined", "%27%20OR%201%3D1--", "%0d%0aX-Injected:%201", "internal", "INTERNAL", "Internal",
        "~", "%7e", ";a=b", "x;jsessionid=1", "%u002e", "\u00e9", "%C0%AE%C0%AE", "{{7*7}}", "${jndi:x}",
        "*", "**", "%20", "+", "a+b", "@", "%40evil.example",
    };

    private static final String[] BAD_QUERIES = {
        "limit=-1", "limit=0", "limit=201", "limit=99999999999999999999", "limit=abc", "limit=", "cursor=%%%",
        "cursor=bm90LWEtY3Vyc29y", "cursor=" + "A".repeat(3000), "status=nope", "backupType=full%00",
        "isRead=maybe", "severity=%ff", "environmentId=not-a-uuid", "projectId=..%2f", "alertType=%27",
        "orgId=00000000-0000-0000-0000-00000000d0d0", "org_id=00000000-0000-0000-0000-00000000d0d0", "a[b]=c",
        "=", "&&&", "limit=1&limit=2", "%", "x=%zz", "limit=1e9", "limit=1.5", "limit=%20", "cursor=..%2f..%2f",
    };

    private static final String[] CONTENT_TYPES = {
        "application/json", "application/json; charset=utf-16", "text/plain", "application/xml",
        "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "garbage", "",
        "application/problem+json", "application/json; charset=bogus", "*/*", "application/octet-stream",
    };

    private static final String[] FIELDS = {
        "name", "destinationType", "config", "endpoint", "bucket", "host", "port", "path", "secretAccessKey",
        "backupType", "destinationIds", "targetType", "targetEnvironmentId", "newEnvironmentName",
        "pitrTimestamp", "neutralize", "confirm", "enabled", "dbFrequency", "fullFrequency", "retainHourly",
        "retainDaily", "retainWeekly", "retainMonthly", "walEnabled", "walRetentionDays", "projectId",
        "environmentType", "database", "filestorePath", "configPath", "orgId", "org_id", "id", "status",
    };

    private final long seed;
    private final List<RouteTable.Route> routes;
    private final Map<RouteTable.Route, List<List<String>>> templates;
    private final List<String> authorizations;
    private final List<String> ids;

    /**
     * @param authorizations whole Authorization header values to pick from (good and bad)
     * @param ids real ids worth hitting (the demo's), mixed with random UUIDs and bad segments
     */
    FuzzCases(long seed, Map<RouteTable.Route, List<List<String>>> templates, List<String> authorizations, List<String> ids) {
        this.seed = seed;
        this.templates = templates;
        this.routes = List.copyOf(templates.keySet());
        this.authorizations = List.copyOf(authorizations);
        this.ids = List.copyOf(ids);
        if (routes.isEmpty()) {
            throw new IllegalArgumentException("no routes to fuzz");
        }
    }

    int routeCount() {
        return routes.size();
    }

    FuzzCase get(int i) {
        Random r = new Random(seed ^ (0x9E3779B97F4A7C15L * (i + 1)));
        RouteTable.Route route = routes.get(i % routes.size());
        String method = METHODS.get((i / routes.size()) % METHODS.size());
        List<String> kinds = new ArrayList<>();
        List<List<String>> forRoute = templates.get(route);
        List<String> template = forRoute.get(r.nextInt(forRoute.size()));

        StringBuilder target = new StringBuilder();
        for (String segment : template) {
            target.append('/').append(segment.equals(RouteTable.SLOT) ? slot(r, kinds) : segment);
        }
        if (r.nextInt(20) == 0) {
            target.append('/').append(pick(r, BAD_SEGMENTS));
            kinds.add("extra segment");
        }
        if (r.nextInt(30) == 0) {
            target.insert(r.nextInt(2) == 0 ? 0 : target.indexOf("/", 1), "/");
            kinds.add("double slash");
        }
        if (r.nextInt(2) == 0) {
            target.append('?').append(query(r));
            kinds.add("query");
        }

        List<Header> headers = new ArrayList<>();
        int auth = r.nextInt(authorizations.size() + 1);
        if (auth < authorizations.size()) {
            headers.add(new Header("Authorization", authorizations.get(auth)));
        }
        // bodies mostly where the API takes them, sometimes where it does not, sometimes missing
        int bodyOdds = switch (method) {
            case "POST", "PUT", "PATCH" -> 9;
            case "GET", "HEAD" -> 2;
            default -> 5;
        };
        byte[] body = r.nextInt(10) < bodyOdds ? body(r, kinds) : null;
        if (body != null || r.nextInt(3) == 0) {
            headers.add(new Header("Content-Type", pick(r, CONTENT_TYPES)));
        }
        headers(r, headers, kinds);
        return new FuzzCase(i, route, method, target.toString(), List.copyOf(headers), body, String.join(", ", kinds));
    }

    private String slot(Random r, List<String> kinds) {
        int n = r.nextInt(10);
        if (n < 3 && !ids.isEmpty()) {
            return ids.get(r.nextInt(ids.size()));
        }
        if (n < 5) {
            return new UUID(r.nextLong(), r.nextLong()).toString();
        }
        if (n == 5 && r.nextInt(10) == 0) {
            kinds.add("long segment");
            return "x".repeat(r.nextInt(2) == 0 ? 300 : 5000);
        }
        String bad = pick(r, BAD_SEGMENTS);
        kinds.add("bad segment " + bad);
        return bad;
    }

    private static String query(Random r) {
        StringBuilder q = new StringBuilder(pick(r, BAD_QUERIES));
        for (int extra = r.nextInt(3); extra > 0; extra--) {
            q.append('&').append(pick(r, BAD_QUERIES));
        }
        return q.toString();
    }

    private static void headers(Random r, List<Header> headers, List<String> kinds) {
        switch (r.nextInt(16)) {
            case 0 -> {
                headers.add(new Header("X-Filler", "a".repeat(8000)));
                kinds.add("8 KB header");
            }
            case 1 -> {
                for (int i = 0; i < 100; i++) {
                    headers.add(new Header("X-H-" + i, Integer.toString(i)));
                }
                kinds.add("100 headers");
            }
            case 2 -> {
                headers.add(new Header("X-Request-Id", "\u0001\u007f" + "r".repeat(500)));
                kinds.add("control characters in X-Request-Id");
            }
            case 3 -> {
                headers.add(new Header("Host", "evil.example"));
                headers.add(new Header("X-Forwarded-Host", "evil.example"));
                headers.add(new Header("X-Forwarded-For", "169.254.169.254"));
                kinds.add("foreign Host and forwarding headers");
            }
            case 4 -> {
                headers.add(new Header("Accept", "application/xml;q=2, */*;q=nope"));
                headers.add(new Header("Accept-Encoding", "gzip;q=0, deflate, br, zstd, x" + "y".repeat(200)));
                kinds.add("odd Accept");
            }
            case 5 -> {
                headers.add(new Header("Authorization", "Bearer " + "e".repeat(12_000)));
                kinds.add("12 KB token");
            }
            case 6 -> {
                headers.add(new Header("X-Org-Id", "00000000-0000-0000-0000-00000000d0d0"));
                headers.add(new Header("X-Forwarded-Prefix", "/internal"));
                kinds.add("org and prefix headers");
            }
            case 7 -> {
                headers.add(new Header("Content-Type", "application/json"));
                headers.add(new Header("Content-Type", "text/plain"));
                kinds.add("two Content-Types");
            }
            default -> {
                // most cases keep ordinary headers
            }
        }
    }

    private byte[] body(Random r, List<String> kinds) {
        String text;
        switch (r.nextInt(22)) {
            case 0 -> text = "{";
            case 1 -> text = "{\"name\":";
            case 2 -> text = truncate(r, randomObject(r, 0));
            case 3 -> {
                int depth = 1000 + r.nextInt(9000);
                text = "[".repeat(depth) + "]".repeat(depth);
                kinds.add("nested " + depth);
            }
            case 4 -> {
                int depth = 1000 + r.nextInt(4000);
                text = "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
                kinds.add("nested objects " + depth);
            }
            case 5 -> {
                if (r.nextInt(8) == 0) {
                    text = "{\"name\":\"" + "h".repeat(HUGE_BODY) + "\"}";
                    kinds.add("huge body");
                } else if (r.nextInt(7) == 0) {
                    text = "{\"name\":\"" + "b".repeat(200_000 + r.nextInt(600_000)) + "\"}";
                    kinds.add("large body");
                } else {
                    text = "{\"name\":\"" + "m".repeat(10_000 + r.nextInt(50_000)) + "\"}";
                }
            }
            case 6 -> text = "null";
            case 7 -> text = "[]";
            case 8 -> text = "\"just a string\"";
            case 9 -> text = "12345678901234567890123456789012345678901234567890";
            case 10 -> text = "{\"retainHourly\":1e999999,\"port\":-99999999999999999999,\"limit\":NaN}";
            case 11 -> text = "{\"name\":\"\\ud800\",\"confirm\":\"\\u0000\"}";
            case 12 -> {
                kinds.add("invalid UTF-8");
                byte[] bad = {'{', '"', 'n', '"', ':', '"', (byte) 0xff, (byte) 0xfe, (byte) 0xc0, '"', '}'};
                return bad;
            }
            case 13 -> text = "\ufeff{\"name\":\"bom\"}";
            case 14 -> text = "{\"name\":\"a\",\"name\":\"b\",/* comment */\"__proto__\":{\"admin\":true}}";
            case 15 -> text = "{\"" + "k".repeat(50_000) + "\":1}";
            case 16 -> text = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>";
            case 17 -> text = "name=x&destinationType=local&config=%7B%7D";
            default -> {
                text = randomObject(r, 0);
                kinds.add("wrong types");
            }
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON object of the API's field names with values of random, mostly wrong, types. */
    private static String randomObject(Random r, int depth) {
        StringBuilder o = new StringBuilder("{");
        int n = 1 + r.nextInt(6);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                o.append(',');
            }
            o.append('"').append(pick(r, FIELDS)).append("\":").append(value(r, depth));
        }
        return o.append('}').toString();
    }

    private static String value(Random r, int depth) {
        return switch (r.nextInt(depth < 2 ? 14 : 12)) {
            case 0 -> "null";
            case 1 -> "true";
            case 2 -> "-1";
            case 3 -> "9223372036854775808";
            case 4 -> "1.5e308";
            case 5 -> "\"\"";
            case 6 -> "\"" + "z".repeat(r.nextInt(5000)) + "\"";
            case 7 -> "\"../../../etc/passwd\"";
            case 8 -> "\"169.254.169.254\"";
            case 9 -> "\"/proc/self/environ\"";
            case 10 -> "[\"not-a-uuid\", 1, null]";
            case 11 -> "\"" + new UUID(r.nextLong(), r.nextLong()) + "\"";
            case 12 -> randomObject(r, depth + 1);
            default -> "[" + randomObject(r, depth + 1) + "]";
        };
    }

    private static String truncate(Random r, String json) {
        return json.length() < 2 ? json : json.substring(0, 1 + r.nextInt(json.length() - 1));
    }

    private static String pick(Random r, String[] values) {
        return values[r.nextInt(values.length)];
    }
}
