package io.ocore.backups.platform.storage.gdrive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.Capabilities;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.Keys;
import io.ocore.backups.platform.storage.Probe;
import io.ocore.backups.platform.storage.ProbeResult;
import io.ocore.backups.platform.storage.RetryPolicy;
import io.ocore.backups.platform.storage.StorageException;
import io.ocore.backups.platform.storage.StorageException.Kind;
import io.ocore.backups.platform.storage.StorageOptions;
import io.ocore.backups.platform.storage.StoredObject;
import io.ocore.backups.platform.storage.UploadSource;
import io.ocore.backups.platform.storage.oauth.ApiClient;
import io.ocore.backups.platform.storage.oauth.OAuthTokens;
import io.ocore.backups.platform.storage.oauth.RangedDownloads;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Google Drive v3. Drive has no paths: each key's folders map to nested folders (found by name
 * under their parent, created when missing) below {@code folderId}, and the object is the file of
 * that name in the last one. Uploads are resumable sessions fed in 8 MiB chunks (multiples of
 * 256 KiB) of a stream of unknown length ("bytes a-b/*" until the last chunk names the total);
 * after a failure the session is asked what it holds ("bytes *&#47;*", 308 + Range) and the
 * upload resumes from there. Overwriting uploads a new revision of the existing file.
 */
public final class GoogleDriveStorage implements BackupStorage {

