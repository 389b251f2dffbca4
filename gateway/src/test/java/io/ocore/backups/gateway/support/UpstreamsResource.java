package io.ocore.backups.gateway.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The six services, faked: one Vert.x HTTP server each on a free port, plus one for its
 * management interface (only {@code /q/health}, as a real service's). Every request is
 * recorded and answered with an echo of what arrived (method, URI, headers, body size and
 * SHA-256, computed while streaming). A control server, never routed by the gateway, lets
 * tests read the record, stop and start a service and drive the streaming probes.
 *
 * <p>Tests talk to it over HTTP (see {@link Upstreams}), not through static fields: the test
 * and this resource do not share a class loader.
 */
public class UpstreamsResource implements QuarkusTestResourceLifecycleManager {

    public static final List<String> SERVICES = List.of("destination", "backup", "scheduler", "restore", "alert", "wal");

    private Vertx vertx;
    private final Map<String, HttpServer> servers = new ConcurrentHashMap<>();
    private final Map<String, Integer> ports = new ConcurrentHashMap<>();
    private final Map<String, HttpServer> managementServers = new ConcurrentHashMap<>();
    private final Map<String, Integer> managementPorts = new ConcurrentHashMap<>();
    private final List<JsonObject> received = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicLong> streamedBytes = new ConcurrentHashMap<>();
    private final Map<String, Promise<Void>> streamFinish = new ConcurrentHashMap<>();

    @Override
    public Map<String, String> start() {
        vertx = Vertx.vertx();
        Map<String, String> config = new LinkedHashMap<>();
        for (String service : SERVICES) {
            int port = await(listen(service, 0));
            ports.put(service, port);
            config.put("ocore.services." + service + ".url", "http://127.0.0.1:" + port);
            int managementPort = await(listenManagement(service, 0));
            managementPorts.put(service, managementPort);
            config.put("ocore.services." + service + ".management-url", "http://127.0.0.1:" + managementPort);
        }
        HttpServer control = await(vertx.createHttpServer().requestHandler(this::control).listen(0, "127.0.0.1"));
        config.put("test.upstreams.control", "http://127.0.0.1:" + control.actualPort());
        // Long enough for a first request on a busy CI machine, short enough for the 504 test.
        config.put("ocore.gateway.upstream-timeout", "5s");
        config.put("ocore.gateway.openapi.cache-ttl", "0s");
        return config;
    }

    @Override
    public void stop() {
        if (vertx != null) {
            await(vertx.close());
        }
    }

    private Future<Integer> listen(String service, int port) {
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(port).setReuseAddress(true);
        return vertx.createHttpServer(options).requestHandler(request -> serve(service, request)).listen()
                .map(server -> {
                    servers.put(service, server);
                    return server.actualPort();
                });
    }

    private Future<Integer> listenManagement(String service, int port) {
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(port).setReuseAddress(true);
        return vertx.createHttpServer(options).requestHandler(request -> serveManagement(service, request)).listen()
                .map(server -> {
                    managementServers.put(service, server);
                    return server.actualPort();
                });
    }

    /** A service's management interface: its detailed health, with a version the public must never see. */
    private void serveManagement(String service, HttpServerRequest request) {
        String path = request.path();
        received.add(new JsonObject().put("service", service + "-management").put("method", request.method().name())
                .put("uri", request.uri()));
        if (path.equals("/q/health") || path.startsWith("/q/health/")) {
            JsonObject check = new JsonObject().put("name", "database").put("status", "UP")
                    .put("data", new JsonObject().put("version", "PostgreSQL 15.99"));
            request.response().putHeader("content-type", "application/json")
                    .end(new JsonObject().put("status", "UP").put("checks", new JsonArray().add(check)).encode());
            return;
        }
        request.response().setStatusCode(404).end();
    }

    private void serve(String service, HttpServerRequest request) {
        String path = request.path();
        received.add(new JsonObject().put("service", service).put("method", request.method().name())
                .put("uri", request.uri()));
        if (path.equals("/q/openapi")) {
            JsonObject document = OpenApiDocuments.of(service);
            request.response().putHeader("content-type", "application/json").end(document.encode());
            return;
        }
        if (path.contains("/slow")) {
            return; // never answers: the gateway must time out
        }
        if (path.contains("/broken-response")) {
            // The service dies in the middle of a long answer: 16 chunks of 256 KiB, one every 10 ms,
            // then the connection drops, while the gateway is already passing the body on.
            request.response().setChunked(true).putHeader("content-type", "application/octet-stream");
            java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
            io.vertx.core.Vertx.currentContext().owner().setPeriodic(10, timer -> {
                if (sent.incrementAndGet() > 16) {
                    io.vertx.core.Vertx.currentContext().owner().cancelTimer(timer);
                    request.connection().close();
                } else {
                    request.response().write(io.vertx.core.buffer.Buffer.buffer(new byte[256 * 1024]));
                }
            });
            return;
        }
        if (path.contains("/stream-response/")) {
            streamResponse(request, path.substring(path.lastIndexOf('/') + 1));
            return;
        }
        AtomicLong progress = path.contains("/stream-request/")
                ? streamedBytes.computeIfAbsent(path.substring(path.lastIndexOf('/') + 1), id -> new AtomicLong())
                : new AtomicLong();
        MessageDigest sha256 = sha256();
        request.handler(chunk -> {
            progress.addAndGet(chunk.length());
            sha256.update(chunk.getBytes());
        });
        request.endHandler(ignored -> {
            JsonObject headers = new JsonObject();
            request.headers().names().forEach(name -> headers.put(name.toLowerCase(),
                    String.join(",", request.headers().getAll(name))));
            JsonObject echo = new JsonObject().put("service", service).put("method", request.method().name())
                    .put("uri", request.uri()).put("headers", headers).put("bodyBytes", progress.get())
                    .put("bodySha256", HexFormat.of().formatHex(sha256.digest()));
            String status = request.getHeader("X-Test-Status");
            request.response().setStatusCode(status == null ? 200 : Integer.parseInt(status))
                    .putHeader("content-type", "application/json")
                    .putHeader("X-Upstream", service)
                    .end(echo.encode());
        });
    }

    /** Sends a first chunk, then the rest only once the test says so. */
    private void streamResponse(HttpServerRequest request, String id) {
        Promise<Void> finish = Promise.promise();
        streamFinish.put(id, finish);
        request.response().setChunked(true).putHeader("content-type", "text/plain");
        request.response().write("first-part\n");
        finish.future().onComplete(ignored -> request.response().end("second-part\n"));
    }

    private void control(HttpServerRequest request) {
        String[] parts = request.path().substring(1).split("/");
        JsonObject answer = new JsonObject();
        switch (parts[0]) {
            case "received" -> {
                if (request.method().name().equals("DELETE")) {
                    received.clear();
                }
                request.response().putHeader("content-type", "application/json")
                        .end(new JsonArray(List.copyOf(received)).encode());
                return;
            }
            case "streams" -> {
                if (parts.length == 3 && parts[2].equals("finish")) {
                    Promise<Void> finish = streamFinish.get(parts[1]);
                    answer.put("finished", finish != null && finish.tryComplete());
                } else {
                    AtomicLong bytes = streamedBytes.get(parts[1]);
                    answer.put("bytes", bytes == null ? 0 : bytes.get());
                }
            }
            case "services" -> {
                String service = parts[1];
                // A stopped service answers neither on its API port nor on its management port.
                Future<?> done = parts[2].equals("stop")
                        ? Future.join(servers.remove(service).close(), managementServers.remove(service).close())
                        : Future.join(listen(service, ports.get(service)),
                                listenManagement(service, managementPorts.get(service)));
                done.onComplete(result -> request.response().setStatusCode(result.succeeded() ? 200 : 500)
                        .putHeader("content-type", "application/json")
                        .end(new JsonObject().put(service, parts[2]).encode()));
                return;
            }
            default -> {
                request.response().setStatusCode(404).end();
                return;
            }
        }
        request.response().putHeader("content-type", "application/json").end(answer.encode());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
