package io.ocore.backups.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.ocore.backups.platform.testing.TestTokens;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test infrastructure standing in for destination-service's internal endpoint
 * {@code GET /internal/destinations/{destId}?orgId=}: serves the configs of the real s3proxy and
 * local destinations a test registers, 404 for others or another organisation, 401 without
 * backup-service's service token (TestTokens.serviceCaller: the real token shape and test key).
 */
public class DestinationStub implements QuarkusTestResourceLifecycleManager {

    private static final Map<UUID, Map<String, Object>> DESTINATIONS = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();
    private HttpServer server;

    public static void register(UUID orgId, UUID destId, String name, String type, Map<String, Object> config) {
        DESTINATIONS.put(destId, Map.of("id", destId.toString(), "orgId", orgId.toString(), "name", name,
                "destinationType", type, "config", config));
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/internal/destinations/", exchange -> {
            int status;
            byte[] body;
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getQuery();
            String org = query != null && query.startsWith("orgId=") ? query.substring(6) : "";
            Map<String, Object> d = null;
            try {
                d = DESTINATIONS.get(UUID.fromString(path.substring(path.lastIndexOf('/') + 1)));
            } catch (IllegalArgumentException ignored) {
                // 404 below
            }
            if (!TestTokens.serviceCaller(auth).filter("backup-service"::equals).isPresent()) {
                status = 401;
                body = "{}".getBytes(StandardCharsets.UTF_8);
            } else if (d == null || !d.get("orgId").equals(org)) {
                status = 404;
                body = "{\"status\":404}".getBytes(StandardCharsets.UTF_8);
            } else {
                status = 200;
                body = JSON.writeValueAsBytes(d);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return Map.of("ocore.services.destination.url", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