    private static final Logger LOG = Logger.getLogger(GoogleDriveStorage.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SERVICE = "Google Drive service";
    static final String FOLDER_MIME = "application/vnd.google-apps.folder";
    static final int CHUNK_UNIT = 256 * 1024;
    static final int DEFAULT_CHUNK = 32 * CHUNK_UNIT;
    private static final int MAX_CHUNK_FAILURES = 8;

    private final GoogleDriveConfig config;
    private final ApiClient api;
    private final String files;
    private final String uploads;
    private final int chunkSize;
    private final Map<String, String> folderIds = new ConcurrentHashMap<>();
    private final Object folderLock = new Object();
    private volatile boolean rootChecked;

    public GoogleDriveStorage(GoogleDriveConfig config, StorageOptions options) {
        this.config = config;
        var http = ApiClient.newHttpClient(options.connectTimeout());
        OAuthTokens tokens = new OAuthTokens(http, options.googleTokenUrl(), config.clientId(), config.clientSecret(),
                config.refreshToken(), null, "Google", options.credentialListener(), options.requestTimeout());
        this.api = new ApiClient(http, tokens, SERVICE, new RetryPolicy(6, Duration.ofMillis(250), Duration.ofSeconds(30)),
                options.maxRetryAfter(), options.requestTimeout());
        String base = options.driveBaseUrl().toString();
        base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.files = base + "/drive/v3/files";
        this.uploads = base + "/upload/drive/v3/files";
        int requested = options.uploadChunkBytes() > 0 ? options.uploadChunkBytes() : DEFAULT_CHUNK;
        this.chunkSize = Math.max(CHUNK_UNIT, requested / CHUNK_UNIT * CHUNK_UNIT);
        folderIds.put("", config.folderId());
    }

    private static String q(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private JsonNode getJson(String url, String what, String key) {
        URI uri = URI.create(url);
        HttpResponse<byte[]> r = api.send(() -> HttpRequest.newBuilder(uri).GET(), HttpResponse.BodyHandlers.ofByteArray(),
                true, true);
        if (r.statusCode() != 200) {
            throw failure(r.statusCode(), r.body(), what, key);
        }
        return json(r.body());
    }

    /** Children of {@code parentId} matching the extra query, all pages. */
    private List<JsonNode> children(String parentId, String extraQuery, String what, String key) {
        List<JsonNode> out = new ArrayList<>();
        String query = q(parentId) + " in parents and trashed = false" + (extraQuery == null ? "" : " and " + extraQuery);
        String pageToken = null;
        do {
            String url = files + "?q=" + enc(query) + "&pageSize=1000&spaces=drive"
                    + "&fields=" + enc("nextPageToken,files(id,name,mimeType,size,modifiedTime)")
                    + (pageToken == null ? "" : "&pageToken=" + enc(pageToken));
            JsonNode page = getJson(url, what, key);
            page.path("files").forEach(out::add);
            pageToken = page.path("nextPageToken").asText(null);
        } while (pageToken != null && !pageToken.isEmpty());
        return out;
    }

    private void checkRoot() {
        if (rootChecked) {
            return;
        }
        URI uri = URI.create(files + "/" + enc(config.folderId()) + "?fields=" + enc("id,mimeType,trashed"));
        HttpResponse<byte[]> r = api.send(() -> HttpRequest.newBuilder(uri).GET(), HttpResponse.BodyHandlers.ofByteArray(),
                true, true);
        if (r.statusCode() == 404 || (r.statusCode() == 200 && (!FOLDER_MIME.equals(json(r.body()).path("mimeType").asText())
                || json(r.body()).path("trashed").asBoolean()))) {
            throw new StorageException(Kind.CONTAINER_MISSING, "The Google Drive folder '" + config.folderId()
                    + "' does not exist, is not a folder or is in the trash.");
        }
        if (r.statusCode() != 200) {
            throw failure(r.statusCode(), r.body(), "open the folder", config.folderId());
        }
        rootChecked = true;
    }

    /** The Drive ID of the folder for a relative folder path, creating missing folders if asked; else null. */
    private String folderId(String folder, boolean create) {
        checkRoot();
        String known = folderIds.get(folder);
        if (known != null) {
            return known;
        }
        synchronized (folderLock) {
            // serialized: Drive allows two folders of one name, so concurrent creators must not race
            String parentPath = Keys.folderOf(folder);
            String parent = folderId(parentPath, create);
            if (parent == null) {
                return null;
            }
            String name = folder.substring(parentPath.isEmpty() ? 0 : parentPath.length() + 1);
            List<JsonNode> found = children(parent, "name = " + q(name) + " and mimeType = " + q(FOLDER_MIME),
                    "list", folder);
            String id;
            if (!found.isEmpty()) {
                id = found.get(0).path("id").asText();
            } else if (create) {
                ObjectNode meta = JSON.createObjectNode().put("name", name).put("mimeType", FOLDER_MIME);
                meta.putArray("parents").add(parent);
                byte[] body = meta.toString().getBytes(StandardCharsets.UTF_8);
                URI uri = URI.create(files + "?fields=id");
                HttpResponse<byte[]> r = api.send(() -> HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/json; charset=UTF-8")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)), HttpResponse.BodyHandlers.ofByteArray(),
                        true, true);
                if (r.statusCode() != 200) {
                    throw failure(r.statusCode(), r.body(), "create the folder", folder);
                }
                id = json(r.body()).path("id").asText();
            } else {
                return null;
            }
            folderIds.put(folder, id);
            return id;
        }
    }

    private List<String> fileIds(String parentId, String name, String key) {
        return children(parentId, "name = " + q(name) + " and mimeType != " + q(FOLDER_MIME), "find", key).stream()
                .map(n -> n.path("id").asText()).toList();
    }

    private static String nameOf(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    @Override
    public StoredObject put(String key, InputStream data) {
        Keys.check(key);
        UploadSource in = new UploadSource(data);
        String parent = folderId(Keys.folderOf(key), true);
        String name = nameOf(key);
        List<String> existing = fileIds(parent, name, key);
        URI session = startSession(key, parent, name, existing.isEmpty() ? null : existing.get(0));
        byte[] buf = new byte[chunkSize];
        long offset = 0;
        int pending = -1;
        while (true) {
            int len = 0;
            if (pending >= 0) {
                buf[0] = (byte) pending;
                len = 1;
            }
            len += in.readFully(buf, len, chunkSize - len);
            boolean last = len < chunkSize;
            if (!last) {
                pending = in.read();
                last = pending < 0;
            }
            long total = last ? offset + len : -1;
            sendChunk(session, key, buf, offset, len, total);
            offset += len;
            if (last) {
                return new StoredObject(key, offset);
            }
        }
    }

    private URI startSession(String key, String parent, String name, String existingId) {
        ObjectNode meta = JSON.createObjectNode();
        URI uri;
        String method;
        if (existingId == null) {
            meta.put("name", name).putArray("parents").add(parent);
            uri = URI.create(uploads + "?uploadType=resumable&fields=" + enc("id,name,size"));
            method = "POST";
        } else {
            uri = URI.create(uploads + "/" + enc(existingId) + "?uploadType=resumable&fields=" + enc("id,name,size"));
            method = "PATCH";
        }
        byte[] body = meta.toString().getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> r = api.send(() -> HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json; charset=UTF-8")
                .header("X-Upload-Content-Type", "application/octet-stream")
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body)), HttpResponse.BodyHandlers.ofByteArray(),
                true, true);
        if (r.statusCode() != 200 || r.headers().firstValue("Location").isEmpty()) {
            throw failure(r.statusCode(), r.body(), "write", key);
        }
        return uri.resolve(r.headers().firstValue("Location").get());
    }

    /** Sends bytes [offset, offset+len) of the upload, resuming as often as the session allows. */
    private void sendChunk(URI session, String key, byte[] buf, long offset, int len, long total) {
        long acked = offset;
        int failures = 0;
        String totalText = total < 0 ? "*" : Long.toString(total);
        while (true) {
            int from = (int) (acked - offset);
            int count = len - from;
            String range = count == 0 ? "bytes */" + totalText
                    : "bytes " + acked + "-" + (acked + count - 1) + "/" + totalText;
            HttpResponse<byte[]> r;
            try {
                r = api.send(() -> HttpRequest.newBuilder(session).header("Content-Range", range)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(buf, from, count)),
                        HttpResponse.BodyHandlers.ofByteArray(), true, false);
            } catch (StorageException e) {
                if ((!e.kind().isRetryable() && e.kind() != Kind.TIMEOUT) || ++failures > MAX_CHUNK_FAILURES) {
                    throw e;
                }
                acked = resumePoint(session, key, offset, total, failures);
                if (acked < 0) {
                    return;
                }
                continue;
            }
            int status = r.statusCode();
            if (status == 200 || status == 201) {
                return;
            }
            if (status == 308) {
                acked = rangeEnd(r);
                if (acked < offset) {
                    throw new StorageException(Kind.TRANSIENT, "Google Drive lost part of the upload; it must start over.");
                }
                if (acked >= offset + len && total < 0) {
                    return;
                }
                continue;
            }
            if ((status >= 500 || status == 429) && ++failures <= MAX_CHUNK_FAILURES) {
                LOG.debugf("Drive chunk %s answered %d; asking the session where to resume", range, status);
                acked = resumePoint(session, key, offset, total, failures);
                if (acked < 0) {
                    return;
                }
                continue;
            }
            throw failure(status, r.body(), "write", key);
        }
    }

