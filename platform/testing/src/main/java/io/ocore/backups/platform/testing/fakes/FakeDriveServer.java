package io.ocore.backups.platform.testing.fakes;

import static io.ocore.backups.platform.testing.fakes.FakeHttp.json;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local Google Drive v3 with the rules the driver relies on: refresh-token grant at
 * {@code /token} (no rotation), expiring bearer tokens, files with ids, names, one parent and
 * mime types (folders are files of {@code application/vnd.google-apps.folder}), {@code files.list}
 * with the {@code q} clauses used ({@code 'id' in parents}, {@code name = '...'},
 * {@code mimeType = / != '...'}, {@code trashed = false}) and page tokens, {@code files.create}
 * of folders, {@code files.get} (metadata and {@code alt=media}, which honours
 * {@code Range: bytes=a-b} as Drive's partial downloads do: 206, or 416 past the end), {@code files.delete}, and
 * resumable uploads: POST (new) or PATCH (new content of an existing file) with
 * {@code uploadType=resumable} answer a session URI in Location; PUTs carry
 * {@code Content-Range: bytes a-b/*} (non-final chunks end on a 256 KiB boundary) or
 * {@code bytes a-b/total}; {@code bytes *&#47;*} asks the status; 308 Resume Incomplete with
 * {@code Range: bytes=0-n}. Tests inject 429 + Retry-After, 503, and chunks that are only partly
 * stored before a 503.
 */
public final class FakeDriveServer implements AutoCloseable {

    public static final String FOLDER_MIME = "application/vnd.google-apps.folder";
    static final int CHUNK_UNIT = 256 * 1024;

    private final HttpServer server;
    private final Path storage;
    public final OAuthServerState oauth;
    private final FakeHttp.Faults faults = new FakeHttp.Faults();
    private final Map<String, DFile> files = new ConcurrentHashMap<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger chunks = new AtomicInteger();
    private final AtomicInteger statusQueries = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong downloadedBytes = new java.util.concurrent.atomic.AtomicLong();
    private volatile IntConsumer onChunk = n -> { };
    private volatile int maxPageSize = 1000;
    private volatile long lastThrottleNanos;
    private volatile long firstRequestAfterThrottleNanos;

    static final class DFile {
        final String id;
        final String name;
        final String mimeType;
        final String parent;
        volatile Path content;
        volatile long size;
        volatile Instant modified = Instant.now();

        DFile(String id, String name, String mimeType, String parent) {
            this.id = id;
            this.name = name;
            this.mimeType = mimeType;
            this.parent = parent;
        }
    }

    static final class Session {
        final String fileId; // null: create
        final String name;
        final String parent;
        final Path file;
        long received;

        Session(String fileId, String name, String parent, Path file) {
            this.fileId = fileId;
            this.name = name;
            this.parent = parent;
            this.file = file;
        }
    }

    public FakeDriveServer(Path storage, String clientId, String clientSecret, String refreshToken) throws IOException {
        this.storage = storage;
        this.oauth = new OAuthServerState(clientId, clientSecret, refreshToken, false);
        files.put("root", new DFile("root", "My Drive", FOLDER_MIME, null));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", this::handle);
        server.start();
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public URI tokenUrl() {
        return URI.create(baseUrl() + "/token");
    }

    /** Creates a folder (as a user would in the Drive UI) and returns its id. */
    public String createFolder(String name, String parent) {
        String id = "f" + UUID.randomUUID().toString().replace("-", "");
        files.put(id, new DFile(id, name, FOLDER_MIME, parent));
        return id;
    }

    public void inject(String target, int status, int retryAfterSeconds) {
        faults.add(new Fault(target, status, retryAfterSeconds, 0));
    }

    /** The next chunk is only partly stored (that fraction) and answered 503. */
    public void injectPartialChunk(double fraction) {
        faults.add(new Fault("chunk-partial", 503, 0, fraction));
    }

    public boolean faultsConsumed() {
        return faults.isEmpty();
    }

    public void onChunk(IntConsumer hook) {
        onChunk = hook;
    }

    public void maxPageSize(int n) {
        maxPageSize = n;
    }

    /** File content bytes sent by downloads so far (a ranged download counts only its range). */
    public long downloadedBytes() {
        return downloadedBytes.get();
    }

    public int statusQueries() {
        return statusQueries.get();
    }

    public long waitAfterThrottleNanos() {
        return firstRequestAfterThrottleNanos - lastThrottleNanos;
    }

    /** Every non-trashed file or folder with this name, anywhere. */
    public List<String> idsNamed(String name) {
        return files.values().stream().filter(f -> f.name.equals(name)).map(f -> f.id).toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getRawPath();
            if (path.equals("/token") && ex.getRequestMethod().equals("POST")) {
                int[] status = new int[1];
                Map<String, Object> body = oauth.grant(FakeHttp.form(ex), status);
                json(ex, status[0], body);
                return;
            }
            if (lastThrottleNanos != 0 && firstRequestAfterThrottleNanos < lastThrottleNanos) {
                firstRequestAfterThrottleNanos = System.nanoTime();
            }
            Fault f = faults.take(path.startsWith("/upload/") && ex.getRequestMethod().equals("PUT") ? "chunk" : "api");
            if (f != null) {
                if (f.retryAfterSeconds() > 0) {
                    ex.getResponseHeaders().set("Retry-After", Integer.toString(f.retryAfterSeconds()));
                }
                lastThrottleNanos = System.nanoTime();
                error(ex, f.status(), f.status() == 429 ? "rateLimitExceeded" : "backendError");
                return;
            }
            if (!oauth.valid(FakeHttp.bearer(ex).orElse(null))) {
                error(ex, 401, "authError");
                return;
            }
            if (path.equals("/upload/drive/v3/files") || path.startsWith("/upload/drive/v3/files/")) {
                upload(ex, path.substring("/upload/drive/v3/files".length()));
            } else if (path.equals("/drive/v3/files") || path.startsWith("/drive/v3/files/")) {
                filesApi(ex, path.substring("/drive/v3/files".length()));
            } else {
                error(ex, 404, "notFound");
            }
        } catch (RuntimeException | IOException e) {
            System.err.println("fake server failed: " + e);
            error(ex, 500, "backendError");
        } finally {
            ex.close();
        }
    }

    private static void error(HttpExchange ex, int status, String reason) throws IOException {
        json(ex, status, Map.of("error", Map.of("code", status, "message", "fake drive: " + reason,
                "errors", List.of(Map.of("reason", reason, "domain", "global")))));
    }

    private ObjectNode fileJson(DFile f) {
        ObjectNode n = FakeHttp.JSON.createObjectNode();
        n.put("id", f.id);
        n.put("name", f.name);
        n.put("mimeType", f.mimeType);
        if (!FOLDER_MIME.equals(f.mimeType)) {
            n.put("size", Long.toString(f.size)); // Drive sends int64 as a string
        }
        n.put("modifiedTime", f.modified.toString());
        n.put("trashed", false);
        if (f.parent != null) {
            n.putArray("parents").add(f.parent);
        }
        return n;
    }

    private void filesApi(HttpExchange ex, String rest) throws IOException {
        String method = ex.getRequestMethod();
        Map<String, String> q = FakeHttp.query(ex);
        if (rest.isEmpty()) {
            if (method.equals("GET")) {
                list(ex, q);
            } else if (method.equals("POST")) {
                JsonNode meta = FakeHttp.JSON.readTree(ex.getRequestBody());
                String parent = meta.path("parents").path(0).asText("root");
                if (!files.containsKey(parent)) {
                    error(ex, 404, "notFound");
                    return;
                }
                String id = "x" + UUID.randomUUID().toString().replace("-", "");
                DFile f = new DFile(id, meta.path("name").asText("Untitled"),
                        meta.path("mimeType").asText("application/octet-stream"), parent);
                files.put(id, f);
                json(ex, 200, fileJson(f));
            } else {
                error(ex, 405, "badRequest");
            }
            return;
        }
        String id = rest.substring(1);
        DFile f = files.get(id);
        if (f == null) {
            error(ex, 404, "notFound");
            return;
        }
        switch (method) {
            case "GET" -> {
                if ("media".equals(q.get("alt"))) {
                    FakeHttp.file(ex, f.content, downloadedBytes); // no content yet: an empty file
                } else {
                    json(ex, 200, fileJson(f));
                }
            }
            case "DELETE" -> {
                deleteTree(id);
                FakeHttp.send(ex, 204, new byte[0], null);
            }
            default -> error(ex, 405, "badRequest");
        }
    }

    private void deleteTree(String id) {
        for (DFile child : List.copyOf(files.values())) {
            if (id.equals(child.parent)) {
                deleteTree(child.id);
            }
        }
        files.remove(id);
    }

    private static final Pattern QUOTED = Pattern.compile("'((?:[^'\\\\]|\\\\.)*)'");

    private static String unquote(String s) {
        return s.replace("\\'", "'").replace("\\\\", "\\");
    }

    /** Parses the q clauses the driver uses into one predicate. */
    static Predicate<DFile> parseQuery(String q) {
        Predicate<DFile> p = f -> true;
        for (String clause : q.split(" and (?=(?:[^']*'[^']*')*[^']*$)")) {
            String c = clause.trim();
            Matcher m = QUOTED.matcher(c);
            String value = m.find() ? unquote(m.group(1)) : null;
            if (c.endsWith(" in parents")) {
                p = p.and(f -> value.equals(f.parent));
            } else if (c.startsWith("name =")) {
                p = p.and(f -> f.name.equals(value));
            } else if (c.startsWith("mimeType !=")) {
                p = p.and(f -> !f.mimeType.equals(value));
            } else if (c.startsWith("mimeType =")) {
                p = p.and(f -> f.mimeType.equals(value));
            } else if (c.equals("trashed = false")) {
                p = p.and(f -> true);
            } else {
                throw new IllegalArgumentException("unsupported q clause: " + c);
            }
        }
        return p;
    }

    private void list(HttpExchange ex, Map<String, String> q) throws IOException {
        Predicate<DFile> filter;
        try {
            filter = parseQuery(q.getOrDefault("q", ""));
        } catch (IllegalArgumentException e) {
            error(ex, 400, "invalidQuery");
            return;
        }
        List<DFile> all = files.values().stream().filter(f -> !f.id.equals("root")).filter(filter)
                .sorted(Comparator.comparing((DFile f) -> f.name).thenComparing(f -> f.id)).toList();
        int size = Math.min(Integer.parseInt(q.getOrDefault("pageSize", "100")), maxPageSize);
        int from = Integer.parseInt(q.getOrDefault("pageToken", "0"));
        ObjectNode page = FakeHttp.JSON.createObjectNode();
        ArrayNode arr = page.putArray("files");
        all.subList(Math.min(from, all.size()), Math.min(from + size, all.size())).forEach(f -> arr.add(fileJson(f)));
        if (from + size < all.size()) {
            page.put("nextPageToken", Integer.toString(from + size));
        }
        json(ex, 200, page);
    }

    private void upload(HttpExchange ex, String rest) throws IOException {
        Map<String, String> q = FakeHttp.query(ex);
        if (!"resumable".equals(q.get("uploadType"))) {
            error(ex, 400, "badRequest");
            return;
        }
        String method = ex.getRequestMethod();
        if (method.equals("POST") || method.equals("PATCH")) {
            byte[] body = ex.getRequestBody().readAllBytes();
            JsonNode meta = FakeHttp.JSON.readTree(body.length == 0 ? new byte[] {'{', '}'} : body);
            String fileId = null;
            String name;
            String parent;
            if (method.equals("PATCH")) {
                fileId = rest.substring(1);
                DFile f = files.get(fileId);
                if (f == null) {
                    error(ex, 404, "notFound");
                    return;
                }
                name = f.name;
                parent = f.parent;
            } else {
                name = meta.path("name").asText("Untitled");
                parent = meta.path("parents").path(0).asText("root");
                if (!files.containsKey(parent)) {
                    error(ex, 404, "notFound");
                    return;
                }
            }
            String sid = UUID.randomUUID().toString().replace("-", "");
            sessions.put(sid, new Session(fileId, name, parent, Files.createTempFile(storage, "upload-", ".part")));
            ex.getResponseHeaders().set("Location", baseUrl() + "/upload/drive/v3/files?uploadType=resumable&upload_id=" + sid);
            FakeHttp.send(ex, 200, new byte[0], null);
            return;
        }
        if (!method.equals("PUT")) {
            error(ex, 405, "badRequest");
            return;
        }
        Session s = sessions.get(q.getOrDefault("upload_id", ""));
        if (s == null) {
            error(ex, 404, "notFound");
            return;
        }
        chunk(ex, q.get("upload_id"), s);
    }

    private void chunk(HttpExchange ex, String sid, Session s) throws IOException {
        long[] range = FakeHttp.contentRange(ex.getRequestHeaders().getFirst("Content-Range"));
        String lengthHeader = ex.getRequestHeaders().getFirst("Content-Length");
        long length = lengthHeader == null ? 0 : Long.parseLong(lengthHeader);
        synchronized (s) {
            if (range == null) {
                error(ex, 400, "badContentRange");
                return;
            }
            if (range[0] < 0) { // "bytes */*" or "bytes */total": status query, or the end of an empty upload
                statusQueries.incrementAndGet();
                if (range[2] >= 0 && range[2] == s.received) {
                    complete(ex, sid, s);
                } else {
                    incomplete(ex, s);
                }
                return;
            }
            if (range[1] - range[0] + 1 != length || range[0] != s.received) {
                error(ex, 400, "badContentRange");
                return;
            }
            boolean last = range[2] >= 0 && range[1] + 1 == range[2];
            if (!last && (range[1] + 1) % CHUNK_UNIT != 0) {
                error(ex, 400, "badContentRange"); // non-final chunks end on a 256 KiB boundary
                return;
            }
            int n = chunks.incrementAndGet();
            onChunk.accept(n);
            Fault partial = faults.take("chunk-partial");
            long keep = partial == null ? length : (long) (length * partial.acceptFraction()) / CHUNK_UNIT * CHUNK_UNIT;
            try (InputStream in = ex.getRequestBody();
                    OutputStream out = Files.newOutputStream(s.file, StandardOpenOption.APPEND)) {
                byte[] buf = new byte[64 * 1024];
                long stored = 0;
                int r;
                while ((r = in.read(buf)) >= 0) {
                    int w = (int) Math.max(0, Math.min(r, keep - stored));
                    out.write(buf, 0, w);
                    stored += w;
                }
                s.received += stored;
            }
            if (partial != null) {
                error(ex, 503, "backendError");
                return;
            }
            if (last) {
                complete(ex, sid, s);
            } else {
                incomplete(ex, s);
            }
        }
    }

    private void incomplete(HttpExchange ex, Session s) throws IOException {
        if (s.received > 0) {
            ex.getResponseHeaders().set("Range", "bytes=0-" + (s.received - 1));
        }
        FakeHttp.send(ex, 308, new byte[0], null);
    }

    private void complete(HttpExchange ex, String sid, Session s) throws IOException {
        sessions.remove(sid);
        DFile f;
        if (s.fileId != null) {
            f = files.get(s.fileId);
        } else {
            String id = "x" + UUID.randomUUID().toString().replace("-", "");
            f = new DFile(id, s.name, "application/octet-stream", s.parent);
        }
        Path content = storage.resolve("content-" + f.id + "-" + UUID.randomUUID());
        Files.move(s.file, content, StandardCopyOption.ATOMIC_MOVE);
        Path old = f.content;
        f.content = content;
        f.size = s.received;
        f.modified = Instant.now();
        files.put(f.id, f);
        if (old != null) {
            Files.deleteIfExists(old);
        }
        json(ex, 200, fileJson(f));
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
