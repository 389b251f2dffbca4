package io.ocore.backups.platform.testing.fakes;

import static io.ocore.backups.platform.testing.fakes.FakeHttp.json;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ocore.backups.platform.testing.fakes.FakeHttp.Fault;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A local Microsoft Graph (OneDrive) speaking the parts of the protocol the driver uses, with the
 * same rules as the real service: refresh-token grant at {@code /{tenant}/oauth2/v2.0/token}
 * (rotating refresh tokens), bearer tokens that expire, path addressing
 * {@code /v1.0/me/drive/root:/a/b:} (and {@code /drives/{id}}), simple upload up to 4 MiB,
 * upload sessions (pre-authenticated upload URL, Content-Range with the total, chunks in
 * multiples of 320 KiB, 202 + nextExpectedRanges, status GET, cancel DELETE), content download by
 * 302 redirect to a pre-authenticated URL (which honours {@code Range: bytes=a-b}: 206, or 416 past
 * the end, as Graph's partial downloads do), paged children listing, delete. Tests inject 429 with
 * Retry-After, 503, and "accepted but answered 500" failures.
 */
public final class FakeGraphServer implements AutoCloseable {

    public static final String DRIVE_ID = "b!fake-drive";
    static final int CHUNK_UNIT = 320 * 1024;

    private final HttpServer server;
    private final Path storage;
    public final OAuthServerState oauth;
    private final FakeHttp.Faults faults = new FakeHttp.Faults();
    private final Map<String, Item> items = new ConcurrentHashMap<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private final AtomicInteger statusQueries = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong downloadedBytes = new java.util.concurrent.atomic.AtomicLong();
    private final AtomicInteger chunks = new AtomicInteger();
    private volatile int maxPageSize = 200;
    private volatile IntConsumer onChunk = n -> { };
    private volatile long lastThrottleNanos;
    private volatile long firstRequestAfterThrottleNanos;

    record Item(String id, String path, Path file, long size, Instant modified) {
    }

    static final class Session {
        final String path;
        final Path file;
        long received;
        long total = -1;

        Session(String path, Path file) {
            this.path = path;
            this.file = file;
        }
    }

    public FakeGraphServer(Path storage, String clientId, String clientSecret, String refreshToken) throws IOException {
        this.storage = storage;
        this.oauth = new OAuthServerState(clientId, clientSecret, refreshToken, true);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", this::handle);
        server.start();
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** For {@code StorageOptions.graphBaseUrl}. */
    public URI graphUrl() {
        return URI.create(baseUrl() + "/v1.0");
    }

    public void inject(String target, int status, int retryAfterSeconds) {
        faults.add(new Fault(target, status, retryAfterSeconds, 0));
    }

    /** The next chunk is stored but answered with {@code status}, as when the answer is lost. */
    public void injectAcceptedThenFailed(int status) {
        faults.add(new Fault("chunk-lost", status, 0, 1.0));
    }

    public boolean faultsConsumed() {
        return faults.isEmpty();
    }

    public void maxPageSize(int n) {
        maxPageSize = n;
    }

    /** Called with the running count of chunks received (to expire tokens mid-upload, say). */
    public void onChunk(IntConsumer hook) {
        onChunk = hook;
    }

    /** File content bytes sent by downloads so far (a ranged download counts only its range). */
    public long downloadedBytes() {
        return downloadedBytes.get();
    }

    public int statusQueries() {
        return statusQueries.get();
    }

    public int openSessions() {
        return sessions.size();
    }

    /** Nanoseconds between the last throttling answer and the next request that reached the API. */
    public long waitAfterThrottleNanos() {
        return firstRequestAfterThrottleNanos - lastThrottleNanos;
    }

    public boolean exists(String path) {
        return items.containsKey(path);
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getRawPath();
            if (path.endsWith("/oauth2/v2.0/token") && ex.getRequestMethod().equals("POST")) {
                int[] status = new int[1];
                Map<String, Object> body = oauth.grant(FakeHttp.form(ex), status);
                json(ex, status[0], body);
            } else if (path.startsWith("/upload/")) {
                upload(ex, path.substring("/upload/".length()));
            } else if (path.startsWith("/download/")) {
                download(ex, path.substring("/download/".length()));
            } else if (path.startsWith("/v1.0/")) {
                api(ex, path.substring("/v1.0".length()));
            } else {
                error(ex, 404, "invalidRequest");
            }
        } catch (RuntimeException | IOException e) {
            System.err.println("fake server failed: " + e);
            error(ex, 500, "generalException");
        } finally {
            ex.close();
        }
    }

    private static void error(HttpExchange ex, int status, String code) throws IOException {
        json(ex, status, Map.of("error", Map.of("code", code, "message", "fake graph: " + code)));
    }

    private boolean throttled(HttpExchange ex, String target) throws IOException {
        if (lastThrottleNanos != 0 && firstRequestAfterThrottleNanos < lastThrottleNanos) {
            firstRequestAfterThrottleNanos = System.nanoTime();
        }
        Fault f = faults.take(target);
        if (f == null) {
            return false;
        }
        if (f.retryAfterSeconds() > 0) {
            ex.getResponseHeaders().set("Retry-After", Integer.toString(f.retryAfterSeconds()));
        }
        lastThrottleNanos = System.nanoTime();
        error(ex, f.status(), f.status() == 429 ? "activityLimitReached" : "serviceNotAvailable");
        return true;
    }

    private void api(HttpExchange ex, String rest) throws IOException {
        if (throttled(ex, "api")) {
            return;
        }
        if (!oauth.valid(FakeHttp.bearer(ex).orElse(null))) {
            error(ex, 401, "InvalidAuthenticationToken");
            return;
        }
        if (rest.startsWith("/me/drive")) {
            rest = rest.substring("/me/drive".length());
        } else if (rest.startsWith("/drives/")) {
            String after = rest.substring("/drives/".length());
            int slash = after.indexOf('/');
            String id = URLDecoder.decode(slash < 0 ? after : after.substring(0, slash), StandardCharsets.UTF_8);
            if (!id.equals(DRIVE_ID)) {
                error(ex, 404, "itemNotFound");
                return;
            }
            rest = slash < 0 ? "" : after.substring(slash);
        } else {
            error(ex, 400, "invalidRequest");
            return;
        }
        String itemPath;
        String action;
        if (rest.equals("/root") || rest.startsWith("/root/")) {
            itemPath = "";
            action = rest.equals("/root") ? "" : rest.substring("/root/".length());
        } else if (rest.startsWith("/root:/")) {
            String afterRoot = rest.substring("/root:/".length());
            int colon = afterRoot.indexOf(':');
            if (colon < 0) {
                error(ex, 400, "invalidRequest");
                return;
            }
            itemPath = URLDecoder.decode(afterRoot.substring(0, colon).replace("+", "%2B"), StandardCharsets.UTF_8);
            action = afterRoot.substring(colon + 1);
            action = action.startsWith("/") ? action.substring(1) : action;
        } else {
            error(ex, 400, "invalidRequest");
            return;
        }
        String method = ex.getRequestMethod();
        switch (action) {
            case "children" -> children(ex, itemPath);
            case "content" -> {
                if (method.equals("GET")) {
                    Item item = items.get(itemPath);
                    if (item == null) {
                        error(ex, 404, "itemNotFound");
                        return;
                    }
                    ex.getResponseHeaders().set("Location", baseUrl() + "/download/" + item.id());
                    FakeHttp.send(ex, 302, new byte[0], null);
                } else if (method.equals("PUT")) {
                    simpleUpload(ex, itemPath);
                } else {
                    error(ex, 405, "invalidRequest");
                }
            }
            case "createUploadSession" -> {
                FakeHttp.drain(ex);
                String id = UUID.randomUUID().toString();
                sessions.put(id, new Session(itemPath, Files.createTempFile(storage, "session-", ".part")));
                json(ex, 200, Map.of("uploadUrl", baseUrl() + "/upload/" + id,
                        "expirationDateTime", Instant.now().plusSeconds(3600).toString()));
            }
            case "" -> {
                if (method.equals("DELETE")) {
                    boolean removed;
                    synchronized (lock) {
                        removed = items.keySet().removeIf(p -> p.equals(itemPath) || p.startsWith(itemPath + "/"));
                        removed |= folderExists(itemPath);
                    }
                    FakeHttp.send(ex, removed ? 204 : 404, new byte[0], null);
                } else {
                    Item item = items.get(itemPath);
                    if (item == null) {
                        error(ex, 404, "itemNotFound");
                    } else {
                        json(ex, 200, itemJson(item));
                    }
                }
            }
            default -> error(ex, 400, "invalidRequest");
        }
    }

    private boolean folderExists(String folder) {
        return items.keySet().stream().anyMatch(p -> p.startsWith(folder + "/"));
    }

    private ObjectNode itemJson(Item item) {
        ObjectNode n = FakeHttp.JSON.createObjectNode();
        n.put("id", item.id());
        n.put("name", item.path().substring(item.path().lastIndexOf('/') + 1));
        n.put("size", item.size());
        n.put("lastModifiedDateTime", item.modified().toString());
        n.putObject("file").put("mimeType", "application/octet-stream");
        return n;
    }

    private void children(HttpExchange ex, String folder) throws IOException {
        String prefix = folder.isEmpty() ? "" : folder + "/";
        if (!folder.isEmpty() && !folderExists(folder)) {
            error(ex, 404, "itemNotFound");
            return;
        }
        Map<String, ObjectNode> entries = new java.util.TreeMap<>();
        for (Item item : items.values()) {
            if (!item.path().startsWith(prefix)) {
                continue;
            }
            String rest = item.path().substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash < 0) {
                entries.put(rest, itemJson(item));
            } else {
                String name = rest.substring(0, slash);
                entries.computeIfAbsent(name, n -> {
                    ObjectNode f = FakeHttp.JSON.createObjectNode();
                    f.put("id", "folder-" + prefix + n);
                    f.put("name", n);
                    f.put("size", 0);
                    f.putObject("folder").put("childCount", 1);
                    return f;
                });
            }
        }
        Map<String, String> q = FakeHttp.query(ex);
        int top = Math.min(Integer.parseInt(q.getOrDefault("$top", "200")), maxPageSize);
        int skip = Integer.parseInt(q.getOrDefault("$skiptoken", "0"));
        List<ObjectNode> all = List.copyOf(entries.values());
        ObjectNode page = FakeHttp.JSON.createObjectNode();
        ArrayNode value = page.putArray("value");
        all.subList(Math.min(skip, all.size()), Math.min(skip + top, all.size())).forEach(value::add);
        if (skip + top < all.size()) {
            String raw = ex.getRequestURI().getRawQuery().replaceAll("&?\\$skiptoken=\\d+", "");
            page.put("@odata.nextLink", baseUrl() + ex.getRequestURI().getRawPath() + "?" + raw + "&$skiptoken="
                    + (skip + top));
        }
        json(ex, 200, page);
    }

    private void simpleUpload(HttpExchange ex, String itemPath) throws IOException {
        Path tmp = Files.createTempFile(storage, "simple-", ".part");
        long size;
        try (InputStream in = ex.getRequestBody()) {
            size = Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        if (size > 4L * 1024 * 1024) {
            Files.delete(tmp);
            error(ex, 413, "requestTooLarge");
            return;
        }
        json(ex, 201, itemJson(commit(itemPath, tmp, size)));
    }

    private Item commit(String itemPath, Path tmp, long size) throws IOException {
        synchronized (lock) {
            Item old = items.get(itemPath);
            String id = old != null ? old.id() : UUID.randomUUID().toString();
            Path file = storage.resolve("item-" + id);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Item item = new Item(id, itemPath, file, size, Instant.now());
            items.put(itemPath, item);
            return item;
        }
    }

    private void upload(HttpExchange ex, String sessionId) throws IOException {
        Session s = sessions.get(sessionId);
        if (s == null) {
            error(ex, 404, "itemNotFound");
            return;
        }
        switch (ex.getRequestMethod()) {
            case "GET" -> {
                statusQueries.incrementAndGet();
                synchronized (s) {
                    json(ex, 200, Map.of("expirationDateTime", Instant.now().plusSeconds(3600).toString(),
                            "nextExpectedRanges", List.of(s.received + "-")));
                }
            }
            case "DELETE" -> {
                sessions.remove(sessionId);
                Files.deleteIfExists(s.file);
                FakeHttp.send(ex, 204, new byte[0], null);
            }
            case "PUT" -> chunk(ex, sessionId, s);
            default -> error(ex, 405, "invalidRequest");
        }
    }

    private void chunk(HttpExchange ex, String sessionId, Session s) throws IOException {
        if (ex.getRequestHeaders().containsKey("Authorization")) {
            // Graph: the upload URL is pre-authenticated; an Authorization header makes it fail
            error(ex, 401, "unauthenticated");
            return;
        }
        if (throttled(ex, "chunk")) {
            return;
        }
        int n = chunks.incrementAndGet();
        onChunk.accept(n);
        long[] range = FakeHttp.contentRange(ex.getRequestHeaders().getFirst("Content-Range"));
        long length = Long.parseLong(ex.getRequestHeaders().getFirst("Content-Length"));
        synchronized (s) {
            if (range == null || range[0] < 0 || range[2] < 0 || range[1] - range[0] + 1 != length) {
                error(ex, 400, "invalidRange");
                return;
            }
            if (s.total >= 0 && s.total != range[2]) {
                error(ex, 400, "invalidRange");
                return;
            }
            if (range[0] != s.received) {
                error(ex, 416, "invalidRange");
                return;
            }
            boolean last = range[1] + 1 == range[2];
            if (!last && length % CHUNK_UNIT != 0) {
                error(ex, 400, "invalidRange"); // "must be a multiple of 320 KiB"
                return;
            }
            s.total = range[2];
            try (InputStream in = ex.getRequestBody();
                    OutputStream out = Files.newOutputStream(s.file, StandardOpenOption.APPEND)) {
                s.received += in.transferTo(out);
            }
            Fault lost = faults.take("chunk-lost");
            if (s.received == s.total) {
                sessions.remove(sessionId);
                Item item = commit(s.path, s.file, s.total);
                if (lost != null) {
                    error(ex, lost.status(), "generalException");
                } else {
                    json(ex, 201, itemJson(item));
                }
                return;
            }
            if (lost != null) {
                error(ex, lost.status(), "generalException");
                return;
            }
            json(ex, 202, Map.of("expirationDateTime", Instant.now().plusSeconds(3600).toString(),
                    "nextExpectedRanges", List.of(s.received + "-")));
        }
    }

    private void download(HttpExchange ex, String id) throws IOException {
        Item item = items.values().stream().filter(i -> i.id().equals(id)).findFirst().orElse(null);
        if (item == null) {
            error(ex, 404, "itemNotFound");
            return;
        }
        FakeHttp.file(ex, item.file(), downloadedBytes);
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
