package io.ocore.backups.restore.clients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ocore.backups.platform.security.service.ServiceTokens;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The internal endpoints restore-service calls (service token, development.md): backup-service's
 * {@code /internal/backups/{id}}, {@code /internal/environments/{id}} and
 * {@code POST /internal/environments}; destination-service's {@code /internal/destinations/{id}};
 * wal-archiver's {@code /internal/backups/{id}/pitr-range}.
 * Asynchronous ({@link Uni}) for the API, {@code ...Blocking} variants for worker threads.
 */
@ApplicationScoped
public class InternalClient {

    /** A backup as backup-service serves it internally. */
    public record BackupInfo(UUID id, UUID orgId, UUID environmentId, String status, String backupType, String trigger,
            Map<UUID, String> remotePaths, Map<String, String> checksums, Instant createdAt) {
    }

    /** An environment with its database password; {@code toString} never shows the password. */
    public record EnvironmentInfo(UUID id, UUID orgId, String name, UUID projectId, String environmentType,
            String dbHost, int dbPort, String dbName, String dbUser, String dbPassword, String filestorePath,
            String configPath) {
        @Override
        public String toString() {
            return "Environment[" + id + ", " + name + ", " + dbName + "@" + dbHost + ":" + dbPort + "]";
        }
    }

    /** A destination with its decrypted config; never log {@code config}. */
    public record DestinationInfo(UUID id, String name, String destinationType, JsonNode config) {
        @Override
        public String toString() {
            return "Destination[" + id + ", " + name + ", " + destinationType + "]";
        }
    }

    /**
     * What wal-archiver says a backup can be recovered to: {@code range} (from, to) when its base and
     * WAL are there; otherwise {@code range} is null and {@code missing} says why (no PITR base, or
     * the WAL the base needs is not all archived yet).
     */
    public record PitrRange(Instant from, Instant to, Integer timeline, String missing, List<WalFile> files) {
        public PitrRange(Instant from, Instant to, Integer timeline, String missing) {
            this(from, to, timeline, missing, List.of());
        }

        public boolean covered() {
            return from != null && to != null;
        }
    }

    /** One archived WAL file a replay of the range needs (wal-archiver's catalogue: checksum, size, destinations). */
    public record WalFile(String fileName, String kind, int timeline, long sizeBytes, String sha256,
            List<UUID> destinationIds) {
    }

    /** The other service answered 404: the resource does not exist in that organisation. */
    public static final class NotFound extends RuntimeException {
        public NotFound(String message) {
            super(message);
        }
    }

    /** The other service could not be reached or answered an error; the message is safe to show. */
    public static final class Unavailable extends RuntimeException {
        public Unavailable(String message) {
            super(message);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper mapper;
    private final String backupUrl;
    private final String destinationUrl;
    private final String walUrl;
    private final ServiceTokens serviceTokens;

    public InternalClient(ObjectMapper mapper, @ConfigProperty(name = "ocore.services.backup.url") String backupUrl,
            @ConfigProperty(name = "ocore.services.destination.url") String destinationUrl,
            @ConfigProperty(name = "ocore.services.wal.url") String walUrl,
            ServiceTokens serviceTokens) {
        this.mapper = mapper;
        this.backupUrl = strip(backupUrl);
        this.destinationUrl = strip(destinationUrl);
        this.walUrl = strip(walUrl);
        this.serviceTokens = serviceTokens;
    }

    /**
     * The pitr-range of backup {@code backupId} from wal-archiver. 404 (no PITR base) and 409 (its
     * WAL incomplete) are answers, not failures; anything else, or no answer, is {@link Unavailable}.
     */
    public Uni<PitrRange> pitrRange(UUID orgId, UUID backupId) {
        String what = "the WAL coverage of backup " + backupId;
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(walUrl + "/internal/backups/" + backupId
                + "/pitr-range?orgId=" + orgId)).timeout(Duration.ofSeconds(15)).GET();
        serviceTokens.authorize(req);
        return send(req, what).map(res -> {
            JsonNode n;
            try {
                n = res.body().length == 0 ? mapper.createObjectNode() : mapper.readTree(res.body());
            } catch (IOException e) {
                throw new Unavailable("wal-archiver answered an unreadable pitr-range for backup " + backupId);
            }
            return switch (res.statusCode()) {
                case 200 -> {
                    try {
                        List<WalFile> files = new java.util.ArrayList<>();
                        for (JsonNode f : n.path("files")) {
                            List<UUID> dests = new java.util.ArrayList<>();
                            for (JsonNode d : f.path("destinationIds")) {
                                dests.add(UUID.fromString(d.asText()));
                            }
                            files.add(new WalFile(f.path("fileName").asText(), f.path("kind").asText(),
                                    f.path("timeline").asInt(), f.path("sizeBytes").asLong(), f.path("sha256").asText(),
                                    List.copyOf(dests)));
                        }
                        yield new PitrRange(Instant.parse(n.path("from").asText()), Instant.parse(n.path("to").asText()),
                                n.path("timeline").asInt(), null, List.copyOf(files));
                    } catch (java.time.format.DateTimeParseException | IllegalArgumentException e) {
                        throw new Unavailable("wal-archiver answered an unreadable pitr-range for backup " + backupId);
                    }
                }
                case 404 -> new PitrRange(null, null, null, "this backup has no PITR base (WAL archiving was off for"
                        + " its environment when it was taken)");
                case 409 -> new PitrRange(null, null, null, n.path("detail").asText(
                        "the WAL this backup needs to be recovered is not all archived yet"));
                default -> throw new Unavailable("wal-archiver answered " + res.statusCode() + " for " + what);
            };
        });
    }

