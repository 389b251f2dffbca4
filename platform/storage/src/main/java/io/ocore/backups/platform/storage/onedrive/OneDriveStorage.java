package io.ocore.backups.platform.storage.onedrive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.ocore.backups.platform.storage.oauth.HttpFailures;
import io.ocore.backups.platform.storage.oauth.OAuthTokens;
import io.ocore.backups.platform.storage.oauth.RangedDownloads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * OneDrive / SharePoint document libraries through Microsoft Graph v1.0, addressed by path under
 * {@code folderPath}. Graph needs the total size for upload sessions, so a stream of unknown
 * length is spooled to a local temporary file first; then small files go up in one PUT and
 * larger ones through an upload session in 10 MiB chunks (multiples of 320 KiB), resuming from
 * the session's nextExpectedRanges after a failed chunk.
 */
public final class OneDriveStorage implements BackupStorage {

    private static final Logger LOG = Logger.getLogger(OneDriveStorage.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SERVICE = "Microsoft Graph service";
    static final int CHUNK_UNIT = 320 * 1024;
    static final int DEFAULT_CHUNK = 32 * CHUNK_UNIT;
    static final long SIMPLE_UPLOAD_LIMIT = 4L * 1024 * 1024;
    private static final int MAX_CHUNK_FAILURES = 8;

    private final OneDriveConfig config;
    private final StorageOptions options;
    private final ApiClient api;
    private final String driveRoot;
    private final int chunkSize;

    public OneDriveStorage(OneDriveConfig config, StorageOptions options) {
        this.config = config;
        this.options = options;
        var http = ApiClient.newHttpClient(options.connectTimeout());
        URI tokenUrl = URI.create(stripSlash(options.microsoftAuthority().toString()) + "/"
                + URLEncoder.encode(config.tenant(), StandardCharsets.UTF_8) + "/oauth2/v2.0/token");
        OAuthTokens tokens = new OAuthTokens(http, tokenUrl, config.clientId(), config.clientSecret(),
                config.refreshToken(), "https://graph.microsoft.com/.default offline_access", "Microsoft",
                options.credentialListener(), options.requestTimeout());
        this.api = new ApiClient(http, tokens, SERVICE, new RetryPolicy(6, Duration.ofMillis(250), Duration.ofSeconds(30)),
                options.maxRetryAfter(), options.requestTimeout());
        String base = stripSlash(options.graphBaseUrl().toString());
        this.driveRoot = base + (config.driveId() == null ? "/me/drive" : "/drives/" + enc(config.driveId()));
        int requested = options.uploadChunkBytes() > 0 ? options.uploadChunkBytes() : DEFAULT_CHUNK;
        this.chunkSize = Math.max(CHUNK_UNIT, requested / CHUNK_UNIT * CHUNK_UNIT);
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static String enc(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String encPath(String path) {
        return java.util.Arrays.stream(path.split("/")).map(OneDriveStorage::enc).collect(Collectors.joining("/"));
    }

    /** {@code .../root:/folder/key:} or {@code .../root} for the drive root. */
    private String item(String relative) {
        String full = Keys.join(config.folderPath(), relative);
        return full.isEmpty() ? driveRoot + "/root" : driveRoot + "/root:/" + encPath(full) + ":";
    }

    @Override
    public StoredObject put(String key, InputStream data) {
        Keys.check(key);
        Path spool = null;
        try {
            spool = Files.createTempFile(options.spoolDirectory(), "ocore-onedrive-", ".spool");
            long size;
            try (OutputStream out = Files.newOutputStream(spool)) {
                size = new UploadSource(data).transferTo(out);
            }
            if (size <= SIMPLE_UPLOAD_LIMIT) {
                simpleUpload(key, spool);
            } else {
                sessionUpload(key, spool, size);
            }
            return new StoredObject(key, size);
        } catch (IOException e) {
            throw new StorageException(Kind.PERMANENT, "Could not spool the upload to a temporary file in "
                    + options.spoolDirectory() + " (" + e.getClass().getSimpleName() + ").", e);
        } finally {
            if (spool != null) {
                try {
                    Files.deleteIfExists(spool);
                } catch (IOException ignored) {
                    // temp dir cleanup
                }
            }
        }
    }

    private void simpleUpload(String key, Path file) {
        URI uri = URI.create(item(key) + "/content?@microsoft.graph.conflictBehavior=replace");
        HttpResponse<byte[]> r = api.send(() -> {
            try {
                return HttpRequest.newBuilder(uri).header("Content-Type", "application/octet-stream")
                        .PUT(HttpRequest.BodyPublishers.ofFile(file));
            } catch (IOException e) {
                throw new StorageException(Kind.PERMANENT, "The spooled upload disappeared.", e);
            }
        }, HttpResponse.BodyHandlers.ofByteArray(), true, true);
        if (r.statusCode() != 200 && r.statusCode() != 201) {
            throw failure(r.statusCode(), r.body(), "write", key, true);
        }
    }

    private void sessionUpload(String key, Path file, long size) {
        URI create = URI.create(item(key) + "/createUploadSession");
        byte[] body = "{\"item\":{\"@microsoft.graph.conflictBehavior\":\"replace\"}}".getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> r = api.send(() -> HttpRequest.newBuilder(create).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)), HttpResponse.BodyHandlers.ofByteArray(), true, true);
        if (r.statusCode() != 200) {
            throw failure(r.statusCode(), r.body(), "write", key, true);
        }
        URI uploadUrl = URI.create(json(r.body()).path("uploadUrl").asText());
        boolean done = false;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            byte[] chunk = new byte[(int) Math.min(chunkSize, size)];
            long offset = 0;
            int failures = 0;
            while (!done) {
                int len = (int) Math.min(chunkSize, size - offset);
                raf.seek(offset);
                raf.readFully(chunk, 0, len);
                String range = "bytes " + offset + "-" + (offset + len - 1) + "/" + size;
                final int length = len;
                HttpResponse<byte[]> cr;
                try {
                    // the upload URL is pre-authenticated: no Authorization header (Graph documents this)
                    cr = api.send(() -> HttpRequest.newBuilder(uploadUrl).header("Content-Range", range)
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(chunk, 0, length)),
                            HttpResponse.BodyHandlers.ofByteArray(), false, false);
                } catch (StorageException e) {
                    if (!e.kind().isRetryable() && e.kind() != Kind.TIMEOUT || ++failures > MAX_CHUNK_FAILURES) {
                        throw e;
                    }
                    offset = nextExpected(uploadUrl, offset, failures);
                    continue;
                }
                int status = cr.statusCode();
                if (status == 200 || status == 201) {
                    done = true;
                } else if (status == 202) {
                    offset = firstExpected(json(cr.body()), offset + len);
                } else if ((status >= 500 || status == 429 || status == 416) && ++failures <= MAX_CHUNK_FAILURES) {
                    LOG.debugf("OneDrive chunk %s answered %d; asking the session where to resume", range, status);
                    offset = nextExpected(uploadUrl, offset, failures);
                } else {
                    throw failure(status, cr.body(), "write", key, true);
                }
            }
        } catch (IOException e) {
            throw new StorageException(Kind.PERMANENT, "Could not read the spooled upload.", e);
        } finally {
            if (!done) {
                cancel(uploadUrl);
            }
        }
    }

    /** Asks the upload session which bytes it still expects (after a failed or unanswered chunk). */
    private long nextExpected(URI uploadUrl, long fallback, int failures) {
        ApiClient.pause(new RetryPolicy(MAX_CHUNK_FAILURES, Duration.ofMillis(200), Duration.ofSeconds(10))
                .delayAfter(failures));
        HttpResponse<byte[]> r = api.send(() -> HttpRequest.newBuilder(uploadUrl).GET(),
                HttpResponse.BodyHandlers.ofByteArray(), false, true);
        if (r.statusCode() == 404) {
            throw new StorageException(Kind.TRANSIENT, "The OneDrive upload session expired; the upload must start over.");
        }
        if (r.statusCode() != 200) {
            throw failure(r.statusCode(), r.body(), "write", "upload session", true);
        }
        return firstExpected(json(r.body()), fallback);
    }

    private static long firstExpected(JsonNode session, long fallback) {
        JsonNode ranges = session.path("nextExpectedRanges");
        if (ranges.isArray() && !ranges.isEmpty()) {
            String first = ranges.get(0).asText();
            int dash = first.indexOf('-');
            return Long.parseLong(dash < 0 ? first : first.substring(0, dash));
        }
        return fallback;
    }

    private void cancel(URI uploadUrl) {
        try {
            api.send(() -> HttpRequest.newBuilder(uploadUrl).DELETE(), HttpResponse.BodyHandlers.discarding(), false, false);
        } catch (RuntimeException e) {
            LOG.debugf("Could not cancel a OneDrive upload session: %s", e.getMessage());
        }
    }

    @Override
    public InputStream get(String key) {
        return download(key, 0, RangedDownloads.WHOLE);
    }

    /** A download with {@code Range} (Graph's partial download); length 0 still asks whether the key exists. */
    @Override
    public InputStream get(String key, long offset, long length) {
        BackupStorage.checkRange(offset, length);
        if (length == 0) {
            closeQuietly(download(key, offset, 1));
            return InputStream.nullInputStream();
        }
        return download(key, offset, length);
    }

    private InputStream download(String key, long offset, long length) {
        URI uri = URI.create(item(Keys.check(key)) + "/content");
        HttpResponse<InputStream> r = api.send(() -> RangedDownloads.range(HttpRequest.newBuilder(uri).GET(), offset, length),
                HttpResponse.BodyHandlers.ofInputStream(), true, true);
        int status = r.statusCode();
        if (status == 302 || status == 301 || status == 303 || status == 307) {
            closeQuietly(r.body());
            URI location = uri.resolve(r.headers().firstValue("Location").orElseThrow(() ->
                    new StorageException(Kind.PERMANENT, "Microsoft Graph redirected the download nowhere.")));
            // the download URL is pre-authenticated and may be another host: never send the token there
            r = api.send(() -> RangedDownloads.range(HttpRequest.newBuilder(location).GET(), offset, length),
                    HttpResponse.BodyHandlers.ofInputStream(), false, true);
            status = r.statusCode();
        }
        InputStream body = RangedDownloads.body(r, offset, length, SERVICE);
        if (body != null) {
            return body;
        }
        byte[] error = readQuietly(r.body());
        throw failure(status, error, "read", key, false);
    }

    @Override
    public List<StoredObject> list(String prefix) {
        String pre = Keys.checkPrefix(prefix);
        List<StoredObject> out = new ArrayList<>();
        Deque<String> folders = new ArrayDeque<>();
        folders.add(Keys.folderOf(pre));
        while (!folders.isEmpty()) {
            String folder = folders.poll();
            String next = item(folder) + "/children?$top=200&$select=name,size,lastModifiedDateTime,folder,file";
            while (next != null) {
                URI uri = URI.create(next);
                HttpResponse<byte[]> r = api.send(() -> HttpRequest.newBuilder(uri).GET(),
                        HttpResponse.BodyHandlers.ofByteArray(), true, true);
                if (r.statusCode() == 404) {
                    break;
                }
                if (r.statusCode() != 200) {
                    throw failure(r.statusCode(), r.body(), "list", pre, true);
                }
                JsonNode page = json(r.body());
                for (JsonNode child : page.path("value")) {
                    String name = child.path("name").asText();
                    String key = folder.isEmpty() ? name : folder + "/" + name;
                    if (child.has("folder")) {
                        if ((key + "/").startsWith(pre) || pre.startsWith(key + "/")) {
                            folders.add(key);
                        }
                    } else if (key.startsWith(pre)) {
                        String modified = child.path("lastModifiedDateTime").asText(null);
                        out.add(new StoredObject(key, child.path("size").asLong(),
                                modified == null ? null : Instant.parse(modified)));
                    }
                }
                next = page.path("@odata.nextLink").asText(null);
            }
        }
        out.sort(Comparator.comparing(StoredObject::key));
        return out;
    }

    @Override
    public void delete(String key) {
        URI uri = URI.create(item(Keys.check(key)));
        HttpResponse<byte[]> r = api.send(() -> HttpRequest.newBuilder(uri).DELETE(),
                HttpResponse.BodyHandlers.ofByteArray(), true, true);
        if (r.statusCode() != 204 && r.statusCode() != 200 && r.statusCode() != 404) {
            throw failure(r.statusCode(), r.body(), "delete", key, false);
        }
    }

    @Override
    public ProbeResult probe() {
        return Probe.run(this, Map::of);
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, true, true, true, 250L * 1024 * 1024 * 1024);
    }

    @Override
    public DestinationType type() {
        return DestinationType.onedrive;
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

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // discarded
        }
    }

    private static byte[] readQuietly(InputStream in) {
        try (in) {
            return in.readNBytes(64 * 1024);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** Plain words for a Graph error answer; the error code, never the server's message text. */
    private StorageException failure(int status, byte[] body, String what, String key, boolean notFoundIsContainer) {
        String code = json(body).path("error").path("code").asText("");
        String suffix = " (HTTP " + status + (code.isEmpty() ? "" : ", " + code) + ").";
        return switch (status) {
            case 401 -> new StorageException(Kind.AUTHENTICATION,
                    "Microsoft Graph rejected the sign-in even after refreshing it; connect the destination again" + suffix);
            case 403 -> new StorageException(Kind.PERMISSION,
                    "The Microsoft account may not " + what + " '" + key + "' in this drive" + suffix);
            case 404 -> notFoundIsContainer
                    ? new StorageException(Kind.CONTAINER_MISSING, "The OneDrive drive or folder '"
                            + config.folderPath() + "' could not be found" + suffix)
                    : StorageException.notFound(key);
            case 507 -> new StorageException(Kind.PERMANENT, "The OneDrive is full" + suffix);
            case 408, 429, 500, 502, 503, 504 -> new StorageException(Kind.TRANSIENT,
                    "Microsoft Graph is busy or failed temporarily" + suffix);
            default -> new StorageException(status >= 500 ? Kind.TRANSIENT : Kind.PERMANENT,
                    "Microsoft Graph refused to " + what + " '" + key + "'" + suffix);
        };
    }

    static StorageException io(IOException e) {
        return HttpFailures.io(e, SERVICE);
    }
}
