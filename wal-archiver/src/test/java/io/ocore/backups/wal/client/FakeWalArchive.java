package io.ocore.backups.wal.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The answers of wal-archiver's {@code PUT|GET /api/wal/{envId}/{fileName}} (ADR 0017) as a tiny
 * loopback HTTP server, for the client's shell-level behaviour (exit codes, spool, prefetch) where
 * the exact status must be chosen by the test (503, slow answers). The real service is exercised by
 * {@link OcoreWalClientIT}.
 */
final class FakeWalArchive implements AutoCloseable {

    static final Pattern NAME = Pattern.compile(
            "[0-9A-F]{24}(\\.partial|\\.[0-9A-F]{8}\\.backup)?|[0-9A-F]{8}\\.history");

    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    /** Per file name: the Content-Encoding of its last PUT ("identity" when absent); zstd bodies are kept decoded. */
    final Map<String, String> encodings = new ConcurrentHashMap<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    volatile int forcedStatus;
    volatile long delayMillis;
    /** Per file name: an answer forced for that name only, and a delay before answering it. */
    final Map<String, Integer> statusFor = new ConcurrentHashMap<>();
    final Map<String, Long> delayFor = new ConcurrentHashMap<>();
    private final String token;
    private final String envId;
    private final HttpServer server;

    FakeWalArchive(String envId, String token) throws IOException {
        this.envId = envId;
        this.token = token;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/api/wal/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/wal/" + envId;
    }

    private void handle(HttpExchange ex) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String name = path.substring(path.lastIndexOf('/') + 1);
            requests.add(ex.getRequestMethod() + " " + name);
            byte[] body = ex.getRequestBody().readAllBytes();
            long delay = delayFor.getOrDefault(name, delayMillis);
            if (delay > 0) {
                Thread.sleep(delay);
            }
            if (!("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))
                    || !path.equals("/api/wal/" + envId + "/" + name)) {
                send(ex, 401, null);
            } else if (!NAME.matcher(name).matches()) {
                send(ex, 400, "{\"detail\":\"fileName is not a WAL file name\"}".getBytes());
            } else if (forcedStatus != 0 || statusFor.containsKey(name)) {
                send(ex, forcedStatus != 0 ? forcedStatus : statusFor.get(name), "{\"detail\":\"forced\"}".getBytes());
            } else if (ex.getRequestMethod().equals("PUT")) {
                String encoding = ex.getRequestHeaders().getFirst("Content-Encoding");
                encodings.put(name, encoding == null ? "identity" : encoding);
                if ("zstd".equals(encoding)) {
                    try (var in = new com.github.luben.zstd.ZstdInputStream(new java.io.ByteArrayInputStream(body))) {
                        body = in.readAllBytes();
                    }
                }
                byte[] old = files.putIfAbsent(name, body);
                send(ex, old == null ? 201 : Arrays.equals(old, body) ? 200 : 409, null);
            } else {
                byte[] file = files.get(name);
                send(ex, file == null ? 404 : 200, file);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body == null ? -1 : body.length);
        if (body != null) {
            ex.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