    public Uni<BackupInfo> backup(UUID orgId, UUID backupId) {
        return get(backupUrl + "/internal/backups/" + backupId + "?orgId=" + orgId, "backup " + backupId)
                .map(this::backupOf);
    }

    public Uni<EnvironmentInfo> environment(UUID orgId, UUID envId) {
        return get(backupUrl + "/internal/environments/" + envId + "?orgId=" + orgId + "&credentials=true",
                "environment " + envId)
                .map(InternalClient::environmentOf);
    }

    public PitrRange pitrRangeBlocking(UUID orgId, UUID backupId) {
        return pitrRange(orgId, backupId).await().atMost(Duration.ofSeconds(60));
    }

    public BackupInfo backupBlocking(UUID orgId, UUID backupId) {
        return backup(orgId, backupId).await().atMost(Duration.ofSeconds(60));
    }

    public EnvironmentInfo environmentBlocking(UUID orgId, UUID envId) {
        return environment(orgId, envId).await().atMost(Duration.ofSeconds(60));
    }

    public DestinationInfo destinationBlocking(UUID orgId, UUID destId) {
        JsonNode n = get(destinationUrl + "/internal/destinations/" + destId + "?orgId=" + orgId, "destination " + destId)
                .await().atMost(Duration.ofSeconds(60));
        return new DestinationInfo(destId, n.path("name").asText(destId.toString()), n.path("destinationType").asText(),
                n.path("config"));
    }

    /** Registers an environment (a {@code new} restore target); answers its id. */
    public UUID registerEnvironmentBlocking(Map<String, Object> body) {
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(backupUrl + "/internal/environments"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json));
        serviceTokens.authorize(req);
        HttpResponse<byte[]> res;
        try {
            res = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new Unavailable("backup-service could not be reached to register the new environment");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while registering the new environment");
        }
        if (res.statusCode() != 201 && res.statusCode() != 200) {
            throw new Unavailable("backup-service refused to register the new environment (" + res.statusCode() + "): "
                    + new String(res.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
        try {
            return UUID.fromString(mapper.readTree(res.body()).path("id").asText());
        } catch (IOException | IllegalArgumentException e) {
            throw new Unavailable("backup-service answered an unreadable environment registration");
        }
    }

    private Uni<JsonNode> get(String url, String what) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15)).GET();
        serviceTokens.authorize(req);
        return send(req, what)
                .map(res -> {
                    if (res.statusCode() == 404) {
                        throw new NotFound(what + " does not exist in this organisation");
                    }
                    if (res.statusCode() != 200) {
                        throw new Unavailable("the service holding " + what + " answered " + res.statusCode());
                    }
                    try {
                        return mapper.readTree(res.body());
                    } catch (IOException e) {
                        throw new Unavailable("unreadable answer for " + what);
                    }
                });
    }

    private Uni<HttpResponse<byte[]>> send(HttpRequest.Builder req, String what) {
        CompletableFuture<HttpResponse<byte[]>> f = http.sendAsync(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        // The JDK client completes on its own threads: come back to the caller's Vert.x context
        // (Hibernate Reactive sessions are bound to it).
        io.vertx.core.Context ctx = io.vertx.core.Vertx.currentContext();
        Uni<HttpResponse<byte[]>> answer = Uni.createFrom().completionStage(f);
        if (ctx != null) {
            answer = answer.emitOn(cmd -> ctx.runOnContext(v -> cmd.run()));
        }
        return answer.onFailure().transform(e -> {
            Log.warnf("internal call for %s failed: %s", what, e.toString());
            return new Unavailable("could not reach the service holding " + what);
        });
    }

    private BackupInfo backupOf(JsonNode n) {
        Map<UUID, String> paths = new LinkedHashMap<>();
        n.path("remotePaths").properties().forEach(e -> paths.put(UUID.fromString(e.getKey()), e.getValue().asText()));
        Map<String, String> sums = new LinkedHashMap<>();
        n.path("checksums").properties().forEach(e -> sums.put(e.getKey(), e.getValue().isNull() ? null
                : e.getValue().asText()));
        return new BackupInfo(uuid(n, "id"), uuid(n, "orgId"), uuid(n, "environmentId"), n.path("status").asText(),
                n.path("backupType").asText(), n.path("trigger").asText(), paths, sums,
                n.hasNonNull("createdAt") ? Instant.parse(n.get("createdAt").asText()) : null);
    }

    private static EnvironmentInfo environmentOf(JsonNode n) {
        JsonNode db = n.path("database");
        return new EnvironmentInfo(uuid(n, "id"), uuid(n, "orgId"), n.path("name").asText(), uuid(n, "projectId"),
                n.path("environmentType").asText(), db.path("host").asText(), db.path("port").asInt(),
                db.path("name").asText(), db.path("user").asText(),
                db.path("password").isNull() ? "" : db.path("password").asText(""), n.path("filestorePath").asText(),
                n.path("configPath").asText());
    }

    private static UUID uuid(JsonNode n, String field) {
        return n.hasNonNull(field) ? UUID.fromString(n.get(field).asText()) : null;
    }

    private static String strip(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
