package io.ocore.backups.platform.testing.fakes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.ocore.backups.platform.testing.TestTokens;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test infrastructure standing in for destination-service's internal endpoint
 * {@code GET /internal/destinations/{destId}?orgId=}: serves the configs of the real s3proxy and
 * local destinations a test registers, 404 for others or another organisation, 401 without a
 * service token (TestTokens.serviceCaller: the real token shape and test key; any service, as
 * destination-service accepts). Shared by the services that open destinations (backup-service,
 * wal-archiver).
 */
public class DestinationStub implements QuarkusTestResourceLifecycleManager {

    private static final Map<UUID, Map<String, Object>> DESTINATIONS = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile HttpServer server;
    private static volatile int port;
    /** When set, every request is answered with this status (e.g. 503: destination-service erring). */
    private static volatile int forcedStatus;
    /** Destinations whose next read is delayed, in milliseconds (a backup stays in_progress meanwhile). */
    private static final Map<UUID, Long> DELAYS = new ConcurrentHashMap<>();

    public static void register(UUID orgId, UUID destId, String name, String type, Map<String, Object> config) {
        DESTINATIONS.put(destId, Map.of("id", destId.toString(), "orgId", orgId.toString(), "name", name,
                "destinationType", type, "config", config));
    }

    /** Forgets a destination: destination-service answers a definite 404 for it from now on. */
    public static void unregister(UUID destId) {
        DESTINATIONS.remove(destId);
    }

    /** Every answer is this status until {@link #answerNormally()} (0: normal answers). */
    public static void answerWith(int status) {
        forcedStatus = status;
    }

    public static void answerNormally() {
        forcedStatus = 0;
    }

    /** The next read of this destination waits this long first. */
    public static void delayNextRead(UUID destId, Duration delay) {
        DELAYS.put(destId, delay.toMillis());
    }

    /** destination-service stopped: connections are refused until {@link #startAgain()}. */
    public static synchronized void stopNow() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    /** destination-service back, on the same port. */
    public static synchronized void startAgain() {
        if (server == null) {
            serve(port);
        }
    }

    @Override
    public Map<String, String> start() {
        serve(0);
        port = server.getAddress().getPort();
        return Map.of("ocore.services.destination.url", "http://127.0.0.1:" + port);
    }

    private static synchronized void serve(int onPort) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "destination-stub");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/internal/destinations/", exchange -> {
            int status;
            byte[] body;
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getQuery();
            String org = query != null && query.startsWith("orgId=") ? query.substring(6) : "";
            Map<String, Object> d = null;
            try {
                UUID destId = UUID.fromString(path.substring(path.lastIndexOf('/') + 1));
                d = DESTINATIONS.get(destId);
                Long delay = DELAYS.remove(destId);
                if (delay != null) {
                    Thread.sleep(delay);
                }
            } catch (IllegalArgumentException ignored) {
                // 404 below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (forcedStatus != 0) {
                status = forcedStatus;
                body = ("{\"status\":" + forcedStatus + "}").getBytes(StandardCharsets.UTF_8);
            } else if (TestTokens.serviceCaller(auth).isEmpty()) {
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
    }

    @Override
    public void stop() {
        stopNow();
    }
}
