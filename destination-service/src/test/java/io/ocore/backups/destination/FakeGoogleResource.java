package io.ocore.backups.destination;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Google OAuth token endpoint that hands out a new refresh token with every access token (as
 * Microsoft does), for refresh tokens starting with "good-"; "invalid_grant" otherwise. The Drive
 * API behind it answers 403 to everything: enough to see the rotated token stored, not a Drive.
 */
public class FakeGoogleResource implements QuarkusTestResourceLifecycleManager {

    static final AtomicInteger ROTATIONS = new AtomicInteger();
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/token", this::token);
        server.createContext("/", ex -> answer(ex, 403,
                "{\"error\":{\"code\":403,\"message\":\"fake drive\",\"errors\":[{\"reason\":\"forbidden\"}]}}"));
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.of("ocore.destinations.google-token-url", base + "/token",
                "ocore.destinations.drive-base-url", base);
    }

    private void token(HttpExchange ex) throws IOException {
        String form = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (form.contains("refresh_token=good-") || form.contains("refresh_token=rotated-")) {
            answer(ex, 200, "{\"access_token\":\"fake-access\",\"expires_in\":3600,\"token_type\":\"Bearer\","
                    + "\"refresh_token\":\"rotated-" + ROTATIONS.incrementAndGet() + "\"}");
        } else {
            answer(ex, 400, "{\"error\":\"invalid_grant\"}");
        }
    }

    private static void answer(HttpExchange ex, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
