package io.ocore.backups.platform.testing.fakes;

import com.sun.net.httpserver.HttpServer;
import io.ocore.backups.platform.events.v1.Events.BackupScheduleChanged;
import io.ocore.backups.platform.testing.TestTokens;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The owners a service asks before it has heard of something by event (read-your-writes):
 * backup-service's {@code GET /internal/environments/{id}?orgId=}, 200 with the environment
 * (including, as the real one, database credentials) for the environments tests {@link #add},
 * and scheduler-service's {@code GET /internal/environments/{id}/backup-schedule?orgId=}, 200 with
 * the schedules tests {@link #schedule} (in the shape of their BackupScheduleChanged); 404
 * otherwise; 401 unless called with a service token (the calling service's, {@link #CALLER} keeps
 * its subject). {@link #down} makes it drop every connection without an answer (an owner that
 * cannot be reached). Also backup-service's {@code GET /internal/blob-stores/{id}/retention?orgId=}
 * ({@link #blobRetention}). For scheduler-service and wal-archiver.
 */
public class OwnerServicesStub implements QuarkusTestResourceLifecycleManager {

    static final Map<String, String> KNOWN = new ConcurrentHashMap<>();
    static final Map<String, String> SCHEDULES = new ConcurrentHashMap<>();
    static final Map<String, String> BLOB_RETENTION = new ConcurrentHashMap<>();
    public static final AtomicInteger CALLS = new AtomicInteger();
    /** Calls of the blob retention (not counted in {@link #CALLS}, which counts the owners asked). */
    public static final AtomicInteger BLOB_RETENTION_CALLS = new AtomicInteger();
    /** The subject of the last authorised caller's service token. */
    public static final AtomicReference<String> CALLER = new AtomicReference<>();
    public static final AtomicBoolean DOWN = new AtomicBoolean();
    private HttpServer server;

    /** An environment that backup-service has registered (the service under test has not heard of it). */
    public static UUID add(UUID orgId, String type) {
        UUID id = UUID.randomUUID();
        KNOWN.put(id + "?orgId=" + orgId, """
                {"id":"%s","orgId":"%s","name":"acme-%s","projectId":"%s","environmentType":"%s",
                 "database":{"host":"127.0.0.1","port":5432,"name":"odoo","user":"odoo","password":"stub-secret"},
                 "filestorePath":"/srv/filestore","configPath":"/etc/odoo.conf","createdAt":"%s"}"""
                .formatted(id, orgId, type, UUID.randomUUID(), type, Instant.now()));
        return id;
    }

    /** A schedule scheduler-service has saved and announced (the service under test has not heard it yet). */
    public static void schedule(BackupScheduleChanged schedule) {
        SCHEDULES.put(schedule.environmentId() + "/backup-schedule?orgId=" + schedule.orgId(), """
                {"orgId":"%s","environmentId":"%s","enabled":%s,"walEnabled":%s,"walRetentionDays":%d,
                 "destinationIds":[%s]}""".formatted(schedule.orgId(), schedule.environmentId(), schedule.enabled(),
                schedule.walEnabled(), schedule.walRetentionDays(), schedule.destinationIds().stream()
                        .map(id -> "\"" + id + "\"").collect(Collectors.joining(","))));
    }

    /**
     * What backup-service's {@code GET /internal/blob-stores/{id}/retention?orgId=} answers for an
     * environment (its JSON); one not set answers as the real one does for an environment without
     * a blob store: {@code blobStore: false}, null counts.
     */
    public static void blobRetention(UUID orgId, UUID environmentId, String json) {
        BLOB_RETENTION.put(environmentId + "/retention?orgId=" + orgId, json);
    }

    public static void down(boolean down) {
        DOWN.set(down);
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/internal/environments/", exchange -> {
            CALLS.incrementAndGet();
            if (DOWN.get()) {
                exchange.close(); // no answer at all
                return;
            }
            String path = exchange.getRequestURI().getPath().substring("/internal/environments/".length());
            String key = path + "?" + exchange.getRequestURI().getQuery();
            String body = path.endsWith("/backup-schedule") ? SCHEDULES.get(key) : KNOWN.get(key);
            var caller = TestTokens.serviceCaller(exchange.getRequestHeaders().getFirst("Authorization"));
            caller.ifPresent(CALLER::set);
            boolean authorised = caller.isPresent();
            int status = !authorised ? 401 : body != null ? 200 : 404;
            FakeHttp.send(exchange, status, status == 200 ? body.getBytes() : new byte[0], "application/json");
        });
        server.createContext("/internal/blob-stores/", exchange -> {
            BLOB_RETENTION_CALLS.incrementAndGet();
            if (DOWN.get()) {
                exchange.close();
                return;
            }
            String path = exchange.getRequestURI().getPath().substring("/internal/blob-stores/".length());
            String body = BLOB_RETENTION.getOrDefault(path + "?" + exchange.getRequestURI().getQuery(),
                    "{\"blobStore\":false,\"kept\":null,\"freedByNextCollection\":null}");
            var caller = TestTokens.serviceCaller(exchange.getRequestHeaders().getFirst("Authorization"));
            caller.ifPresent(CALLER::set);
            int status = caller.isPresent() ? 200 : 401;
            FakeHttp.send(exchange, status, status == 200 ? body.getBytes() : new byte[0], "application/json");
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.of("ocore.services.backup.url", url, "ocore.services.scheduler.url", url);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