    /** Asks the session how much it holds; -1 when the upload turns out complete. */
    private long resumePoint(URI session, String key, long offset, long total, int failures) {
        ApiClient.pause(new RetryPolicy(MAX_CHUNK_FAILURES, Duration.ofMillis(200), Duration.ofSeconds(10))
                .delayAfter(failures));
        String range = "bytes */" + (total < 0 ? "*" : Long.toString(total));
        HttpResponse<byte[]> r = api.send(() -> HttpRequest.newBuilder(session).header("Content-Range", range)
                .PUT(HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.ofByteArray(), true, true);
        if (r.statusCode() == 200 || r.statusCode() == 201) {
            return -1;
        }
        if (r.statusCode() == 308) {
            long acked = rangeEnd(r);
            if (acked < offset) {
                throw new StorageException(Kind.TRANSIENT, "Google Drive lost part of the upload; it must start over.");
            }
            return acked;
        }
        if (r.statusCode() == 404 || r.statusCode() == 410) {
            throw new StorageException(Kind.TRANSIENT, "The Google Drive upload session expired; the upload must start over.");
        }
        throw failure(r.statusCode(), r.body(), "write", key);
    }

    /** Bytes the session holds, from {@code Range: bytes=0-N}; no Range header means none. */
    private static long rangeEnd(HttpResponse<?> r) {
        return r.headers().firstValue("Range").map(v -> {
            int dash = v.lastIndexOf('-');
            return Long.parseLong(v.substring(dash + 1).trim()) + 1;
        }).orElse(0L);
    }

    @Override
    public InputStream get(String key) {
        return download(key, 0, RangedDownloads.WHOLE);
    }

    /** {@code alt=media} with {@code Range} (Drive's partial download); length 0 still asks whether the key exists. */
    @Override
    public InputStream get(String key, long offset, long length) {
        BackupStorage.checkRange(offset, length);
        if (length == 0) {
            InputStream probe = download(key, offset, 1);
            try {
                probe.close();
            } catch (IOException ignored) {
                // only whether the key exists mattered
            }
            return InputStream.nullInputStream();
        }
        return download(key, offset, length);
    }

    private InputStream download(String key, long offset, long length) {
        Keys.check(key);
        String parent = folderId(Keys.folderOf(key), false);
        List<String> ids = parent == null ? List.of() : fileIds(parent, nameOf(key), key);
        if (ids.isEmpty()) {
            throw StorageException.notFound(key);
        }
        URI uri = URI.create(files + "/" + enc(ids.get(0)) + "?alt=media");
        HttpResponse<InputStream> r = api.send(() -> RangedDownloads.range(HttpRequest.newBuilder(uri).GET(), offset, length),
                HttpResponse.BodyHandlers.ofInputStream(), true, true);
        InputStream media = RangedDownloads.body(r, offset, length, SERVICE);
        if (media != null) {
            return media;
        }
        byte[] body;
        try (InputStream in = r.body()) {
            body = in.readNBytes(64 * 1024);
        } catch (IOException e) {
            body = new byte[0];
        }
        if (r.statusCode() == 404) {
            throw StorageException.notFound(key);
        }
        throw failure(r.statusCode(), body, "read", key);
    }

    @Override
    public List<StoredObject> list(String prefix) {
        String pre = Keys.checkPrefix(prefix);
        String start = Keys.folderOf(pre);
        String startId = folderId(start, false);
        List<StoredObject> out = new ArrayList<>();
        if (startId == null) {
            return out;
        }
        Deque<String[]> todo = new ArrayDeque<>();
        todo.add(new String[] {start, startId});
        while (!todo.isEmpty()) {
            String[] folder = todo.poll();
            for (JsonNode child : children(folder[1], null, "list", pre)) {
                String name = child.path("name").asText();
                String key = folder[0].isEmpty() ? name : folder[0] + "/" + name;
                if (FOLDER_MIME.equals(child.path("mimeType").asText())) {
                    if ((key + "/").startsWith(pre) || pre.startsWith(key + "/")) {
                        folderIds.putIfAbsent(key, child.path("id").asText());
                        todo.add(new String[] {key, child.path("id").asText()});
                    }
                } else if (key.startsWith(pre)) {
                    String modified = child.path("modifiedTime").asText(null);
                    out.add(new StoredObject(key, child.path("size").asLong(),
                            modified == null ? null : Instant.parse(modified)));
                }
            }
        }
        out.sort(Comparator.comparing(StoredObject::key));
        return out;
    }

    @Override
    public void delete(String key) {
        Keys.check(key);
        String parent = folderId(Keys.folderOf(key), false);
        if (parent == null) {
            return;
        }
        for (String id : fileIds(parent, nameOf(key), key)) {
            URI uri = URI.create(files + "/" + enc(id));
            HttpResponse<byte[]> r = api.send(() -> HttpRequest.newBuilder(uri).DELETE(),
                    HttpResponse.BodyHandlers.ofByteArray(), true, true);
            if (r.statusCode() != 204 && r.statusCode() != 200 && r.statusCode() != 404) {
                throw failure(r.statusCode(), r.body(), "delete", key);
            }
        }
    }

    @Override
    public ProbeResult probe() {
        return Probe.run(this, Map::of);
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, true, false, true, 5L * 1024 * 1024 * 1024 * 1024);
    }

