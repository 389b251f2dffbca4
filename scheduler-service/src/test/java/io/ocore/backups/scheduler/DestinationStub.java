package io.ocore.backups.scheduler;

import com.sun.net.httpserver.HttpServer;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.fakes.FakeHttp;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * destination-service's internal endpoint, answering 200 for the destinations tests add and 404
 * otherwise; 401 unless called with scheduler-service's service token (TestTokens.serviceCaller).
 */
public class DestinationStub implements QuarkusTestResourceLifecycleManager {

    static final Set<String> KNOWN = ConcurrentHashMap.newKeySet();
    static final AtomicInteger CALLS = new AtomicInteger();
    private HttpServer server;

    /** A destination that exists in the organisation. */
    public static UUID add(UUID orgId) {
        UUID id = UUID.randomUUID();
        KNOWN.add(id + "?orgId=" + orgId);
        return id;
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/internal/destinations/", exchange -> {
            CALLS.incrementAndGet();
            String path = exchange.getRequestURI().getPath().substring("/internal/destinations/".length());
            String key = path + "?" + exchange.getRequestURI().getQuery();
            boolean authorised = TestTokens.serviceCaller(exchange.getRequestHeaders().getFirst("Authorization"))
                    .filter("scheduler-service"::equals).isPresent();
            int status = !authorised ? 401 : KNOWN.contains(key) ? 200 : 404;
            FakeHttp.send(exchange, status, status == 200 ? ("{\"id\":\"" + path + "\"}").getBytes() : new byte[0],
                    null);
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
