package io.ocore.backups.restore;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ocore.backups.platform.testing.TestTokens;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test infrastructure standing in for the internal endpoints restore-service calls:
 * backup-service's {@code GET /internal/backups/{id}?orgId=}, {@code GET /internal/environments/{id}?orgId=}
 * and {@code POST /internal/environments}, and destination-service's
 * {@code GET /internal/destinations/{id}?orgId=}, and wal-archiver's
 * {@code GET /internal/backups/{id}/pitr-range?orgId=}. 401 without a token, 404 for another organisation.
 */
public class InternalStub implements QuarkusTestResourceLifecycleManager {

    static final Map<UUID, Map<String, Object>> BACKUPS = new ConcurrentHashMap<>();
    static final Map<UUID, Map<String, Object>> ENVIRONMENTS = new ConcurrentHashMap<>();
    static final Map<UUID, Map<String, Object>> DESTINATIONS = new ConcurrentHashMap<>();
    /** wal-archiver's pitr-ranges by backup: a range, or {@code status} 409 / 503 with a detail. */
    static final Map<UUID, Map<String, Object>> PITR_RANGES = new ConcurrentHashMap<>();
    static final List<Map<String, Object>> REGISTERED = new CopyOnWriteArrayList<>();
    private static final ObjectMapper JSON = new ObjectMapper();
    private HttpServer server;

    static void destination(UUID org, UUID id, String name, String type, Map<String, Object> config) {
        DESTINATIONS.put(id, Map.of("id", id.toString(), "orgId", org.toString(), "name", name, "destinationType", type,
                "config", config));
    }

    static void environment(UUID org, UUID id, UUID project, String name, String type, int port, String db,
            String filestore, String config) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", id.toString());
        e.put("orgId", org.toString());
        e.put("name", name);
        e.put("projectId", project.toString());
        e.put("environmentType", type);
        e.put("database", Map.of("host", "127.0.0.1", "port", port, "name", db, "user", "postgres", "password", ""));
        e.put("filestorePath", filestore);
        e.put("configPath", config);
        ENVIRONMENTS.put(id, e);
    }

    /** The same with the WAL files a replay of the range fetches (wal-archiver's catalogue entries). */
    static void pitrRange(UUID org, UUID id, String from, String to, List<Map<String, Object>> files) {
        PITR_RANGES.put(id, Map.of("orgId", org.toString(), "backupId", id.toString(), "from", from, "to", to,
                "timeline", 1, "files", files));
    }

    /** wal-archiver's answer for the base of backup {@code id}: its range (from, to). */
    static void pitrRange(UUID org, UUID id, String from, String to) {
        PITR_RANGES.put(id, Map.of("orgId", org.toString(), "backupId", id.toString(), "from", from, "to", to,
                "timeline", 1));
    }

    /** wal-archiver answers {@code status} (409: WAL incomplete, 503: failing; 0: no answer at all) with {@code detail}. */
    static void pitrRangeAnswer(UUID org, UUID id, int status, String detail) {
        PITR_RANGES.put(id, Map.of("orgId", org.toString(), "status", status, "detail", detail));
    }

    static void backup(UUID org, UUID id, UUID env, String status, String type, Map<UUID, String> remotePaths,
            Map<String, String> checksums) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("id", id.toString());
        b.put("orgId", org.toString());
        b.put("environmentId", env.toString());
        b.put("status", status);
        b.put("backupType", type);
        b.put("trigger", "manual");
        Map<String, String> paths = new LinkedHashMap<>();
        remotePaths.forEach((k, v) -> paths.put(k.toString(), v));
        b.put("remotePaths", paths);
        b.put("checksums", checksums);
        b.put("createdAt", "2026-03-15T14:30:00Z");
        BACKUPS.put(id, b);
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/internal/backups/", ex -> {
            if (ex.getRequestURI().getPath().endsWith("/pitr-range")) {
                pitrRange(ex);
            } else {
                get(ex, BACKUPS);
            }
        });
        server.createContext("/internal/destinations/", ex -> get(ex, DESTINATIONS));
        server.createContext("/internal/environments", ex -> {
            if ("POST".equals(ex.getRequestMethod())) {
                register(ex);
            } else {
                get(ex, ENVIRONMENTS);
            }
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.of("ocore.services.backup.url", url, "ocore.services.destination.url", url,
                "ocore.services.wal.url", url);
    }

    private static void pitrRange(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String[] parts = path.split("/");
        String query = ex.getRequestURI().getQuery();
        String org = query != null && query.startsWith("orgId=") ? query.substring("orgId=".length()) : "";
        Map<String, Object> found = null;
        try {
            found = PITR_RANGES.get(UUID.fromString(parts[parts.length - 2]));
        } catch (IllegalArgumentException ignored) {
            // 404
        }
        if (!authorized(ex)) {
            send(ex, 401, Map.of());
        } else if (found == null || !org.equals(found.get("orgId"))) {
            send(ex, 404, Map.of("status", 404, "detail", "PITR base of backup not found"));
        } else if (Integer.valueOf(0).equals(found.get("status"))) {
            // unreachable: the connection closes without an answer
            ex.close();
        } else if (found.get("status") instanceof Integer status) {
            send(ex, status, found);
        } else {
            send(ex, 200, found);
        }
    }

    private static void get(HttpExchange ex, Map<UUID, Map<String, Object>> store) throws IOException {
        String path = ex.getRequestURI().getPath();
        Map<String, String> params = new LinkedHashMap<>();
        String query = ex.getRequestURI().getQuery();
        for (String pair : query == null ? new String[0] : query.split("&")) {
            int eq = pair.indexOf('=');
            params.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
        }
        String org = params.getOrDefault("orgId", "");
        Map<String, Object> found = null;
        try {
            found = store.get(UUID.fromString(path.substring(path.lastIndexOf('/') + 1)));
        } catch (IllegalArgumentException ignored) {
            // 404
        }
        if (!authorized(ex)) {
            send(ex, 401, Map.of());
        } else if (found == null || !org.equals(found.get("orgId"))) {
            send(ex, 404, Map.of("status", 404));
        } else if (found.get("database") instanceof Map<?, ?> db && !"true".equals(params.get("credentials"))) {
            // like backup-service: the database password only with credentials=true
            Map<String, Object> withoutPassword = new LinkedHashMap<>(found);
            Map<Object, Object> database = new LinkedHashMap<>(db);
            database.remove("password");
            withoutPassword.put("database", database);
            send(ex, 200, withoutPassword);
        } else {
            send(ex, 200, found);
        }
    }

    @SuppressWarnings("unchecked")
    private static void register(HttpExchange ex) throws IOException {
        if (!authorized(ex)) {
            send(ex, 401, Map.of());
            return;
        }
        Map<String, Object> body = JSON.readValue(ex.getRequestBody().readAllBytes(), Map.class);
        REGISTERED.add(body);
        UUID id = UUID.randomUUID();
        Map<String, Object> db = (Map<String, Object>) body.get("database");
        environment(UUID.fromString((String) body.get("orgId")), id, UUID.fromString((String) body.get("projectId")),
                (String) body.get("name"), (String) body.get("environmentType"), ((Number) db.get("port")).intValue(),
                (String) db.get("name"), (String) body.get("filestorePath"), (String) body.get("configPath"));
        send(ex, 201, Map.of("id", id.toString()));
    }

    /** Only restore-service's service token (the real shape, signed with the test key) passes. */
    private static boolean authorized(HttpExchange ex) {
        return TestTokens.serviceCaller(ex.getRequestHeaders().getFirst("Authorization"))
                .filter("restore-service"::equals).isPresent();
    }

    private static void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