    @Override
    public DestinationType type() {
        return DestinationType.gdrive;
    }

    @Override
    public void close() {
        api.http().close();
    }

    private static JsonNode json(byte[] body) {
        try {
            return JSON.readTree(body == null || body.length == 0 ? new byte[] {'{', '}'} : body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    /** Plain words for a Drive error answer: the reason code, never the server's message text. */
    private StorageException failure(int status, byte[] body, String what, String key) {
        JsonNode error = json(body).path("error");
        String reason = error.path("errors").path(0).path("reason").asText(error.path("status").asText(""));
        String suffix = " (HTTP " + status + (reason.isEmpty() ? "" : ", " + reason) + ").";
        if (reason.equals("rateLimitExceeded") || reason.equals("userRateLimitExceeded")) {
            return new StorageException(Kind.TRANSIENT, "Google Drive asks to slow down" + suffix);
        }
        if (reason.equals("storageQuotaExceeded")) {
            return new StorageException(Kind.PERMANENT, "The Google Drive is full" + suffix);
        }
        return switch (status) {
            case 401 -> new StorageException(Kind.AUTHENTICATION,
                    "Google rejected the sign-in even after refreshing it; connect the destination again" + suffix);
            case 403 -> new StorageException(Kind.PERMISSION,
                    "The Google account may not " + what + " '" + key + "' in this folder" + suffix);
            case 404 -> new StorageException(Kind.NOT_FOUND, "'" + key + "' was not found in Google Drive" + suffix);
            case 408, 429, 500, 502, 503, 504 -> new StorageException(Kind.TRANSIENT,
                    "Google Drive is busy or failed temporarily" + suffix);
            default -> new StorageException(status >= 500 ? Kind.TRANSIENT : Kind.PERMANENT,
                    "Google Drive refused to " + what + " '" + key + "'" + suffix);
        };
    }
}
